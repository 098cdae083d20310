"""Quotes: direct and reported speech, each with its speaker, found from cue words.

Arabic news attributes speech with a small set of constructions, and this module follows
them rather than learning them:

* a speech verb, its subject, then a complementiser (قال الوزير إن ...), a colon, quote
  marks, or a preposition that opens a noun phrase (أشار إلى وجود ...);
* participles and continuation verbs with no subject (مشيرا إلى أن، وأضاف أن), whose speaker
  is the one just speaking;
* relays (نقلت وكالة X عن Y قوله ...): the speaker is Y, X only carried it;
* words before the verb ("...، كما قال X") and quoted words followed by their attribution
  ("«...»، قال X" / "بحسب X").

The Arabic words live in ``lang/ar/data/quote_cues.yaml``; this file only knows the shapes.
Speakers are the actors that ``actors.py`` found, preferring a named person over a title
and a title over an organisation; when no actor is there but a speaker phrase is ("مصدر
مسؤول"), the phrase itself becomes the speaker, with the country of its nationality
adjective.  Everything is a bounded scan around cue matches, so the cost is linear in the
article's length.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from marsad.actors import ActorIndex, MentionRef
from marsad.lang.base import Language
from marsad.matcher import Match, PhraseMatcher
from marsad.model import ActorRef, Quote, Span
from marsad.resources import Resources
from marsad.text import Doc, QuoteRegion

# How far (in tokens) a verb's subject and its complementiser may lie from the verb, and
# how long a speaker phrase may be.
WINDOW = 40
MAX_SPEAKER_TOKENS = 16
# A quoted stretch with at most this many words is a name or a term, not a quotation,
# unless a cue introduces it directly.
SHORT_REGION = 3
# A reported clause needs at least this many words.
MIN_WORDS = 2

_PERSON_KINDS = ("name", "ner", "surname")
_COLONS = frozenset(":：")
_COMMAS = frozenset("،,")
_OPEN_PARENS = frozenset("([")
_CLOSE_PARENS = frozenset(")]")


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True, slots=True)
class Cue:
    """What a lexicon match means.  ``kind``: verb | participle | noun | statement | comp |
    source | before | block | brk | stop | occasion | addressee | pronoun_obj | honorific |
    spokes | trailing | exclude."""

    kind: str
    lemma: str = ""
    cls: str = "say"
    relay: bool = False
    nominal: tuple[str, ...] = ()


@dataclass
class Lexicon:
    matcher: PhraseMatcher[Cue]
    comp_prefixes: frozenset[str]
    fi_key: str
    li_key: str
    an_keys: frozenset[str]  # عن and its pronoun forms (relay "عنه")
    verb_prefixes: frozenset[str]  # clitics a verb may carry (not ال, ب, ك)


def _inflect(entry: dict[str, Any], infl: dict[str, list[str]]) -> Iterable[tuple[str, str]]:
    """(form, kind) pairs of one verb entry: literal forms plus inflected stems."""
    for f in entry.get("forms") or []:
        yield str(f), "verb"
    if entry.get("past"):
        for s in infl["past"]:
            yield entry["past"] + s, "verb"
    if entry.get("present"):
        for p in infl["present_prefixes"]:
            for s in infl["present_suffixes"]:
                yield p + entry["present"] + s, "verb"
    if entry.get("participle"):
        for s in infl["participle"]:
            yield entry["participle"] + s, "participle"


def _participle_form(form: str, key: str) -> bool:
    # literal forms ending like participles (قائلا، نافية، مبينا) behave like participles
    return key.endswith(("ا", "ه", "ين")) and form[:1] in ("م", "ق", "ن", "د") and len(key) >= 5


def build_lexicon(lang: Language, data: dict[str, Any]) -> Lexicon:
    """Compile quote_cues.yaml into one phrase matcher (one pass over a document)."""
    m: PhraseMatcher[Cue] = PhraseMatcher(lang, article=True, suffixes=True)
    key = lang.normalize_key
    infl = data["inflection"]
    for e in data.get("verbs") or []:
        lemma = str(e["lemma"])
        cls = str(e.get("class", "say"))
        nominal = tuple(key(p) for p in e.get("nominal") or [])
        relay = bool(e.get("relay")) or cls == "relay"
        for form, kind in _inflect(e, infl):
            if kind == "verb" and e.get("forms") and form in e["forms"] and _participle_form(form, key(form)):
                kind = "participle"
            m.add(form, Cue(kind, lemma, cls, relay, nominal))
        for x in e.get("exclude") or []:
            m.add(str(x), Cue("exclude", lemma))
    for n in data.get("nouns") or []:
        m.add(str(n), Cue("noun", str(n), "say"))
    for p in data.get("statement_phrases") or []:
        m.add(str(p), Cue("statement", str(p)))
    for c in data.get("complementisers") or []:
        m.add(str(c), Cue("comp", str(c)))
    for s in data.get("sources") or []:
        m.add(str(s), Cue("source", str(s)))
    for b in data.get("before_verb") or []:
        m.add(str(b), Cue("before", str(b)))
    for b in data.get("blocked_after") or []:
        m.add(str(b), Cue("block", str(b)))
    for b in data.get("clause_breaks") or []:
        m.add(str(b), Cue("brk", str(b)))
    stops = data.get("speaker_stops") or {}
    for group in ("time", "adjunct"):
        for s in stops.get(group) or []:
            m.add(str(s), Cue("stop", str(s), group))
    for s in stops.get("occasion_after_fi") or []:
        m.add(str(s), Cue("occasion", str(s)))
    for s in stops.get("addressee_after_li") or []:
        m.add(str(s), Cue("addressee", str(s)))
    for s in stops.get("pronoun_objects") or []:
        m.add(str(s), Cue("pronoun_obj", str(s)))
    for h in data.get("honorifics") or []:
        m.add(str(h), Cue("honorific", str(h)))
    for s in data.get("spokesperson") or []:
        m.add(str(s), Cue("spokes", str(s)))
    for t in data.get("trailing") or []:
        m.add(str(t), Cue("trailing", str(t)))
    prefixes = frozenset(key(p) for p in data.get("complementiser_prefixes") or [""])
    verb_prefixes = frozenset(key(p) for p in data.get("verb_prefixes") or [""])
    an = frozenset(key(x) for x in data.get("relay_from") or ["عن"])
    return Lexicon(m, prefixes, key("في"), key("ل"), an, verb_prefixes)


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
    """One cue match at token i (the longest of its kind there)."""

    i: int
    j: int
    cue: Cue
    match: Match[Cue]


@dataclass
class _Found:
    """A quote in the making: where its words are and how to find its speaker."""

    start: int  # char offset of the content
    end: int
    kind: str
    cue: Match[Cue] | None
    cue_tok: int  # token index of the cue (for ordering and pro-drop resolution)
    cut: int  # char offset where an earlier quote in the sentence must stop
    sent: int
    speaker: ActorRef | None = None
    explicit: bool = False  # the speaker was named at this cue
    via: ActorRef | None = None
    bounded: bool = False  # end fixed (direct regions), not cut by later cues
    breakable: bool = False  # indirect content: also stops at clause breaks
    svo: ActorRef | None = None  # a mention right before the verb
    before: bool = False  # "...، كما قال X": the content precedes the cue


@dataclass
class _Ctx:
    doc: Doc
    actors: ActorIndex
    res: Resources
    lex: Lexicon
    hits: dict[str, dict[int, _Hit]] = field(default_factory=dict)
    region_open: dict[int, QuoteRegion] = field(default_factory=dict)  # token of opening mark
    in_region: list[bool] = field(default_factory=list)  # token lies inside a quote region
    region_starts: list[int] = field(default_factory=list)

    def hit(self, kind: str, i: int) -> _Hit | None:
        return self.hits.get(kind, {}).get(i)

    def region_of(self, offset: int) -> QuoteRegion | None:
        k = bisect.bisect_right(self.region_starts, offset) - 1
        if k >= 0:
            r = self.doc.quote_regions[k]
            if r.start <= offset < r.end:
                return r
        return None


def _index(doc: Doc, lex: Lexicon) -> dict[str, dict[int, _Hit]]:
    """Lexicon hits by kind and start token, longest first; verbs that are excluded forms or
    that stand inside a longer phrase (قال فيه) are dropped."""
    out: dict[str, dict[int, _Hit]] = {}
    for m in lex.matcher.find_all(doc):
        for cue in m.payloads:
            d = out.setdefault(cue.kind, {})
            old = d.get(m.i)
            if old is None or m.j > old.j:
                d[m.i] = _Hit(m.i, m.j, cue, m)
    key = doc.lang.normalize_key
    for kind in ("verb", "participle"):
        d = out.get(kind, {})
        for i in list(d):
            if i in out.get("exclude", {}) or i in out.get("statement", {}) \
                    or key(d[i].match.prefix) not in lex.verb_prefixes:
                del d[i]
    return out


def extract_quotes(doc: Doc, actors: ActorIndex, res: Resources) -> list[Quote]:
    """Every direct and indirect quote of ``doc`` with its speaker (None when unknown)."""
    if not doc.tokens or not doc.sentences:
        return []
    lex = lexicon(res.lang)
    ctx = _Ctx(doc, actors, res, lex)
    ctx.hits = _index(doc, lex)
    _mark_regions(ctx)
    found = _from_cues(ctx)
    found.extend(_from_regions(ctx, found))
    found.sort(key=lambda f: (f.start, f.cue_tok))
    _set_ends(ctx, found)
    _resolve_speakers(ctx, found)
    return _to_quotes(doc, found)


def _mark_regions(ctx: _Ctx) -> None:
    doc = ctx.doc
    ctx.region_starts = [r.start for r in doc.quote_regions]
    ctx.in_region = [False] * len(doc.tokens)
    for r in doc.quote_regions:
        k = doc.token_at(r.start - 1)
        if k is not None:
            ctx.region_open[k] = r
        for t in doc.tokens_in(r.start, r.end):
            ctx.in_region[t] = True


def _words(doc: Doc, start: int, end: int) -> int:
    return sum(1 for t in doc.tokens_in(start, end) if doc.tokens[t].is_word)


# --------------------------------------------------------------------------- cue scanning


@dataclass
class _Window:
    """What follows a cue: the terminator that opens the content, and the speaker span."""

    how: str = ""  # comp | colon | region | nominal | "" (none)
    content_tok: int = -1  # first token of the content (comp / colon / nominal)
    region: QuoteRegion | None = None
    subj_from: int = -1  # speaker phrase search range [subj_from, subj_to)
    subj_to: int = -1
    via_from: int = -1
    via_to: int = -1
    relay_pronoun: bool = False  # "نقل عنه": speaker = the previous one
    term_at: int = -1  # first token of the terminator (the subject ends before it)
    consumed_to: int = -1  # tokens up to here belong to this cue


def _scan_window(ctx: _Ctx, ci: int, cj: int, cue: Cue, limit: int, subject: bool) -> _Window:
    doc, toks = ctx.doc, ctx.doc.tokens
    w = _Window(subj_from=cj if subject else -1)
    nominal_at = -1
    relay_at = -1
    k = cj
    while k < limit:
        t = toks[k]
        if k > cj and _cue_at(ctx, k) and not (relay_at >= 0 and ctx.hit("noun", k)):
            break
        reg = ctx.region_open.get(k)
        if reg is not None:
            short = _words(doc, reg.start, reg.end) <= SHORT_REGION
            if short and _more_ahead(ctx, reg, limit):
                k = _tok_after(doc, reg.end)
                continue
            w.how, w.region = "region", reg
            w.consumed_to = w.term_at = k
            break
        if t.text in _COLONS:
            w.how, w.content_tok, w.consumed_to, w.term_at = "colon", k + 1, k + 1, k
            break
        comp = ctx.hit("comp", k)
        if comp is not None and _norm_prefix(ctx, comp.match) in ctx.lex.comp_prefixes:
            w.how, w.content_tok, w.consumed_to, w.term_at = "comp", comp.j, comp.j, k
            break
        if cue.relay and relay_at < 0 and t.key in ctx.lex.an_keys:
            relay_at = k
            if len(t.key) > 2:  # عنه، عنها: the speaker was named before
                w.relay_pronoun = True
        if cue.nominal and nominal_at < 0 and t.key in cue.nominal:
            nominal_at = k
        k += 1
    if not w.how and nominal_at >= 0:
        w.how, w.content_tok, w.consumed_to, w.term_at = "nominal", nominal_at + 1, nominal_at + 1, nominal_at
    if w.consumed_to < 0:
        w.consumed_to = w.term_at = k
    end = w.term_at
    if relay_at >= 0 and relay_at < end:
        w.via_from, w.via_to = cj, relay_at
        w.subj_from = relay_at + 1
    if subject or relay_at >= 0:
        w.subj_to = end
    return w


def _norm_prefix(ctx: _Ctx, m: Match[Cue]) -> str:
    return ctx.res.lang.normalize_key(m.prefix)


def _more_ahead(ctx: _Ctx, reg: QuoteRegion, limit: int) -> bool:
    """After a short quoted name, does the window still reach a complementiser or colon?"""
    doc = ctx.doc
    k = _tok_after(doc, reg.end)
    while k < limit:
        if _cue_at(ctx, k):
            return False
        if doc.tokens[k].text in _COLONS or k in ctx.region_open:
            return True
        comp = ctx.hit("comp", k)
        if comp is not None and _norm_prefix(ctx, comp.match) in ctx.lex.comp_prefixes:
            return True
        k += 1
    return False


def _tok_after(doc: Doc, offset: int) -> int:
    """Index of the first token starting at or after ``offset`` (past a closing mark)."""
    k = bisect.bisect_left(doc._starts, offset)
    if k < len(doc.tokens) and doc.tokens[k].start == offset and not doc.tokens[k].is_word:
        k += 1  # the closing mark itself
    return k


def _cue_at(ctx: _Ctx, k: int) -> _Hit | None:
    for kind in ("verb", "participle", "statement", "noun"):
        h = ctx.hit(kind, k)
        if h is not None:
            return h
    return None


def _blocked(ctx: _Ctx, k: int) -> bool:
    """A verb after من / ما / الذي is not an attribution (هناك من يرى أن ...)."""
    if k == 0:
        return False
    prev = ctx.doc.tokens[k - 1]
    if prev.sent != ctx.doc.tokens[k].sent:
        return False
    return any(h.j == k and _norm_prefix(ctx, h.match) in ("", "و", "ف")
               for h in (ctx.hit("block", k - 1), ctx.hit("block", k - 2)) if h)


def _from_cues(ctx: _Ctx) -> list[_Found]:
    doc, toks = ctx.doc, ctx.doc.tokens
    cues: list[_Hit] = []
    for kind in ("verb", "participle", "statement", "noun"):
        cues.extend(ctx.hits.get(kind, {}).values())
    cues.sort(key=lambda h: h.i)
    consumed = -1
    out: list[_Found] = []
    for h in cues:
        if h.i < consumed or ctx.in_region[h.i] or _blocked(ctx, h.i):
            continue
        sent = doc.sentences[toks[h.i].sent]
        limit = min(sent.tok_end, h.j + WINDOW)
        subject = h.cue.kind == "verb"
        w = _scan_window(ctx, h.i, h.j, h.cue, limit, subject)
        f = _content(ctx, h, w, sent)
        if f is None:
            continue
        consumed = w.consumed_to
        f.speaker, f.explicit, f.via = _speaker_from_window(ctx, h, w)
        if not f.explicit:
            f.svo = _mention_before(ctx, h.i)
        out.append(f)
    return out


def _content(ctx: _Ctx, h: _Hit, w: _Window, sent: Any) -> _Found | None:
    """The quote a cue's window opens, or None (no complementiser, colon or marks)."""
    doc, toks = ctx.doc, ctx.doc.tokens
    cut = _cut_point(ctx, h.i)
    base = {"cue": h.match, "cue_tok": h.i, "cut": cut, "sent": sent.i}
    if w.how == "region" and w.region is not None:
        r = w.region
        return _Found(r.start, r.end, "direct", bounded=True, **base)
    if w.how in ("comp", "colon", "nominal"):
        k = w.content_tok
        if k >= sent.tok_end and w.how == "colon":
            return _after_colon_line(ctx, sent, base)
        if k >= sent.tok_end:
            return None
        reg = ctx.region_open.get(k)
        if reg is not None and w.how in ("comp", "colon") and _region_is_content(ctx, reg, sent):
            return _Found(reg.start, reg.end, "direct", bounded=True, **base)
        start = toks[k].start
        if w.how == "colon":
            if reg is not None:  # an opening mark without its pair: skip the mark
                start = reg.start
            elif not toks[k].is_word and toks[k].text in "\"“”«" and k + 1 < sent.tok_end:
                start = toks[k + 1].start
            return _Found(start, sent.end, "direct", **base)
        return _Found(start, sent.end, "indirect", breakable=True, **base)
    # no terminator: "...، كما قال X" — the clause before the verb
    if _before_hit(ctx, h.i) is not None:
        return _Found(sent.start, cut, "indirect", bounded=True, before=True, **base)
    return None


def _after_colon_line(ctx: _Ctx, sent: Any, base: dict[str, Any]) -> _Found | None:
    """"قال الوزير:" at a line end: the words are the next line (or its quoted part)."""
    doc = ctx.doc
    if sent.i + 1 >= len(doc.sentences):
        return None
    nxt = doc.sentences[sent.i + 1]
    k = nxt.tok_start
    reg = ctx.region_open.get(k)
    if reg is not None:
        return _Found(reg.start, reg.end, "direct", bounded=True, **base)
    return _Found(nxt.start, nxt.end, "direct", bounded=True, **base)


def _region_is_content(ctx: _Ctx, reg: QuoteRegion, sent: Any) -> bool:
    """A region right after إن / a colon is the quote itself unless it is a short term
    that the clause goes on after ("قال إن «المنطقة الآمنة» ستسمح ...")."""
    if _words(ctx.doc, reg.start, reg.end) > SHORT_REGION:
        return True
    k = _tok_after(ctx.doc, reg.end)
    words_after = 0
    while k < sent.tok_end and not _cue_at(ctx, k):
        words_after += ctx.doc.tokens[k].is_word
        k += 1
    return words_after <= 2


def _before_hit(ctx: _Ctx, i: int) -> _Hit | None:
    """كما right before the verb (optionally after a comma)."""
    for back in (1, 2):
        h = ctx.hit("before", i - back)
        if h is not None and h.j == i:
            return h
    return None


def _cut_point(ctx: _Ctx, i: int) -> int:
    """Where content before cue ``i`` ends: before the cue, a كما, and a comma."""
    toks = ctx.doc.tokens
    k = i
    b = _before_hit(ctx, i)
    if b is not None:
        k = b.i
    while k > 0 and toks[k - 1].text in _COMMAS and toks[k - 1].sent == toks[i].sent:
        k -= 1
    return toks[k].start


# --------------------------------------------------------------------------- regions


def _from_regions(ctx: _Ctx, found: list[_Found]) -> list[_Found]:
    """Quoted words with the attribution after them ("«...»، قال X", "«...» بحسب X")."""
    doc, toks = ctx.doc, ctx.doc.tokens
    taken = [(f.start, f.end) for f in found]
    out: list[_Found] = []
    for reg in doc.quote_regions:
        if any(s <= reg.start and reg.end <= e for s, e in taken):
            continue
        if any(s <= reg.start < e or s < reg.end <= e for s, e in taken):
            continue
        if _words(doc, reg.start, reg.end) <= SHORT_REGION:
            continue
        k = _tok_after(doc, reg.end)
        while k < len(toks) and toks[k].text in _COMMAS:
            k += 1
        if k >= len(toks):
            continue
        sent = doc.sentences[toks[k].sent] if toks[k].sent >= 0 else None
        if sent is None:
            continue
        h = _cue_at(ctx, k)
        src = ctx.hit("source", k)
        if h is not None and h.cue.kind == "verb" and not _norm_prefix(ctx, h.match):
            limit = min(sent.tok_end, h.j + WINDOW)
            w = _Window(subj_from=h.j, subj_to=_phrase_limit(ctx, h.j, limit))
            f = _Found(reg.start, reg.end, "direct", h.match, h.i, reg.start, sent.i, bounded=True)
            f.speaker, f.explicit, _ = _speaker_from_window(ctx, h, w)
            out.append(f)
        elif src is not None:
            limit = min(sent.tok_end, src.j + MAX_SPEAKER_TOKENS)
            w = _Window(subj_from=src.j, subj_to=_phrase_limit(ctx, src.j, limit))
            f = _Found(reg.start, reg.end, "direct", src.match, src.i, reg.start, sent.i, bounded=True)
            f.speaker, f.explicit, _ = _speaker_from_window(ctx, src, w)
            if f.speaker is not None:
                out.append(f)
    return out


def _phrase_limit(ctx: _Ctx, k: int, limit: int) -> int:
    toks = ctx.doc.tokens
    while k < limit and toks[k].text not in ".؟?!":
        k += 1
    return k


# --------------------------------------------------------------------------- ends


def _set_ends(ctx: _Ctx, found: list[_Found]) -> None:
    """Indirect and colon content runs to the sentence end, the next cue in the sentence,
    or (indirect only) a clause break; then trailing punctuation and conjunctions go."""
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
    doc = ctx.doc
    toks = doc.tokens
    for k in doc.tokens_in(start, end):
        h = ctx.hit("brk", k)
        if h is None or ctx.in_region[k]:
            continue
        if k > 0 and toks[k - 1].text in _COMMAS:
            return toks[k - 1].start
    return end


_TRIM_CHARS = " \t\n،,.:؛;-–—"


def _trim(ctx: _Ctx, start: int, end: int) -> tuple[int, int]:
    text = ctx.doc.text
    while start < end and text[start] in _TRIM_CHARS:
        start += 1
    while True:
        while end > start and text[end - 1] in _TRIM_CHARS:
            end -= 1
        k = ctx.doc.token_at(end - 1) if end > start else None
        if k is None:
            break
        h = ctx.hit("trailing", k)
        tok = ctx.doc.tokens[k]
        if h is not None and h.j == k + 1 and tok.start > start and h.match.start == tok.start:
            end = tok.start
            continue
        break
    return start, end


# --------------------------------------------------------------------------- speakers


def _speaker_from_window(ctx: _Ctx, h: _Hit, w: _Window) -> tuple[ActorRef | None, bool, ActorRef | None]:
    """(speaker, named here?, via) from the tokens after a cue."""
    via = None
    if w.via_from >= 0 and w.via_to > w.via_from:
        via = _phrase_ref(ctx, w.via_from, w.via_to)
    if w.relay_pronoun or w.subj_from < 0 or w.subj_to <= w.subj_from:
        return None, False, via
    ref = _phrase_ref(ctx, w.subj_from, w.subj_to)
    return ref, ref is not None, via


def _phrase_ref(ctx: _Ctx, a: int, b: int) -> ActorRef | None:
    """The speaker named in tokens [a, b): an actor mention, else the phrase itself."""
    span = _speaker_span(ctx, a, b)
    if span is None:
        return None
    pa, pb = span
    doc = ctx.doc
    start, end = doc.tokens[pa].start, doc.tokens[pb - 1].end
    ref = _best_mention(ctx, start, end)
    if ref is not None:
        return ref
    return _fallback_ref(ctx, pa, pb)


def _speaker_span(ctx: _Ctx, a: int, b: int) -> tuple[int, int] | None:
    """The speaker phrase among tokens [a, b): leading adjuncts (time, addressee, a quoted
    outlet) skipped, cut at the next adjunct, comma or bracket."""
    doc, toks = ctx.doc, ctx.doc.tokens
    lex = ctx.lex
    k = a
    # skip what may stand between the verb and its subject
    while k < b:
        t = toks[k]
        if t.text in _COMMAS:
            k += 1
            continue
        stop = ctx.hit("stop", k)
        if stop is not None and stop.cue.cls == "time":
            k = stop.j
            continue
        if ctx.hit("pronoun_obj", k) is not None:
            k += 1
            continue
        if t.key == lex.li_key and k + 1 in ctx.region_open:  # لـ"الاقتصادية"
            k = _tok_after(doc, ctx.region_open[k + 1].end)
            continue
        if _addressee_at(ctx, k) or ctx.hit("stop", k) is not None or _occasion_at(ctx, k):
            return None
        break
    if k >= b:
        return None
    start = k
    # a short quoted name right after the verb: وقال "كورتز كوبر" نائب ...
    if k in ctx.region_open:
        reg = ctx.region_open[k]
        if _words(doc, reg.start, reg.end) > SHORT_REGION:
            return None
        k = _tok_after(doc, reg.end)
    depth = 0
    while k < b and k - start < MAX_SPEAKER_TOKENS:
        t = toks[k]
        if t.text in _OPEN_PARENS:
            depth += 1
        elif t.text in _CLOSE_PARENS:
            depth = max(0, depth - 1)
        elif depth == 0:
            if t.text in _COMMAS or t.text in _COLONS or t.text in ".؟?!" or k in ctx.region_open:
                break
            if k > start and (ctx.hit("stop", k) is not None or ctx.hit("pronoun_obj", k) is not None
                              or ctx.hit("source", k) is not None or _addressee_at(ctx, k)
                              or _occasion_at(ctx, k) or _cue_at(ctx, k)):
                break
        k += 1
    end = k
    while end > start and not toks[end - 1].is_word:
        end -= 1
    if end <= start or not toks[start].is_word and start not in ctx.region_open:
        return None
    return start, end


def _addressee_at(ctx: _Ctx, k: int) -> bool:
    """لـ + a medium or addressee ("للصحافيين", "لوكالة ...", "لوزيرة الخارجية ...")."""
    toks = ctx.doc.tokens
    t = toks[k]
    h = ctx.hit("addressee", k)
    if h is not None and "ل" in h.match.prefix:
        return True
    if t.key == ctx.lex.li_key and k + 1 < len(toks):
        return True
    if t.key.startswith(ctx.lex.li_key):
        m = ctx.actors.at(t.start + 1)
        if m is not None and m.start > t.start and ctx.doc.text[t.start:m.start] in ("ل", "لل", "ول"):
            return True
    return False


def _occasion_at(ctx: _Ctx, k: int) -> bool:
    """في + an occasion ("في كلمته", "في بيان", "في تصريحات")."""
    toks = ctx.doc.tokens
    if toks[k].key != ctx.lex.fi_key or k + 1 >= len(toks):
        return False
    return ctx.hit("occasion", k + 1) is not None


def _usable(ctx: _Ctx, m: MentionRef) -> bool:
    return m.kind != "adjective" and not ctx.in_region[m.tok_i] and not _in_parens(ctx, m.tok_i)


def _in_parens(ctx: _Ctx, k: int) -> bool:
    toks = ctx.doc.tokens
    sent = toks[k].sent
    depth = 0
    j = k - 1
    while j >= 0 and toks[j].sent == sent and k - j < 30:
        if toks[j].text in _CLOSE_PARENS:
            depth += 1
        elif toks[j].text in _OPEN_PARENS:
            if depth == 0:
                return True
            depth -= 1
        j -= 1
    return False


def _best_mention(ctx: _Ctx, start: int, end: int) -> ActorRef | None:
    """The speaker among the mentions in [start, end): a named person, then a person by
    title, then an organisation or state that heads the phrase or that a spokesperson
    speaks for."""
    ms = [m for m in ctx.actors.in_span(start, end) if _usable(ctx, m)]
    if not ms:
        return None
    actors = ctx.actors.actors
    people = [m for m in ms if actors[m.actor].type == "PER"]
    named = [m for m in people if m.kind in _PERSON_KINDS]
    if named:
        return ctx.actors.ref(named[0])
    if people:
        return ctx.actors.ref(people[0])
    first = ms[0]
    if first.start == start:
        return ctx.actors.ref(first)
    k0 = ctx.doc.token_at(start)
    spokes = ctx.hit("spokes", k0) if k0 is not None else None
    if spokes is not None and spokes.j == first.tok_i:
        return ctx.actors.ref(first)
    return None


def _fallback_ref(ctx: _Ctx, a: int, b: int) -> ActorRef | None:
    """No actor: the phrase names the speaker, with the country of a nationality adjective
    in it.  Where the phrase shows a person's name (after an honorific, after a title and
    its adjective, before a title), the name alone is kept: that is how people are named."""
    doc, toks = ctx.doc, ctx.doc.tokens
    if a in ctx.region_open:  # وقال "فلان الفلاني" نائب ...
        reg = ctx.region_open[a]
        s, e = _strip_span(doc.text, reg.start, reg.end)
        text = doc.text[s:e]
        return ActorRef(text, _country_in(ctx, a, b), None, None, Span(text, s, e)) if text else None
    pa, pb = _name_part(ctx, a, b)
    while pb > pa and not toks[pb - 1].is_word:
        pb -= 1
    if pb <= pa:
        return None
    start, end = toks[pa].start, toks[pb - 1].end
    text = doc.text[start:end]
    if not any(ch.isalpha() for ch in text):
        return None
    return ActorRef(text, _country_in(ctx, a, b), None, None, Span(text, start, end))


def _name_part(ctx: _Ctx, a: int, b: int) -> tuple[int, int]:
    doc = ctx.doc
    for k in range(a, b - 1):
        h = ctx.hit("honorific", k)
        if h is not None and h.j < b:
            return h.j, b
    kb = ctx.res.kb
    offices = kb.office_matcher.find(doc, a, b)
    if not offices:
        return a, b
    first = offices[0]
    if first.i == a:  # title, its nationality adjective, then (maybe) a name
        k = first.j
        while k < b:
            adj = [m for m in kb.adjective_matcher.find_all(doc, k, min(b, k + 3)) if m.i == k]
            if not adj:
                break
            k = max(m.j for m in adj)
        if k > first.j and b - k >= 2:
            return k, b
        return a, b
    if first.i >= a + 2:  # "مارك انجت نائب رئيس ..."
        return a, first.i
    return a, b


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _country_in(ctx: _Ctx, a: int, b: int) -> str | None:
    doc = ctx.doc
    start, end = doc.tokens[a].start, doc.tokens[b - 1].end
    for m in ctx.actors.in_span(start, end):
        if m.kind == "adjective":
            return ctx.actors.actors[m.actor].country
    kb = ctx.res.kb
    for m in kb.adjective_matcher.find_all(doc, a, b):
        e = kb.get(m.payloads[0])
        if e is not None:
            return e.country
    return None


def _mention_before(ctx: _Ctx, i: int) -> ActorRef | None:
    """The subject right before the verb ("والولايات المتحدة، قالت إن")."""
    toks = ctx.doc.tokens
    k = i - 1
    while k >= 0 and toks[k].text in _COMMAS:
        k -= 1
    if k < 0 or toks[k].sent != toks[i].sent:
        return None
    m = ctx.actors.at(toks[k].end - 1)
    if m is not None and _usable(ctx, m) and m.end == toks[k].end:
        return ctx.actors.ref(m)
    return None


def _sentence_subject(ctx: _Ctx, f: _Found) -> ActorRef | None:
    """For a verb with no subject: the first person in its sentence before it, or an actor
    at the very start of the sentence ("ودانت موسكو ... مؤكدة أن")."""
    doc = ctx.doc
    sent = doc.sentences[f.sent]
    end = doc.tokens[f.cue_tok].start
    actors = ctx.actors.actors
    for m in ctx.actors.in_span(sent.start, end):
        if not _usable(ctx, m):
            continue
        if actors[m.actor].type == "PER" or m.tok_i - sent.tok_start <= 2:
            return ctx.actors.ref(m)
    return None


def _resolve_speakers(ctx: _Ctx, found: list[_Found]) -> None:
    """Quotes whose cue names nobody take the speaker just before the verb, the speaker of
    an earlier quote in the same sentence, the sentence's subject, or the last speaker."""
    last: ActorRef | None = None
    last_sent = -1
    order = sorted(found, key=lambda f: f.cue_tok)
    for f in order:
        if not f.explicit:
            if f.svo is not None:
                f.speaker = f.svo
            elif last is not None and last_sent == f.sent:
                f.speaker = last
            else:
                f.speaker = _sentence_subject(ctx, f) or last
        if f.speaker is not None:
            last, last_sent = f.speaker, f.sent


def _to_quotes(doc: Doc, found: list[_Found]) -> list[Quote]:
    out: list[Quote] = []
    seen: list[tuple[int, int]] = []
    for f in sorted(found, key=lambda f: f.start):
        if f.end <= f.start or _words(doc, f.start, f.end) < MIN_WORDS:
            continue
        if any(s < f.end and f.start < e for s, e in seen):
            continue
        seen.append((f.start, f.end))
        cue = f.cue.text if f.cue is not None else None
        out.append(Quote(doc.text[f.start:f.end], f.start, f.end, f.kind, cue, f.speaker, f.via))
    return out
