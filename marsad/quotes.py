"""Quotes: direct and reported speech, each with its speaker, found from cue words.

Arabic news attributes speech with a small set of constructions, and this module follows
them rather than learning them:

* a speech verb, its subject, then a complementiser (قال الوزير إن ...), a colon, quote
  marks, or a preposition that opens a noun phrase (أشار إلى وجود ...);
* participles and continuation verbs with no subject (مشيرا إلى أن، وأضاف أن), whose speaker
  is the one already speaking;
* relays (نقلت وكالة X عن Y قوله ...): the speaker is Y, X only carried the words;
* words before the verb ("...، كما قال X") and quoted words followed by their attribution
  ("«...»، قال X" / "«...» بحسب X").

The Arabic words live in ``lang/ar/data/quote_cues.yaml``; this module only knows the shapes.
Speakers are the actors that ``actors.py`` found, preferring a named person over a title
and a title over an organisation.  When no actor is there but a speaker phrase is ("مصدر
مسؤول"), the phrase itself becomes the speaker, with the country of its nationality
adjective.  Every step is a bounded scan around a cue match, so the cost is linear in the
length of the article.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from marsad.actors import ActorIndex, MentionRef
from marsad.lang.base import Language
from marsad.matcher import Match, PhraseMatcher, phrase_keys
from marsad.model import ActorRef, Quote, Span
from marsad.resources import Resources
from marsad.text import Doc, QuoteRegion, Sentence

# How far (in tokens) a verb's complementiser may lie from the verb; a verb inside someone
# else's reported words must reach it sooner (else it is part of those words).
WINDOW = 28
NESTED_WINDOW = 12
MAX_SPEAKER_TOKENS = 16
# A quoted stretch of at most this many words is a name or a term, not a quotation, unless
# a colon or complementiser introduces it.
SHORT_REGION = 3
# A quote needs at least this many words.
MIN_WORDS = 2
# A sentence's subject (verb first) is named within its first words.
_OPENING = 8

_PERSON_KINDS = frozenset(("name", "ner", "surname", "coref"))
_COLONS = frozenset(":：")
_COMMAS = frozenset("،,")
_DASHES = frozenset("–—-")
_OPEN_PARENS = frozenset("([")
_CLOSE_PARENS = frozenset(")]")
_SENT_PUNCT = frozenset(".؟?!")
_TANWEEN_FATH = ("اً", "ًا", "ً")
_MARKS = "\"“”«»„‟″"
_TRIM_CHARS = " \t\n\u00a0،,.:؛;-–—"
_CUE_KINDS = ("verb", "participle", "statement", "noun")
# Helper words are matched lazily, by chunks of tokens.
_CHUNK = 8


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True, slots=True)
class Cue:
    """What a lexicon match means.

    ``kind`` is verb, participle, noun (قوله، قال فيها), statement (جاء فيه), comp (إن/أن),
    source (بحسب), before (كما), block (من يرى), block_present (التي ترى), brk (، حيث), stop,
    not_subject, addressee, pronoun_obj, honorific, spokes, trailing or exclude.  For verbs, ``cls`` is say /
    continue / relay / deny and ``tense`` past / present / participle.
    """

    kind: str
    lemma: str = ""
    cls: str = "say"
    relay: bool = False
    nominal: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()  # prepositions that need a content noun after them
    tense: str = ""


@dataclass
class Lexicon:
    """quote_cues.yaml compiled: two phrase matchers and the small word sets beside them."""

    cues: PhraseMatcher[Cue]  # verbs, participles, nouns, statements: run over every doc
    helpers: PhraseMatcher[Cue]  # everything else: run on the token chunks that need it
    comp_prefixes: frozenset[str]
    verb_prefixes: frozenset[str]
    relay_from: frozenset[str]  # عن and its pronoun forms (نقل عنه)
    occasions: frozenset[str]  # keys after في that name the occasion (في كلمته)
    content_nouns: frozenset[str]  # nouns that make a weak nominal a claim (أشار إلى وجود)
    relay_forms: frozenset[str]  # relay verb forms without an object pronoun (نقلت, not نقلته)
    not_comp_after: frozenset[str]  # keys before which a bare أن is not reportive (بعد أن)
    connectors: frozenset[str]  # name-internal words (بن، عبد، آل)
    fi: str
    li: str
    helpers_longest: int = 4  # tokens in the longest helper phrase


def _inflect(e: dict[str, Any], infl: dict[str, list[str]]) -> Iterable[tuple[str, str]]:
    """(form, tense) pairs of one verb entry."""
    for tense in ("past", "present", "participle"):
        for f in e.get(f"{tense}_forms") or []:
            yield str(f), tense
    if e.get("past"):
        for s in infl["past"]:
            yield e["past"] + s, "past"
    if e.get("present"):
        for p in infl["present_prefixes"]:
            for s in infl["present_suffixes"]:
                yield p + e["present"] + s, "present"
    if e.get("participle"):
        for s in infl["participle"]:
            yield e["participle"] + s, "participle"


def build_lexicon(lang: Language, data: dict[str, Any]) -> Lexicon:
    """Compile quote_cues.yaml into two phrase matchers: the cues, matched over the whole
    document, and the helper words (complementisers, stops, ...), which are frequent and
    matched only around the cues that need them."""
    # every form is listed (pronoun suffixes too), so no suffix stripping: it is the costly part
    m: PhraseMatcher[Cue] = PhraseMatcher(lang, article=True, suffixes=False)
    aux: PhraseMatcher[Cue] = PhraseMatcher(lang, article=True, suffixes=False)
    key = lang.normalize_key
    relay_forms: set[str] = set()
    for e in data.get("verbs") or []:
        lemma = str(e["lemma"])
        cls = str(e.get("class", "say"))
        nominal = tuple(key(p) for p in e.get("nominal") or [])
        weak = tuple(key(p) for p in e.get("weak_nominal") or [])
        relay = bool(e.get("relay")) or cls == "relay"
        for form, tense in _inflect(e, data["inflection"]):
            kind = "participle" if tense == "participle" else "verb"
            if cls == "relay":
                relay_forms.add(key(form))
            if tense == "present":
                m.add(form, Cue(kind, lemma, cls, relay, (), (), tense))
            elif tense == "participle":  # "مشيرا إلى": after reported words, always content
                m.add(form, Cue(kind, lemma, cls, relay, nominal + weak, (), tense))
            else:
                m.add(form, Cue(kind, lemma, cls, relay, nominal, weak, tense))
        for x in e.get("exclude") or []:
            m.add(str(x), Cue("exclude", lemma))
    for section, kind in (("nouns", "noun"), ("statement_phrases", "statement")):
        for w in data.get(section) or []:
            m.add(str(w), Cue(kind, str(w)))
    for w in data.get("speech_in_phrases") or []:  # no subject: the speaker is resolved later
        m.add(str(w), Cue("noun", str(w)))
    simple = {"complementisers": "comp", "sources": "source", "before_verb": "before",
              "blocked_after": "block", "blocked_present_after": "block_present",
              "clause_breaks": "brk", "honorifics": "honorific",
              "spokesperson": "spokes", "trailing": "trailing"}
    for section, kind in simple.items():
        for w in data.get(section) or []:
            aux.add(str(w), Cue(kind, str(w)))
    stops = data.get("speaker_stops") or {}
    for group, kind in (("time", "stop"), ("adjunct", "stop"), ("not_subject", "not_subject"),
                        ("addressee_after_li", "addressee"), ("pronoun_objects", "pronoun_obj")):
        for w in stops.get(group) or []:
            aux.add(str(w), Cue(kind, str(w), group))
    occasions = frozenset(lang.strip_article(key(w)) for w in stops.get("occasion_after_fi") or [])
    content = frozenset(lang.strip_article(key(w)) for w in data.get("content_nouns") or [])
    longest = max((len(phrase_keys(str(w), lang)) for section in simple for w in data.get(section) or []),
                  default=1)
    for group in ("time", "adjunct", "not_subject", "addressee_after_li", "pronoun_objects"):
        longest = max([longest] + [len(phrase_keys(str(w), lang)) for w in stops.get(group) or []])
    return Lexicon(
        m, aux, helpers_longest=longest,
        comp_prefixes=frozenset(key(p) for p in data.get("complementiser_prefixes") or [""]),
        verb_prefixes=frozenset(key(p) for p in data.get("verb_prefixes") or [""]),
        relay_from=frozenset(key(x) for x in data.get("relay_from") or ["عن"]),
        occasions=occasions, content_nouns=content, relay_forms=frozenset(relay_forms),
        not_comp_after=frozenset(lang.strip_article(key(w)) for w in data.get("not_complementiser_after") or []),
        connectors=frozenset(key(w) for w in data.get("name_connectors") or []),
        fi=key("في"), li=key("ل"),
    )


def lexicon(lang: Language) -> Lexicon:
    """The compiled cue lexicon of ``lang``, built once per process."""
    lex = lang.cache.get("quotes.lexicon")
    if lex is None:
        lex = build_lexicon(lang, lang.data("quote_cues.yaml"))
        lang.cache["quotes.lexicon"] = lex
    return lex


# --------------------------------------------------------------------------- per document


@dataclass
class _Hit:
    """The longest cue match of one kind starting at token i."""

    i: int
    j: int
    cue: Cue
    match: Match[Cue]


@dataclass
class _Found:
    """A quote in the making: where its words are and how to find its speaker."""

    start: int
    end: int
    kind: str
    cue: Match[Cue] | None
    cue_tok: int
    cut: int  # where the content of an earlier quote in the sentence must stop
    sent: int
    cls: str = "say"
    speaker: ActorRef | None = None
    explicit: bool = False  # the speaker was named at this cue
    via: ActorRef | None = None
    bounded: bool = False  # the end is fixed (quote marks), not cut by later cues
    breakable: bool = False  # reported content: also stops at the writer's clause breaks
    before: bool = False  # "...، كما قال X": the content precedes the cue
    svo: ActorRef | None = None  # an actor right before the verb


@dataclass
class _Ctx:
    doc: Doc
    actors: ActorIndex
    res: Resources
    lex: Lexicon
    hits: dict[str, dict[int, _Hit]] = field(default_factory=dict)
    cues: dict[int, _Hit] = field(default_factory=dict)  # the cue starting at a token
    region_open: dict[int, QuoteRegion] = field(default_factory=dict)  # by opening-mark token
    in_region: list[bool] = field(default_factory=list)
    indexed: set[int] = field(default_factory=set)  # chunks whose helper words are matched

    def hit(self, kind: str, i: int) -> _Hit | None:
        d = self.hits.get(kind)
        if kind not in _CUE_KINDS:
            c = i // _CHUNK
            if c not in self.indexed:
                _index_helpers(self, c)
                d = self.hits.get(kind)
        return d.get(i) if d else None

    def prefix(self, h: _Hit) -> str:
        return self.doc.lang.normalize_key(h.match.prefix)

    def cue_at(self, k: int) -> _Hit | None:
        return self.cues.get(k)


def extract_quotes(doc: Doc, actors: ActorIndex, res: Resources) -> list[Quote]:
    """Every direct and indirect quote of ``doc``, with its speaker (None when unknown)."""
    if not doc.tokens or not doc.sentences:
        return []
    ctx = _Ctx(doc, actors, res, lexicon(res.lang))
    _index_cues(ctx)
    _mark_regions(ctx)
    found = _from_cues(ctx)
    found.extend(_from_regions(ctx, found))
    found.sort(key=lambda f: (f.start, f.cue_tok))
    _set_ends(ctx, found)
    _resolve_speakers(ctx, found)
    return _to_quotes(doc, found)


def _add_hits(out: dict[str, dict[int, _Hit]], matches: Iterable[Match[Cue]]) -> None:
    for m in matches:
        for cue in m.payloads:
            d = out.setdefault(cue.kind, {})
            old = d.get(m.i)
            if old is None or m.j > old.j:
                d[m.i] = _Hit(m.i, m.j, cue, m)


def _index_cues(ctx: _Ctx) -> None:
    """Cue hits by kind and start token.  A verb with the article or a preposition attached
    (المتحدثة، بقول) is a noun; excluded forms and verbs inside a longer phrase (قال فيه)
    are dropped."""
    out: dict[str, dict[int, _Hit]] = {kind: {} for kind in _CUE_KINDS}
    _add_hits(out, ctx.lex.cues.find_all(ctx.doc))
    key = ctx.doc.lang.normalize_key
    for kind in ("verb", "participle"):
        d = out[kind]
        for i in list(d):
            longer = out["statement"].get(i) or out["noun"].get(i)  # "جاء فيه", "قال فيها"
            if i in out.get("exclude", {}) or (longer is not None and longer.j > d[i].j) \
                    or key(d[i].match.prefix) not in ctx.lex.verb_prefixes:
                del d[i]
    ctx.hits = out
    for kind in reversed(_CUE_KINDS):  # verbs win where two kinds start at one token
        ctx.cues.update(out[kind])


def _index_helpers(ctx: _Ctx, c: int) -> None:
    """Match the helper words starting in token chunk ``c`` (on first use: most of a text
    is never looked at)."""
    ctx.indexed.add(c)
    a, b = c * _CHUNK, (c + 1) * _CHUNK
    found: dict[str, dict[int, _Hit]] = {}
    n = len(ctx.doc.tokens)
    over = ctx.lex.helpers_longest - 1  # a phrase starting in the chunk may end past it
    _add_hits(found, (m for m in ctx.lex.helpers.find_all(ctx.doc, a, min(n, b + over)) if m.i < b))
    key = ctx.doc.lang.normalize_key
    for i in list(found.get("stop", {})):  # "أمام" is an adjunct, "الإمام" a title
        if "ال" in key(found["stop"][i].match.prefix):
            del found["stop"][i]
    for kind, d in found.items():
        ctx.hits.setdefault(kind, {}).update(d)


def _mark_regions(ctx: _Ctx) -> None:
    doc = ctx.doc
    ctx.in_region = [False] * len(doc.tokens)
    for r in doc.quote_regions:
        k = doc.token_at(r.start - 1)
        if k is not None:
            ctx.region_open[k] = r
        for t in doc.tokens_in(r.start, r.end):
            ctx.in_region[t] = True


def _words(doc: Doc, start: int, end: int) -> int:
    return sum(1 for t in doc.tokens_in(start, end) if doc.tokens[t].is_word)


def _tok_after(doc: Doc, offset: int) -> int:
    """The first token at or after ``offset``, past a closing quote mark there."""
    k = doc.tokens_in(offset, len(doc.text)).start
    if k < len(doc.tokens) and doc.tokens[k].start == offset and not doc.tokens[k].is_word:
        k += 1
    return k


# --------------------------------------------------------------------------- cue windows


@dataclass
class _Window:
    """What follows a cue: the terminator that opens the content, and the speaker span."""

    how: str = ""  # comp | colon | region | nominal | "" (none)
    content_tok: int = -1
    region: QuoteRegion | None = None
    term_at: int = -1  # first token of the terminator: the subject lies before it
    subj_from: int = -1
    via_from: int = -1
    via_to: int = -1
    relay_pronoun: bool = False  # "نقل عنه": the speaker was named before


def _scan_window(ctx: _Ctx, h: _Hit, limit: int, subject: bool) -> _Window:
    """Walk from the cue to its complementiser, colon or quote marks."""
    doc, toks = ctx.doc, ctx.doc.tokens
    cue = h.cue
    w = _Window(subj_from=h.j if subject else -1)
    nominal: list[int] = []
    occasion_end = -1
    relay_at = -1
    k = h.j
    while k < limit:
        t = toks[k]
        if k > h.j and ctx.cue_at(k) and not (relay_at >= 0 and ctx.hit("noun", k)) \
                and not (ctx.cues[k].cue.cls == "relay" and _occasion_word(ctx, k - 1)):
            break  # (but "قال في تصريح نقلته الوكالة:" goes on)
        reg = ctx.region_open.get(k)
        if reg is not None:
            if _words(doc, reg.start, reg.end) <= SHORT_REGION:
                k = _tok_after(doc, reg.end)  # a quoted name or term: read on
                continue
            w.how, w.region, w.term_at = "region", reg, k
            break
        if t.text in _COLONS:
            w.how, w.content_tok, w.term_at = "colon", k + 1, k
            break
        if t.text in _COMMAS and k + 1 < limit and ctx.hit("brk", k + 1) is not None:
            break  # "كشف عن نتائج ...، حيث أظهرت الإحصاءات أن": another clause
        comp = ctx.hit("comp", k)
        if comp is not None and _reportive(ctx, comp):
            w.how, w.content_tok, w.term_at = "comp", comp.j, k
            break
        if cue.relay and relay_at < 0 and t.key in ctx.lex.relay_from:
            relay_at = k
            w.relay_pronoun = t.key != "عن"
        if (cue.nominal and t.key in cue.nominal) or (cue.weak and t.key in cue.weak and _content_noun(ctx, k + 1)):
            nominal.append(k)
        if _occasion_at(ctx, k):
            occasion_end = k + 2
        k += 1
    if not w.how and nominal:
        # the content's preposition follows the subject and any "في كلمته" adjunct
        after = [n for n in nominal if n >= occasion_end]
        n = after[0] if after else nominal[0]
        w.how, w.content_tok, w.term_at = "nominal", n + 1, n
    if not w.how:
        w.term_at = k
    if relay_at >= 0 and relay_at < w.term_at:
        if w.how == "nominal" and w.term_at == relay_at:  # أفاد المرصد عن مقتل ...
            w.relay_pronoun = False
        else:
            w.via_from, w.via_to = h.j, relay_at
            w.subj_from = relay_at + 1
    elif cue.cls == "relay" and ctx.doc.lang.normalize_key(h.match.text) not in ctx.lex.relay_forms:
        # "في تصريح نقلته الوكالة": the verb's pronoun is the statement; the agency relays
        w.via_from, w.via_to = h.j, w.term_at
        w.relay_pronoun = True
    return w


def _noun_keys(ctx: _Ctx, k: int) -> Iterable[str]:
    """A token's key without article and clitics, without the accusative alef, and without
    a pronoun suffix (with ة restored: تغريدته → تغريدة)."""
    lang = ctx.doc.lang
    for _, stem in lang.prefix_variants(ctx.doc.tokens[k].key, True):
        yield stem
        if stem.endswith("ا") and len(stem) > 3:  # accusative: بيانا، تصريحا
            yield stem[:-1]
        for s in lang.suffix_variants(stem)[1:]:
            yield s
            if s.endswith("ت"):
                yield s[:-1] + "ه"


def _content_noun(ctx: _Ctx, k: int) -> bool:
    return k < len(ctx.doc.tokens) and any(x in ctx.lex.content_nouns for x in _noun_keys(ctx, k))


def _occasion_at(ctx: _Ctx, k: int) -> bool:
    """في + an occasion (في كلمته، في بيان، في تغريدته)."""
    toks = ctx.doc.tokens
    if toks[k].key != ctx.lex.fi or k + 1 >= len(toks):
        return False
    return any(x in ctx.lex.occasions for x in _noun_keys(ctx, k + 1))


def _reportive(ctx: _Ctx, comp: _Hit) -> bool:
    """A complementiser that opens reported content: not لأن / كأن, nor a bare أن after
    "بعد", "يجب", "من المقرر" and the like."""
    if ctx.prefix(comp) not in ctx.lex.comp_prefixes:
        return False
    if comp.j - comp.i > 1 or comp.match.prefix or comp.i == 0:
        return True
    prev = ctx.doc.tokens[comp.i - 1]
    return not any(stem in ctx.lex.not_comp_after or ctx.doc.lang.strip_article(stem) in ctx.lex.not_comp_after
                   for _, stem in ctx.doc.lang.prefix_variants(prev.key, True))


def _blocked(ctx: _Ctx, k: int) -> bool:
    """A verb after من / ما is not an attribution (هناك من يرى أن ...), nor a present-tense
    verb after a relative pronoun (الفئة التي ترى أن ...)."""
    toks = ctx.doc.tokens
    present = ctx.cues[k].cue.tense == "present"
    for back in (1, 2):
        if k - back < 0:
            break
        for kind in ("block", "block_present") if present else ("block",):
            h = ctx.hit(kind, k - back)
            if h is not None and h.j == k and ctx.prefix(h) in ("", "و", "ف") \
                    and toks[h.i].sent == toks[k].sent:
                return True
    return False


def _from_cues(ctx: _Ctx) -> list[_Found]:
    doc, toks = ctx.doc, ctx.doc.tokens
    cues = sorted(ctx.cues.values(), key=lambda h: h.i)
    consumed = -1
    open_until = -1  # reported content of the last quote runs (at most) to this token
    handed: dict[int, ActorRef] = {}  # "ويضيف فلان قائلا": a subject for the next cue
    out: list[_Found] = []
    for h in cues:
        if h.i < consumed or ctx.in_region[h.i] or _blocked(ctx, h.i):
            continue
        sent = doc.sentences[toks[h.i].sent]
        nested = h.i < open_until
        if nested and not _starts_clause(ctx, h):
            continue  # "أشار إلى أن التقارير تؤكد أن ...": part of the reported words
        limit = min(sent.tok_end, h.j + (NESTED_WINDOW if nested else WINDOW))
        w = _scan_window(ctx, h, limit, h.cue.kind == "verb")
        if nested and not w.how:
            continue
        f = _content(ctx, h, w, sent)
        if f is None and not w.how and w.term_at < limit:
            nxt = ctx.cue_at(w.term_at)
            span = _speaker_span(ctx, w.subj_from, w.term_at) if w.subj_from >= 0 else None
            if nxt is not None and span is not None and span[1] == w.term_at and not ctx.prefix(nxt):
                ref = _phrase_ref(ctx, w.subj_from, w.term_at)  # the subject, then "قائلا"
                if ref is not None:
                    handed[w.term_at] = ref
        if f is None or (h.cue.cls == "relay" and not _relay_ok(ctx, w)):
            continue
        consumed = w.content_tok if w.content_tok >= 0 else w.term_at
        open_until = sent.tok_end if not f.bounded else -1
        f.cls = "continue" if h.cue.kind == "participle" else h.cue.cls
        if h.cue.kind == "statement":
            f.speaker = _statement_speaker(ctx, h, sent)
            f.explicit = f.speaker is not None
        else:
            f.speaker, f.explicit, f.via = _speaker_from_window(ctx, h, w)
        if not f.explicit and h.i in handed:
            f.speaker, f.explicit = handed[h.i], True
        if not f.explicit:
            f.svo = _mention_before(ctx, h)
        out.append(f)
    return out


def _starts_clause(ctx: _Ctx, h: _Hit) -> bool:
    """Inside someone's reported words, new reported words start at a participle, a verb
    with و / ف, or a verb after a comma, a conjunction (لكنه قال، بينما حذرت) or a relative
    pronoun (الأمر الذي قال إنه); a verb right after its subject belongs to the words
    ("أشار إلى أن التقارير تؤكد أن ...")."""
    if h.cue.kind != "verb" or ctx.prefix(h)[:1] in ("و", "ف"):
        return True
    k = h.i - 1
    if k < 0:
        return True
    if ctx.doc.tokens[k].text in _COMMAS:
        return True
    for kind in ("trailing", "brk", "block_present"):
        hit = ctx.hit(kind, k)
        if hit is not None and hit.j == h.i:
            return kind != "block_present" or h.cue.tense != "present"
    return False


def _relay_ok(ctx: _Ctx, w: _Window) -> bool:
    """نقل / أورد report only with "عن", an object pronoun (نقلته) or a named subject
    ("نقلت صحيفة X أن"); else "نقل" is the noun "transfer"."""
    if w.via_from >= 0 or w.relay_pronoun:
        return True
    if w.subj_from < 0 or w.term_at <= w.subj_from:
        return False
    toks = ctx.doc.tokens
    return bool(ctx.actors.in_span(toks[w.subj_from].start, toks[w.term_at - 1].end)) \
        or any(_occasion_word(ctx, k) or ctx.hit("addressee", k) is not None for k in range(w.subj_from, w.term_at))


def _content(ctx: _Ctx, h: _Hit, w: _Window, sent: Sentence) -> _Found | None:
    """The quote a cue's window opens, or None (no complementiser, colon or marks)."""
    toks = ctx.doc.tokens
    base: dict[str, Any] = {"cue": h.match, "cue_tok": h.i, "cut": _cut_point(ctx, h.i), "sent": sent.i}
    if w.how == "region" and w.region is not None:
        return _Found(w.region.start, w.region.end, "direct", bounded=True, **base)
    if w.how:
        k = w.content_tok
        if k >= sent.tok_end:
            return _after_colon_line(ctx, sent, base) if w.how == "colon" else None
        reg = ctx.region_open.get(k)
        direct = w.how == "colon"
        if reg is not None and w.how != "nominal":
            if _region_is_whole(ctx, reg, sent):
                return _Found(reg.start, reg.end, "direct", bounded=True, **base)
            if direct:
                return _Found(reg.start, sent.end, "direct", **base)
        start = toks[k].start
        if direct and not toks[k].is_word and toks[k].text in _MARKS and k + 1 < sent.tok_end:
            start = toks[k + 1].start  # an opening mark without its pair
        return _Found(start, sent.end, "direct" if direct else "indirect", breakable=not direct, **base)
    if _before_hit(ctx, h.i) is not None:  # "...، كما قال X"
        return _Found(sent.start, base["cut"], "indirect", bounded=True, before=True, **base)
    return None


def _after_colon_line(ctx: _Ctx, sent: Sentence, base: dict[str, Any]) -> _Found | None:
    """"قال الوزير:" at the end of a line: the words are the next line (or its quoted part)."""
    doc = ctx.doc
    if sent.i + 1 >= len(doc.sentences):
        return None
    nxt = doc.sentences[sent.i + 1]
    reg = ctx.region_open.get(nxt.tok_start)
    if reg is not None:
        return _Found(reg.start, reg.end, "direct", bounded=True, **base)
    return _Found(nxt.start, nxt.end, "direct", bounded=True, **base)


def _region_is_whole(ctx: _Ctx, reg: QuoteRegion, sent: Sentence) -> bool:
    """Quote marks right after إن / a colon hold the whole quote when the sentence does not go
    on after them (except into the next cue: "...»، مشيرا إلى أن")."""
    k = _tok_after(ctx.doc, reg.end)
    words_after = 0
    while k < sent.tok_end and not ctx.cue_at(k):
        words_after += ctx.doc.tokens[k].is_word
        k += 1
    if _words(ctx.doc, reg.start, reg.end) <= SHORT_REGION:
        return words_after == 0
    return words_after <= 2


def _before_hit(ctx: _Ctx, i: int) -> _Hit | None:
    """كما right before the verb (possibly after a comma)."""
    for back in (1, 2):
        h = ctx.hit("before", i - back) if i - back >= 0 else None
        if h is not None and h.j == i:
            return h
    return None


def _cut_point(ctx: _Ctx, i: int) -> int:
    """Where content before cue ``i`` ends: before the cue, its كما and a comma."""
    toks = ctx.doc.tokens
    k = i
    b = _before_hit(ctx, i)
    if b is not None:
        k = b.i
    while k > 0 and toks[k - 1].text in _COMMAS and toks[k - 1].sent == toks[i].sent:
        k -= 1
    return toks[k].start


# --------------------------------------------------------------------------- attribution after


def _from_regions(ctx: _Ctx, found: list[_Found]) -> list[_Found]:
    """Quoted words with the attribution after them ("«...»، قال X", "«...» بحسب X")."""
    doc, toks = ctx.doc, ctx.doc.tokens
    taken = [(f.start, f.end) for f in found]
    out: list[_Found] = []
    for reg in doc.quote_regions:
        if any(s < reg.end and reg.start < e for s, e in taken):
            continue
        if _words(doc, reg.start, reg.end) <= SHORT_REGION:
            continue
        close = doc.token_at(reg.end)
        k = _tok_after(doc, reg.end)
        while k < len(toks) and toks[k].text in _COMMAS:
            k += 1
        if k >= len(toks) or close is None or toks[k].sent != toks[close].sent:
            continue
        sent = doc.sentences[toks[k].sent]
        h = ctx.cue_at(k)
        src = ctx.hit("source", k)
        if h is not None and h.cue.kind == "verb" and not ctx.prefix(h):
            hit = h
        elif src is not None:
            hit = src
        else:
            continue
        w = _Window(subj_from=hit.j, term_at=_phrase_limit(ctx, hit.j, min(sent.tok_end, hit.j + WINDOW)))
        f = _Found(reg.start, reg.end, "direct", hit.match, hit.i, reg.start, sent.i, bounded=True)
        f.speaker, f.explicit, _ = _speaker_from_window(ctx, hit, w)
        if f.speaker is not None or hit is h:
            out.append(f)
    return out


def _phrase_limit(ctx: _Ctx, k: int, limit: int) -> int:
    """The sentence-ending punctuation after token k (the end of a trailing attribution)."""
    toks = ctx.doc.tokens
    while k < limit and toks[k].text not in _SENT_PUNCT:
        k += 1
    return k


# --------------------------------------------------------------------------- ends


def _set_ends(ctx: _Ctx, found: list[_Found]) -> None:
    """Reported and colon content runs to the sentence end, the next cue in the sentence or
    (reported only) the writer's clause break; trailing punctuation and conjunctions go."""
    by_sent: dict[int, list[_Found]] = {}
    for f in found:
        by_sent.setdefault(f.sent, []).append(f)
    for f in found:
        if f.bounded:
            continue
        end = f.end
        for g in by_sent[f.sent]:
            if g is not f and g.cut > f.start:
                end = min(end, g.cut)
        if f.breakable:
            end = min(end, _clause_break(ctx, f.start, end))
        f.end = end
    for f in found:
        if f.before:
            for g in by_sent[f.sent]:
                if g is not f and g.cue_tok < f.cue_tok and g.end <= f.end:
                    f.start = max(f.start, g.end)
    for f in found:
        f.start, f.end = _trim(ctx, f.start, f.end)


def _clause_break(ctx: _Ctx, start: int, end: int) -> int:
    """Where the writer takes over inside reported content ("...، حيث ..."), else ``end``."""
    toks = ctx.doc.tokens
    for k in ctx.doc.tokens_in(start, end):
        if ctx.in_region[k] or k == 0:
            continue
        if toks[k - 1].text in _COMMAS and ctx.hit("brk", k) is not None:
            return toks[k - 1].start
        if toks[k].text == "." and k + 1 < len(toks) and toks[k + 1].start == toks[k].end \
                and toks[k + 1].is_word and toks[k - 1].is_word and toks[k + 1].text[0].isalpha():
            return toks[k].start  # a sentence end that lost its space ("إليها.ويلحظ")
    return end


def _trim(ctx: _Ctx, start: int, end: int) -> tuple[int, int]:
    """Content without surrounding punctuation and a dangling conjunction ("... ولكنه")."""
    text = ctx.doc.text
    while start < end and text[start] in _TRIM_CHARS:
        start += 1
    while True:
        while end > start and text[end - 1] in _TRIM_CHARS:
            end -= 1
        k = ctx.doc.token_at(end - 1) if end > start else None
        if k is None:
            return start, end
        h = ctx.hit("trailing", k)
        tok = ctx.doc.tokens[k]
        if h is None or h.j != k + 1 or tok.start <= start or h.match.start != tok.start:
            return start, end
        end = tok.start


# --------------------------------------------------------------------------- speakers


def _speaker_from_window(ctx: _Ctx, h: _Hit, w: _Window) -> tuple[ActorRef | None, bool, ActorRef | None]:
    """(speaker, named at this cue?, via) from the tokens after a cue."""
    via = _phrase_ref(ctx, w.via_from, w.via_to) if 0 <= w.via_from < w.via_to else None
    if w.relay_pronoun or w.subj_from < 0 or w.term_at <= w.subj_from:
        return None, False, via
    ref = _phrase_ref(ctx, w.subj_from, w.term_at)
    return ref, ref is not None, via


def _statement_speaker(ctx: _Ctx, h: _Hit, sent: Sentence) -> ActorRef | None:
    """"بيانا صادرا عن X جاء فيه": X, the last actor or "عن" phrase before the phrase."""
    toks = ctx.doc.tokens
    for k in range(h.i - 1, sent.tok_start - 1, -1):
        if toks[k].key == "عن":
            return _phrase_ref(ctx, k + 1, h.i)
    ms = [m for m in ctx.actors.in_span(toks[sent.tok_start].start, toks[h.i].start) if _usable(ctx, m)]
    if ms:
        return ctx.actors.ref(ms[-1])
    # "وأصدرت النقابة بيانا جاء فيه": the subject of the sentence's first word
    return _phrase_ref(ctx, sent.tok_start + 1, h.i) if h.i > sent.tok_start + 1 else None


def _phrase_ref(ctx: _Ctx, a: int, b: int) -> ActorRef | None:
    """The speaker named in tokens [a, b): an actor mention, else the phrase itself."""
    span = _speaker_span(ctx, a, b)
    if span is None:
        return None
    pa, pb = span
    if pb - pa > 1 and _occasion_word(ctx, pa):  # "بيان للوزارة": the ministry, if known
        ref = _best_mention(ctx, pa + 1, pb)
        if ref is not None:
            return ref
    ref = _best_mention(ctx, pa, pb)
    return ref if ref is not None else _fallback_ref(ctx, pa, pb)


def _speaker_span(ctx: _Ctx, a: int, b: int) -> tuple[int, int] | None:
    """The speaker phrase in tokens [a, b): leading time words, "لنا" and a quoted outlet
    (لـ"الاقتصادية") skipped, then words up to the next adjunct, comma, dash or bracket."""
    doc, toks = ctx.doc, ctx.doc.tokens
    k = a
    while k < b:
        t = toks[k]
        stop = ctx.hit("stop", k)
        if t.text in _COMMAS or t.text in _DASHES:
            k += 1
        elif stop is not None and stop.cue.cls == "time":
            k = stop.j
        elif ctx.hit("pronoun_obj", k) is not None:
            k += 1
        elif t.key == ctx.lex.li and k + 1 in ctx.region_open:
            k = _tok_after(doc, ctx.region_open[k + 1].end)
        elif ctx.hit("source", k) is not None:  # "وشددت، وفقا لما نقلته الوكالة، على أن"
            while k < b and toks[k].text not in _COMMAS:
                k += 1
        else:
            break
    if k >= b or stop_like(ctx, k, first=True):
        return None
    start = k
    if k in ctx.region_open:  # وقال "كورتز كوبر" نائب ...
        reg = ctx.region_open[k]
        if _words(doc, reg.start, reg.end) > SHORT_REGION:
            return None
        k = _tok_after(doc, reg.end)
    while k < b and k - start < MAX_SPEAKER_TOKENS:
        t = toks[k]
        if t.text in _OPEN_PARENS or t.text in _COMMAS or t.text in _COLONS or t.text in _DASHES \
                or k in ctx.region_open:  # brackets hold an aside: "رفائيل (25 عاما)"
            break
        if t.text in _SENT_PUNCT and not (k > 0 and len(toks[k - 1].text) == 1):  # د.
            break
        if stop_like(ctx, k, first=False) or (k > start and _statement_noun(ctx, k)):
            break
        k += 1
    end = k
    while end > start and not toks[end - 1].is_word:
        end -= 1
    if end <= start or (not toks[start].is_word and start not in ctx.region_open):
        return None
    return start, end


def stop_like(ctx: _Ctx, k: int, first: bool) -> bool:
    """Does token k end (or, ``first``, rule out) a speaker phrase?"""
    if ctx.hit("stop", k) is not None or _occasion_at(ctx, k) or _addressee_at(ctx, k, first):
        return True
    if ctx.doc.tokens[k].text.endswith(_TANWEEN_FATH):  # an adverb: "قال متحسراً"
        return True
    ns = ctx.hit("not_subject", k)
    if first:
        return ns is not None and ctx.prefix(ns) in ("", "و", "ف")
    if ns is not None and ctx.prefix(ns) in ("و", "ف"):  # "المتحدث باسم الوزارة وفي ..."
        return True
    return ctx.hit("pronoun_obj", k) is not None or ctx.hit("source", k) is not None or ctx.cue_at(k) is not None


def _addressee_at(ctx: _Ctx, k: int, first: bool) -> bool:
    """ل + the addressee or medium: "للصحافيين", "لوكالة ...", and "لوزيرة الخارجية" after
    a name or at the start (not "السكرتير الخاص للرئيس", where ل joins the title)."""
    toks = ctx.doc.tokens
    t = toks[k]
    h = ctx.hit("addressee", k)
    if h is not None and "ل" in ctx.prefix(h).replace("ال", ""):  # للصحافيين, not الهيئة
        return True
    if t.key == ctx.lex.li:
        return True
    if not t.key.startswith(ctx.lex.li):
        return False
    m = ctx.actors.at(t.start + 1)
    if m is None or m.start <= t.start or ctx.doc.text[t.start:m.start] not in ("ل", "لل"):
        return False
    if first:
        return True
    prev = ctx.actors.at(toks[k - 1].start) if k > 0 else None
    return prev is not None and prev.kind in _PERSON_KINDS and prev.end == toks[k - 1].end


def _usable(ctx: _Ctx, m: MentionRef) -> bool:
    """Adjectives, bracketed asides and quoted outlet names do not speak; a quoted name of a
    person or an organisation ("«موبايلي»") may."""
    if m.kind == "adjective" or _in_parens(ctx, m.tok_i):
        return False
    if ctx.in_region[m.tok_i]:
        toks = ctx.doc.tokens
        a = ctx.actors.actors[m.actor]
        before = toks[m.tok_i - 2].key if m.tok_i >= 2 else ""
        return a.type in ("PER", "ORG") and m.kind != "capital" and before != ctx.lex.li
    return True


def _in_parens(ctx: _Ctx, k: int) -> bool:
    toks = ctx.doc.tokens
    depth = 0
    j = k - 1
    while j >= 0 and toks[j].sent == toks[k].sent and k - j < 30:
        if toks[j].text in _CLOSE_PARENS:
            depth += 1
        elif toks[j].text in _OPEN_PARENS:
            if depth == 0:
                return True
            depth -= 1
        j -= 1
    return False


def _best_mention(ctx: _Ctx, pa: int, pb: int) -> ActorRef | None:
    """The speaker among the mentions in the phrase: a named person, then a person by title,
    then an organisation or state that heads the phrase or that a spokesperson speaks for."""
    toks = ctx.doc.tokens
    start, end = toks[pa].start, toks[pb - 1].end
    ms = [m for m in ctx.actors.in_span(start, end) if _usable(ctx, m) and not _genitive(ctx, m, pa)]
    if not ms:
        return None
    actors = ctx.actors.actors
    people = [m for m in ms if actors[m.actor].type == "PER"]
    named = [m for m in people if m.kind in _PERSON_KINDS]
    hon = next((h for h in (ctx.hit("honorific", k) for k in range(pa, pb - 1)) if h is not None), None)
    if hon is not None and not any(m.tok_i >= hon.j for m in named):
        # "وكيل الجامعة الدكتور فلان": the name after the honorific, whatever came before
        ref = _honorific_name(ctx, hon, pb)
        if ref is not None:
            return ref
    if named:
        return ctx.actors.ref(named[0])
    if people:
        return _title_and_name(ctx, people[0], pb) or ctx.actors.ref(people[0])
    first = ms[0]
    if first.tok_i == pa:
        return ctx.actors.ref(first)
    spokes = ctx.hit("spokes", pa)
    if spokes is not None and spokes.j == first.tok_i:
        return ctx.actors.ref(first)
    return None


def _genitive(ctx: _Ctx, m: MentionRef, pa: int) -> bool:
    """A mention that completes the phrase's head rather than naming the speaker:
    "السكرتير الخاص للرئيس", "نائب وزير الخارجية", "مركز كارتر"."""
    if m.tok_i == pa:
        return False
    toks = ctx.doc.tokens
    if m.start > toks[m.tok_i].start:  # a clitic (ل، ب) before it
        return True
    prev = m.tok_i - 1
    if ctx.hit("honorific", prev) is not None:
        return False
    if m.kind == "title":
        return True
    if ctx.actors.actors[m.actor].type != "PER":
        return False
    # a name after a bare construct noun: "مركز كارتر", "مكتب نتنياهو", "محامي فلان"
    p = toks[prev]
    return (p.is_word and not p.key.startswith("ال") and p.key not in ctx.lex.connectors
            and ctx.actors.at(p.start) is None)


def _title_and_name(ctx: _Ctx, m: MentionRef, pb: int) -> ActorRef | None:
    """A title with no known holder followed by a name the dictionary does not know
    ("وزير التخطيط المصري أشرف العربي"): the name, with the title as its mention."""
    a = ctx.actors.actors[m.actor]
    if a.actor_id is not None:
        return None
    k = m.tok_j
    name = _name_tokens(ctx, k, pb)
    if name is None:
        return None
    toks = ctx.doc.tokens
    text = ctx.doc.text[toks[name[0]].start:toks[name[1] - 1].end]
    return ActorRef(text, a.country, a.role, None, Span(ctx.doc.text[m.start:m.end], m.start, m.end))


def _name_tokens(ctx: _Ctx, k: int, pb: int) -> tuple[int, int] | None:
    """Two to five plain words at [k, pb) that can be a name (no preposition, cue or stop)."""
    toks = ctx.doc.tokens
    if not 2 <= pb - k <= 5:
        return None
    for t in range(k, pb):
        if not toks[t].is_word or ctx.hit("not_subject", t) or ctx.hit("stop", t) or ctx.cue_at(t):
            return None
    return k, pb


def _fallback_ref(ctx: _Ctx, pa: int, pb: int) -> ActorRef | None:
    """No actor in the phrase: the phrase names the speaker.  Where it shows a person's name
    (after an honorific, after a title and its nationality, before a title) the name is the
    speaker's name and the rest (the title) its mention."""
    doc, toks = ctx.doc, ctx.doc.tokens
    country = _country_in(ctx, pa, pb)
    if pa in ctx.region_open:  # a quoted name
        reg = ctx.region_open[pa]
        s, e = _strip(doc.text, reg.start, reg.end)
        return ActorRef(doc.text[s:e], country, None, None, Span(doc.text[s:e], s, e)) if e > s else None
    (na, nb), (ma, mb) = _name_part(ctx, pa, pb)
    while nb > na and not toks[nb - 1].is_word:
        nb -= 1
    if nb <= na:
        return None
    name = doc.text[toks[na].start:toks[nb - 1].end]
    if not any(ch.isalpha() for ch in name):
        return None
    ms, me = toks[ma].start, toks[mb - 1].end
    return ActorRef(name, country, None, None, Span(doc.text[ms:me], ms, me))


def _name_part(ctx: _Ctx, pa: int, pb: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(name tokens, mention tokens) of a speaker phrase with no actor in it."""
    for k in range(pa, pb - 1):
        h = ctx.hit("honorific", k)
        if h is not None and h.j < pb:
            # "وزير الداخلية اللواء فلان": title as mention; else "اللواء فلان"
            return (h.j, pb), ((pa, k) if k - pa >= 2 else (k, pb))
    kb = ctx.res.kb
    offices = kb.office_matcher.find(ctx.doc, pa, pb)
    if offices:
        first = offices[0]
        if first.i == pa:  # title, its nationality, then a name
            k = first.j
            while k < pb:
                adj = [m.j for m in kb.adjective_matcher.find_all(ctx.doc, k, min(pb, k + 3)) if m.i == k]
                if not adj:
                    break
                k = max(adj)
            if k > first.j and _name_tokens(ctx, k, pb):
                return (k, pb), (pa, k)
        elif first.i >= pa + 2 and not first.prefix and not ctx.doc.tokens[first.i].key.startswith("ال"):
            return (pa, first.i), (first.i, pb)  # "مارك انجت نائب رئيس ..."
    return (pa, pb), (pa, pb)


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _country_in(ctx: _Ctx, a: int, b: int) -> str | None:
    """The country of a nationality adjective in tokens [a, b) ("مسؤول أمريكي" → USA)."""
    toks = ctx.doc.tokens
    for m in ctx.actors.in_span(toks[a].start, toks[b - 1].end):
        if m.kind == "adjective":
            return ctx.actors.actors[m.actor].country
    kb = ctx.res.kb
    for m in kb.adjective_matcher.find_all(ctx.doc, a, b):
        e = kb.get(m.payloads[0])
        if e is not None:
            return e.country
    return None


def _mention_before(ctx: _Ctx, h: _Hit) -> ActorRef | None:
    """SVO: an actor that opens the clause right before a verb with no conjunction
    ("الولايات المتحدة قالت إن"), not the end of a list ("...والعراق وشدد")."""
    if h.cue.kind != "verb" or ctx.prefix(h):
        return None
    toks = ctx.doc.tokens
    k = h.i - 1
    while k >= 0 and toks[k].text in _COMMAS:
        k -= 1
    if k < 0 or toks[k].sent != toks[h.i].sent:
        return None
    m = ctx.actors.at(toks[k].end - 1)
    if m is None or m.end != toks[k].end or not _usable(ctx, m):
        return None
    if m.tok_i > 0 and toks[m.tok_i - 1].sent == toks[h.i].sent and toks[m.tok_i - 1].is_word:
        return None
    return ctx.actors.ref(m)


def _sentence_subject(ctx: _Ctx, f: _Found) -> ActorRef | None:
    """For a verb with no subject: a person named before the sentence's first cue, or an
    actor right after the sentence's first word ("ودانت موسكو ... مؤكدة أن")."""
    doc, toks = ctx.doc, ctx.doc.tokens
    sent = doc.sentences[f.sent]
    first_cue = next((k for k in range(sent.tok_start, f.cue_tok) if _pro_drop(ctx, k)), f.cue_tok)
    person = _first_person(ctx, sent.tok_start, first_cue)
    if person is not None:
        return person
    k0 = sent.tok_start
    if first_cue > k0 + 1 and toks[k0].is_word and not stop_like(ctx, k0, first=True):
        for m in ctx.actors.in_span(toks[k0 + 1].start, toks[k0 + 1].end + 1):
            if m.tok_i == k0 + 1 and _usable(ctx, m):
                return ctx.actors.ref(m)
    return None


def _pro_drop(ctx: _Ctx, k: int) -> bool:
    """A cue at k whose subject is not named after it ("وأشار إلى ...", "وقال إن"): people
    named after it are not the sentence's subject."""
    h = ctx.cue_at(k)
    if h is None:
        return False
    n = h.j
    toks = ctx.doc.tokens
    if n >= len(toks):
        return True
    return toks[n].text in _COLONS or ctx.hit("comp", n) is not None or stop_like(ctx, n, first=True)


def _first_person(ctx: _Ctx, a: int, b: int) -> ActorRef | None:
    """The first person in tokens [a, b): a person mention, or a name after an honorific
    ("الدكتورة فلانة الفلانية") when the dictionary and NER know nobody there."""
    toks = ctx.doc.tokens
    if b <= a:
        return None
    people = [m for m in ctx.actors.in_span(toks[a].start, toks[b - 1].end)
              if _usable(ctx, m) and ctx.actors.actors[m.actor].type == "PER"]
    first = people[0] if people else None
    for k in range(a, first.tok_i if first else b):
        h = ctx.hit("honorific", k)
        if h is not None and not ctx.in_region[k]:
            ref = _honorific_name(ctx, h, b)
            if ref is not None:
                return ref
    if first is None:
        return None
    named = [m for m in people if m.kind in _PERSON_KINDS and m.actor == first.actor]
    return ctx.actors.ref(named[0] if named else first)


def _honorific_name(ctx: _Ctx, h: _Hit, b: int) -> ActorRef | None:
    """The name after an honorific: up to three words, stopping at a stop word, an occasion
    or a further word with the article once two are taken."""
    toks = ctx.doc.tokens
    conn = ctx.lex.connectors
    k = h.j
    main = 0  # words that are not connectors (بن، عبد، آل)
    while k < b and toks[k].is_word and main < 3 and k - h.j < 7:
        joined = k > h.j and toks[k - 1].key in conn
        if not joined and (stop_like(ctx, k, first=False) or ctx.hit("honorific", k) is not None
                           or (main >= 2 and toks[k].key.startswith("ال")) or _occasion_word(ctx, k)):
            break
        main += toks[k].key not in conn
        k += 1
    if k == h.j:
        return None
    text = ctx.doc.text
    name = text[toks[h.j].start:toks[k - 1].end]
    ms, me = toks[h.i].start, toks[k - 1].end
    return ActorRef(name, None, None, None, Span(text[ms:me], ms, me))


def _statement_noun(ctx: _Ctx, k: int) -> bool:
    """An indefinite statement noun, the object after a subject: "أصدرت النقابة بيانا"."""
    key = ctx.doc.tokens[k].key
    return not key.startswith(("ال", "لل", "بال", "وال")) and _occasion_word(ctx, k)


def _occasion_word(ctx: _Ctx, k: int) -> bool:
    return any(x in ctx.lex.occasions for x in _noun_keys(ctx, k))


def _opening_person(ctx: _Ctx, sent_i: int) -> ActorRef | None:
    """A person named in the first words of a sentence (its subject, in VSO order)."""
    if sent_i < 0:
        return None
    s = ctx.doc.sentences[sent_i]
    return _first_person(ctx, s.tok_start, min(s.tok_end, s.tok_start + _OPENING))


def _person_in(ctx: _Ctx, sent_i: int) -> ActorRef | None:
    """The first person of a sentence."""
    if sent_i < 0:
        return None
    s = ctx.doc.sentences[sent_i]
    return _first_person(ctx, s.tok_start, s.tok_end)


def _resolve_speakers(ctx: _Ctx, found: list[_Found]) -> None:
    """A cue that names nobody takes the actor right before the verb, the speaker of an
    earlier quote in the sentence, the sentence's subject, or the one speaking before
    (for a continuation verb, or one or two sentences back); failing all, the person the
    previous sentence is about."""
    last: ActorRef | None = None
    last_sent = -10
    for f in sorted(found, key=lambda f: f.cue_tok):
        if not f.explicit:
            sp = f.svo
            if sp is None and last is not None and last_sent == f.sent:
                sp = last
            if sp is None:
                sp = _sentence_subject(ctx, f)
            at_start = f.cue_tok - ctx.doc.sentences[f.sent].tok_start <= 1
            if sp is None and at_start and last_sent < f.sent - 1:
                # "من جهته، اتهم فلان ... . وأضاف «...»": the one the last sentence is about
                sp = _opening_person(ctx, f.sent - 1)
            if sp is None and last is not None and (f.cls == "continue" or f.sent - last_sent <= 2):
                sp = last
            if sp is None and at_start:
                sp = _person_in(ctx, f.sent - 1)  # "وأوضحت أن ..." after a sentence about her
            f.speaker = sp or last
        if f.speaker is not None:
            last, last_sent = f.speaker, f.sent


def _to_quotes(doc: Doc, found: list[_Found]) -> list[Quote]:
    out: list[Quote] = []
    taken: list[tuple[int, int]] = []
    for f in sorted(found, key=lambda f: f.start):
        if f.end <= f.start or _words(doc, f.start, f.end) < MIN_WORDS:
            continue
        if any(s < f.end and f.start < e for s, e in taken):
            continue
        taken.append((f.start, f.end))
        cue = f.cue.text if f.cue is not None else None
        out.append(Quote(doc.text[f.start:f.end], f.start, f.end, f.kind, cue, f.speaker, f.via))
    return out
