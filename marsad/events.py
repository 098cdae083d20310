"""Events: who did what to whom, how it is reported (mode) and when.

How it works, per sentence:

1. **Triggers.**  One :class:`~marsad.matcher.PhraseMatcher` holds every verbal and nominal
   form of the language's trigger lexicon (``lang/<code>/data/event_triggers.yaml``; regular
   verbs are inflected from the data file's affix rules).  A match counts when its clitics
   suit its kind (verbs never take the article, nouns never the future prefix) and the
   entry's context conditions hold (``requires`` words nearby, ``not_after``/``not_before``).
2. **Arguments.**  The sentence's actor mentions are grouped ("روسيا وكوريا الشمالية" is one
   coordinated group) and each group notes the preposition that governs it.  Verbs take
   their subject from a group right before them (SVO) or after them (VSO), their target from
   the next group that is a direct object or follows one of the entry's prepositions; an
   object pronoun ("اتهمتها") points back to the nearest group before.  Nouns take the
   genitive ("زيارة الزعيم الكوري") as source or target (per entry), "من"/"على يد" for the
   agent, and the subject of a light or "undergoer" verb ("تخضع روسيا لعقوبات": target
   Russia, source unknown).  "بين X و Y" gives both directions.
3. **Mode** from ``modality.yaml``: denial scope > negation > future > hypothetical >
   claimed (inside a quote, pointing at it, or in the complement of an accusation) >
   asserted.
4. **Date**: the time expression of the event's own sentence nearest to the trigger; else
   the publication date when the sentence says "today"-like present tense; else null.

A dyadic event (a visit, aid, an accusation) that names only one side takes the article's
dominant country (at least 3 and 40% of the country mentions) as the other: news about
Yemen that says "aid arrived under Emirati protection" is aid to Yemen.

Events whose source and target are both unknown are dropped (they stay available for
sentence-level detection with ``keep_unknown=True``); an unknown source is an
:class:`ActorRef` whose name is the Arabic phrase and whose country is null.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from marsad import cameo, occurrence
from marsad.lang.base import Language
from marsad.matcher import Match, PhraseMatcher, phrase_keys
from marsad.model import ActorRef, Event, Quote, Span, TimeExpr
from marsad.text import Doc, Sentence
from marsad.times import date_for_span

# How far (in tokens) the argument finder looks.
_SUBJ_AFTER = 6  # VSO subject after the verb
_SUBJ_BEFORE = 12  # subject before a verb / light verb before a noun
_TARGET_AFTER = 12
_TARGET_BEFORE = 8
_GENITIVE_GAP = 2
_ALT_WINDOW = 6
NEWS_DAYS = 3  # how far before publication the story's own day may lie


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True, slots=True)
class _Form:
    """A trigger form as stored in the matcher."""

    entry: int
    kind: str  # verb | noun
    present: bool
    last_key: str  # key of the form's last token, to tell a pronoun suffix
    participle: bool = False  # "متهماً": a circumstantial participle with the main subject


@dataclass(frozen=True)
class _Entry:
    id: str
    type: str
    cameo: str
    direct: bool
    preps: frozenset[str]
    genitive_source: bool
    symmetric: bool
    requires: frozenset[str]
    excludes: frozenset[str]
    window: int
    not_after: frozenset[str]
    not_before: frozenset[str]
    alt: tuple[tuple[frozenset[str], str, str, int], ...]
    verb_prep_only: bool
    outcome: bool = False
    surface_has: str = ""
    passive_before: frozenset[str] = frozenset()
    home_target: bool = False
    place_genitive_target: bool = False
    about_others: bool = False


@dataclass
class _Lexicon:
    lang: Language
    entries: list[_Entry]
    matcher: PhraseMatcher[_Form]
    cues: PhraseMatcher[str]
    verb_prefixes: frozenset[str]
    noun_prefixes: frozenset[str]
    preps: frozenset[str]
    clitic_preps: frozenset[str]
    coordinators: frozenset[str]
    svo_gap: frozenset[str]
    clause_ends: frozenset[str]
    barriers: frozenset[str]
    hard_barriers: frozenset[str]
    forward_stops: frozenset[str]
    scope_stops: frozenset[str]
    relatives: frozenset[str]
    demonstratives: frozenset[str]
    complementizers: frozenset[str]
    complement_aux: frozenset[str]
    undergoer_window: int
    noun_agent_preps: frozenset[str]
    domestic: frozenset[str]
    speaker_source: frozenset[str]
    speech_acts: frozenset[str]
    noun_governors: frozenset[str]
    home_target: frozenset[str]
    object_preps: frozenset[str]
    construct_heads: frozenset[str]
    agentive_verbs: frozenset[str]
    one_sided: frozenset[str]
    no_target: frozenset[str]
    neg_window: int
    neg_not_followed: frozenset[str]
    fut_window: int
    fut_after_window: int
    fut_prefixes: frozenset[str]
    hyp_window: int
    occ_window: int
    occ_rel_window: int
    occ_background: frozenset[str]
    clause_openers: frozenset[str]
    resumptive_verbs: frozenset[str]
    accusative: str = ""
    stems: dict[str, frozenset[str]] = field(default_factory=dict)

    def stem_set(self, key: str) -> frozenset[str]:
        """A token key and its clitic-stripped variants (memoised)."""
        s = self.stems.get(key)
        if s is None:
            vs = {v for _n, v in self.lang.prefix_variants(key, True)}
            if self.accusative:  # "صاروخا" is "صاروخ" in the accusative
                vs |= {v[: -len(self.accusative)] for v in vs
                       if v.endswith(self.accusative) and len(v) > len(self.accusative) + 2}
            s = frozenset(vs)
            if len(self.stems) < 100_000:
                self.stems[key] = s
        return s


def _keys(words: Iterable[str], lang: Language) -> frozenset[str]:
    out = set()
    for w in words:
        k = " ".join(phrase_keys(str(w), lang))
        if k:
            out.add(k)
            out.add(lang.strip_article(k))
    return frozenset(out)


def _inflect(word: str, rules: Sequence[dict[str, Any]]) -> list[str]:
    for r in rules:
        end = r.get("ending", "")
        if word.endswith(end):
            stem = word[: len(word) - int(r.get("strip", 0))] if r.get("strip") else word
            return [stem + a for a in r.get("add", [""])]
    return [word]


def _verb_forms(pair: str, infl: dict[str, Any]) -> list[tuple[str, bool]]:
    """All persons of a regular verb given as "PAST PRESENT"; (form, is_present)."""
    parts = pair.split()
    past = parts[0]
    out = [(f, False) for f in _inflect(past, infl.get("past", []))]
    if len(parts) > 1:
        pres = parts[1]
        body = pres[1:] if pres[:1] == "ي" else pres
        for pre in infl.get("present_prefixes", ["ي"]):
            out.extend((f, True) for f in _inflect(pre + body, infl.get("present", [])))
    return out


def _noun_forms(noun: str, infl: dict[str, Any]) -> list[str]:
    out = [noun]
    acc = infl.get("noun_accusative")
    if acc and " " not in noun and not any(noun.endswith(e) for e in infl.get("noun_no_accusative_endings", [])):
        out.append(noun + acc)
    # the stem a possessive attaches to: زيارة → زيارت(ه)، جولة → جولت(ه)
    for end, before_suffix in (infl.get("noun_suffix_stems") or {}).items():
        if " " not in noun and noun.endswith(end):
            out.append(noun[: -len(end)] + before_suffix)
    return out


def _lexicon(lang: Language) -> _Lexicon:
    cache = lang.cache
    lex = cache.get("events.lexicon")
    if lex is None:
        lex = _build_lexicon(lang)
        cache["events.lexicon"] = lex
    return lex


def _build_lexicon(lang: Language) -> _Lexicon:
    data = lang.data("event_triggers.yaml") or {}
    mod = lang.data("modality.yaml") or {}
    infl = data.get("inflection", {})
    wordsets = {k: list(v) for k, v in (data.get("wordsets") or {}).items()}

    def expand(words: Iterable[str]) -> list[str]:
        out: list[str] = []
        for w in words or []:
            w = str(w)
            if w.startswith("@"):
                if w[1:] not in wordsets:
                    raise ValueError(f"event_triggers.yaml: unknown word set {w!r}")
                out.extend(wordsets[w[1:]])
            else:
                out.append(w)
        return out

    key = lang.normalize_key
    matcher: PhraseMatcher[_Form] = PhraseMatcher(lang, article=True, suffixes=True)
    entries: list[_Entry] = []
    for k, e in enumerate(data.get("entries") or []):
        if not isinstance(e, dict) or not e.get("type") or not e.get("cameo"):
            raise ValueError(f"event_triggers.yaml: entry {k} needs type and cameo")
        target = [str(t) for t in e.get("target") or []]
        alts = []
        for a in e.get("alt") or []:
            alts.append((_keys(expand(a.get("words", [])), lang), str(a["type"]), str(a["cameo"]),
                         int(a.get("window", _ALT_WINDOW))))
        entries.append(_Entry(
            id=str(e.get("id", k)), type=str(e["type"]), cameo=str(e["cameo"]),
            direct="direct" in target,
            preps=frozenset(key(t) for t in target if t != "direct"),
            genitive_source=e.get("genitive", "source") == "source",
            symmetric=bool(e.get("symmetric")),
            requires=_keys(expand(e.get("requires", [])), lang),
            excludes=_keys(expand(e.get("excludes", [])), lang),
            window=int(e.get("window", 6)),
            not_after=_keys(expand(e.get("not_after", [])), lang),
            not_before=_keys(expand(e.get("not_before", [])), lang),
            alt=tuple(alts),
            verb_prep_only=bool(e.get("verb_target_prep_only")),
            outcome=bool(e.get("outcome")),
            surface_has=str(e.get("surface_has") or ""),
            passive_before=_keys(expand(e.get("passive_before", [])), lang),
            home_target=bool(e.get("home_target")),
            place_genitive_target=e.get("place_genitive") == "target",
            about_others=bool(e.get("about_others")),
        ))
        idx = len(entries) - 1
        for pair in e.get("verbs") or []:
            for form, present in _verb_forms(str(pair), infl):
                _add_form(matcher, form, idx, "verb", present, lang)
        for form in e.get("forms") or []:
            form = str(form)
            _add_form(matcher, form, idx, "verb", key(form)[:1] == "ي", lang)
        for form in e.get("participles") or []:
            _add_form(matcher, str(form), idx, "verb", False, lang, participle=True)
        for noun in e.get("nouns") or []:
            for form in _noun_forms(str(noun), infl):
                _add_form(matcher, form, idx, "noun", False, lang)

    cues: PhraseMatcher[str] = PhraseMatcher(lang, article=False, suffixes=True)
    neg = mod.get("negation") or {}
    fut = mod.get("future") or {}
    hyp = mod.get("hypothetical") or {}
    frames = mod.get("frames") or {}
    occ = mod.get("occurrence") or {}
    # the future of a light verb before a noun: "ستفرض عقوبات", "سيعقد اجتماعا"
    fut_light = []
    for pair in fut.get("light_verbs") or []:
        for form, present in _verb_forms(str(pair), infl):
            if present:
                fut_light.extend(p + form for p in fut.get("prefix", []))
    for label, words in (
        ("neg", neg.get("words")), ("deny", (mod.get("denial") or {}).get("words")),
        ("fut", list(fut.get("before") or []) + fut_light), ("fut_after", fut.get("after")),
        ("hyp", hyp.get("before")), ("hyp_present", hyp.get("before_present")),
        ("claim", (mod.get("claim") or {}).get("words")),
        ("agent", frames.get("agent_markers")), ("undergoer", frames.get("undergoer_verbs")),
        ("between", frames.get("between")), ("occur", occ.get("verbs")),
        ("bare", frames.get("bare_agents")), ("own", frames.get("own_forces")),
    ):
        for w in words or []:
            cues.add(str(w), label)
    prefixes = data.get("prefixes") or {}
    return _Lexicon(
        lang=lang, entries=entries, matcher=matcher, cues=cues,
        verb_prefixes=frozenset(key(p) for p in prefixes.get("verb", [""])),
        noun_prefixes=frozenset(key(p) for p in prefixes.get("noun", [""])),
        preps=frozenset(key(p) for p in frames.get("prepositions", [])),
        clitic_preps=frozenset(key(p) for p in frames.get("clitic_prepositions", [])),
        coordinators=frozenset(key(p) for p in frames.get("coordinators", [])),
        svo_gap=frozenset(key(p) for p in frames.get("svo_gap", [])),
        clause_ends=frozenset(key(p) for p in frames.get("clause_ends", [])),
        barriers=frozenset(key(p) for p in frames.get("barriers", [])),
        hard_barriers=frozenset(key(p) for p in frames.get("barriers", []) if p not in ("،", ",")),
        forward_stops=frozenset(key(p) for p in frames.get("forward_stops", [])),
        scope_stops=frozenset(key(p) for p in frames.get("scope_stops", [])),
        relatives=frozenset(key(p) for p in frames.get("relatives", [])),
        demonstratives=frozenset(key(p) for p in frames.get("demonstratives", [])),
        complementizers=frozenset(key(p) for p in frames.get("complementizers", [])),
        complement_aux=frozenset(key(p) for p in frames.get("complement_aux", [])),
        undergoer_window=int(frames.get("undergoer_window", 6)),
        noun_agent_preps=frozenset(key(p) for p in frames.get("noun_agent_prepositions", [])),
        domestic=frozenset(data.get("domestic_types") or ()),
        speaker_source=frozenset(data.get("speaker_as_source_types") or ()),
        speech_acts=frozenset(data.get("speech_act_types") or ()),
        noun_governors=_keys(frames.get("noun_governors", []), lang),
        home_target=frozenset(data.get("home_target_types") or ()),
        object_preps=frozenset(key(p) for p in frames.get("object_prepositions", [])),
        construct_heads=frozenset(key(p) for p in frames.get("construct_heads", [])),
        agentive_verbs=_keys(frames.get("agentive_verbs", []), lang),
        one_sided=frozenset(data.get("one_sided_types") or ()),
        no_target=frozenset(data.get("no_target_types") or ()),
        neg_window=int(neg.get("window", 3)),
        neg_not_followed=_keys(neg.get("not_followed_by", []), lang),
        fut_window=int(fut.get("window", 6)),
        fut_after_window=int(fut.get("after_window", 3)),
        fut_prefixes=frozenset(key(p) for p in fut.get("prefix", [])),
        hyp_window=int(hyp.get("window", 6)),
        occ_window=int(occ.get("window", 4)),
        occ_rel_window=int(occ.get("relative_window", 2)),
        accusative=key(str(infl.get("noun_accusative", ""))),
        occ_background=_keys(occ.get("background_before", []), lang),
        clause_openers=_keys(occ.get("clause_openers", []), lang),
        resumptive_verbs=frozenset(k for k in _keys(occ.get("verbs", []), lang) if k.endswith(("ه", "ها"))),
    )


def _add_form(m: PhraseMatcher[_Form], form: str, entry: int, kind: str, present: bool, lang: Language,
              participle: bool = False) -> None:
    keys = phrase_keys(form, lang)
    if keys:
        m.add(form, _Form(entry, kind, present, keys[-1], participle))


def lexicon_size(lang: Language) -> int:
    """Number of trigger forms compiled for ``lang`` (for tests and reports)."""
    return _lexicon(lang).matcher.size


# --------------------------------------------------------------------------- arguments


@dataclass
class _Member:
    ref: ActorRef
    country: str | None
    actor: int  # index in ActorIndex.actors, -1 for the quote speaker
    type: str
    kind: str = "name"  # how it is mentioned here: name | adjective | title | capital ...


@dataclass
class _Group:
    """Coordinated actor mentions: "روسيا وكوريا الشمالية" (members in text order)."""

    members: list[_Member]
    i: int  # first token
    j: int  # one past the last token
    prep: str | None  # governing preposition of the first member
    between: bool = False
    weak: str | None = None  # a preposition over a noun in construct ("إلى العاصمة الروسية")

    def governed_by(self, preps: frozenset[str]) -> bool:
        return (self.prep or self.weak) in preps


@dataclass
class _Trig:
    m: Match[_Form]
    form: _Form
    entry: _Entry
    suffix: bool  # carries an object/possessive pronoun
    prefix: str  # normalised proclitic
    plural: bool = False  # the pronoun suffix is plural (هم، هن، هما)
    ambiguous: bool = False  # the same letters are also a noun of the lexicon (قتل، خطف، دعم)


def _mention_prep(doc: Doc, mention: Any, sent: Sentence, lex: _Lexicon, trig_tokens: set[int]) -> str | None:
    """The preposition that governs a mention: a clitic on it, or the word(s) before it."""
    key = lex.lang.normalize_key
    tok = doc.tokens[mention.tok_i]
    if mention.start > tok.start:
        pre = key(doc.text[tok.start:mention.start])
        if pre[:1] in ("و", "ف"):
            pre = pre[1:]
        if pre[:1] in lex.clitic_preps:
            return pre[:1]
    k = mention.tok_i - 1
    if k < sent.tok_start:
        return None
    pk = doc.tokens[k].key
    if pk in lex.preps:
        return pk
    if pk[:1] in ("و", "ف") and pk[1:] in lex.preps:
        return pk[1:]
    # one word carrying a clitic preposition before the mention: "لشرق روسيا"
    if k not in trig_tokens and doc.tokens[k].is_word:
        base = pk[1:] if pk[:1] in ("و", "ف") and len(pk) > 4 else pk
        if base[:1] == "ل" and len(base) >= 4:
            return "ل"
    return None


def _construct_prep(doc: Doc, mention: Any, sent: Sentence, lex: _Lexicon, trig_tokens: set[int]) -> str | None:
    """A preposition two words back, over a noun in construct: "إلى العاصمة الروسية".

    Weaker than a governing preposition: it can make the mention a prepositional target,
    but does not stop it from being a subject or a direct object."""
    k = mention.tok_i - 1
    if k - 1 < sent.tok_start or k in trig_tokens or not doc.tokens[k].is_word:
        return None
    pk = doc.tokens[k].key
    if pk in lex.barriers or pk in lex.relatives or pk in lex.demonstratives or pk in lex.preps:
        return None
    ppk = doc.tokens[k - 1].key
    if ppk[:1] in ("و", "ف") and ppk[1:] in lex.preps:
        ppk = ppk[1:]
    return ppk if ppk in lex.preps and ppk != "بين" else None


def _parallel_clause(doc: Doc, m: Any, ments: list[Any], g: _Group, sent: Sentence) -> bool:
    """``و Y`` opens a parallel clause, not a list, when Y is followed by the same word as an
    earlier actor outside the list: "موسكو بسبب هجومها على أوكرانيا وبيونغيانغ بسبب
    اختبارها" — Pyongyang is not a second target of the attack (gapping)."""
    j = m.tok_j
    if j >= sent.tok_end or not doc.tokens[j].is_word:
        return False
    nxt = doc.tokens[j].key
    for p in ments:
        if p.tok_i >= g.i:
            break
        if p.tok_j < sent.tok_end and doc.tokens[p.tok_j].key == nxt:
            return True
    return False


def _groups(doc: Doc, actors: Any, sent: Sentence, lex: _Lexicon, trig_tokens: set[int]) -> list[_Group]:
    out: list[_Group] = []
    ments = [m for m in actors.in_span(sent.start, sent.end)]
    # a word of another mention is no clitic preposition before this one: "في لبنان قوات"
    blocked = trig_tokens | {k for m in ments for k in range(m.tok_i, m.tok_j)} if ments else trig_tokens
    last_end = -1
    for m in ments:
        if m.start < last_end:  # nested: keep the outer mention
            continue
        last_end = m.end
        actor = actors.actors[m.actor]
        mem = _Member(actors.ref(m), actor.country, m.actor, actor.type, m.kind)
        prep = _mention_prep(doc, m, sent, lex, blocked)
        if out:
            g = out[-1]
            gap = [doc.tokens[t].key for t in range(g.j, m.tok_i)]
            tok = doc.tokens[m.tok_i]
            clitic = lex.lang.normalize_key(doc.text[tok.start:m.start])
            if any(x.actor == m.actor for x in g.members) and (not gap or all(k in lex.coordinators for k in gap)):
                g.j = max(g.j, m.tok_j)
                continue
            coordinated = (gap and all(k in lex.coordinators for k in gap)) or (
                not gap and clitic[:1] == "و") or (
                # "... وممثلي الأمم المتحدة"، "السعودية ودول مجلس التعاون": و and a noun in construct
                len(gap) == 1 and gap[0][:1] == "و" and gap[0][1:] in lex.construct_heads)
            if coordinated and _parallel_clause(doc, m, ments, g, sent):
                coordinated = False
            if coordinated:
                g.members.append(mem)
                g.j = m.tok_j
                continue
        weak = None if prep else _construct_prep(doc, m, sent, lex, trig_tokens)
        out.append(_Group([mem], m.tok_i, m.tok_j, prep, between=prep == "بين", weak=weak))
    return out


def _pronominal_groups(doc: Doc, actors: Any, sent: Sentence, groups: list[_Group], cues: list[Match[str]],
                       topic: _Member | None, quotes: list[Quote], lex: _Lexicon,
                       trig_tokens: set[int]) -> list[_Group]:
    """Actors named by no name, added among the groups:

    - institutions and groups without a country ("عزل الجيش الرئيس"، "واتهم معارضون"): in news
      they belong to the country the article is about (``bare_agents``);
    - forces named by a possessive pronoun ("إن قواته اعتقلت"، "طائراتها قصفت"): they act for
      the nearest earlier actor of the sentence that is no prepositional phrase, or in a
      quote with no such actor, for its speaker (``own_forces``)."""
    from marsad.actors import MentionRef

    added: list[_Group] = []
    for c in cues:
        k = c.i
        tok = doc.tokens[k]
        if c.j != k + 1 or k in trig_tokens or any(g.i <= k < g.j for g in groups):
            continue  # inside a mention ("الجيش الروسي") or a trigger
        owner: _Member | None = None
        kind = "own" if "own" in c.payloads else "bare"
        if kind == "bare":
            nxt = next((g for g in groups if g.i == k + 1), None)
            if topic is None or (nxt is not None and (nxt.members[0].kind == "adjective" or (
                    "ال" not in tok.key[:4] and not tok.key.endswith(("ون", "ين"))))):
                # "معارضين سوريين": an adjective names the country; "حكومة اليمن": a noun in
                # construct (never "معارضون") with the country after it
                continue
            owner = topic
        else:
            owner = next((m for g in reversed(groups) if g.j <= k and g.prep is None for m in g.members
                          if m.country), None)
            if owner is None:
                qi = _quote_of(tok.start, quotes)
                owner = _speaker(quotes[qi], actors) if qi is not None else None
            if owner is None or not owner.country:
                continue
        mem = _Member(dataclasses.replace(owner.ref, mention=Span(tok.text, tok.start, tok.end)), owner.country,
                      owner.actor, owner.type, kind)
        prep = _mention_prep(doc, MentionRef(tok.start, tok.end, owner.actor, kind, k, k + 1), sent, lex,
                             trig_tokens)
        added.append(_Group([mem], k, k + 1, prep, between=prep == "بين"))
    if not added:
        return groups
    return sorted(groups + added, key=lambda g: g.i)


def _locate(doc: Doc, groups: list[_Group]) -> None:
    """"الناشط X في دمشق": a person or body of no known country takes the country of the
    place right after it (in place)."""
    for n, g in enumerate(groups[:-1]):
        m = g.members[-1]
        if m.country or m.type not in ("PER", "ORG"):
            continue
        nxt = groups[n + 1]
        if nxt.prep == "في" and nxt.i - g.j <= 1 and nxt.members[0].type in ("LOC", "GPE") and nxt.members[0].country \
                and not nxt.members[0].country.startswith("IGO:"):
            g.members[-1] = dataclasses.replace(m, country=nxt.members[0].country,
                                                ref=dataclasses.replace(m.ref, country=nxt.members[0].country))


@dataclass
class _Done:
    """A trigger already handled in this sentence, with the arguments it got."""

    trig: _Trig
    srcs: list[_Member]
    tgts: list[_Member]
    accused: bool = False  # its source came from an accusation ("اتهمتها X بتزويد")
    end: int = 0  # last token of the trigger and its arguments


# --------------------------------------------------------------------------- main


@dataclass
class _Item:
    """One trigger of a sentence with everything the event needs, before dates and pairs."""

    trig: _Trig
    etype: str
    code: str
    srcs: list[_Member]
    tgts: list[_Member]
    pairs: list[tuple[_Member | None, _Member | None]] | None
    mode: str
    quote: int | None
    occurs: bool


def _sentences(doc: Doc, actors: Any, quotes: list[Quote], lex: _Lexicon, keep_unknown: bool
               ) -> Iterable[tuple[Sentence, list[Match[str]], list[_Item]]]:
    """Each sentence with a trigger, its mode/frame cues and its triggers with arguments."""
    trigs = _find_triggers(doc, lex)
    if not trigs:
        return
    by_sent: dict[int, list[_Trig]] = {}
    for t in trigs:
        by_sent.setdefault(doc.tokens[t.m.i].sent, []).append(t)
    accusations: list[tuple[int, list[_Member], list[_Member]]] = []
    topic = _topic(actors) if actors is not None else None
    for si, ts in sorted(by_sent.items()):
        if si < 0:
            continue
        sent = doc.sentences[si]
        trig_tokens = {k for t in ts for k in range(t.m.i, t.m.j)}
        verbs = frozenset(t.m.i for t in ts if t.form.kind == "verb")
        groups = _groups(doc, actors, sent, lex, trig_tokens) if actors is not None else []
        # mode and frame words only matter in sentences that have a trigger
        scues = lex.cues.find_all(doc, sent.tok_start, sent.tok_end)
        _locate(doc, groups)
        pronominal = [c for c in scues if "bare" in c.payloads or "own" in c.payloads]
        if pronominal and actors is not None:
            groups = _pronominal_groups(doc, actors, sent, groups, pronominal, topic, quotes, lex, trig_tokens)
        if not keep_unknown and not any(m.country for g in groups for m in g.members) and not any(
                q.start < sent.end and sent.start < q.end for q in quotes):
            continue  # no known actor and no speaker: nothing this sentence could report
        done: list[_Done] = []
        items: list[_Item] = []
        for t in ts:
            if any(g.i <= t.m.i and t.m.j <= g.j for g in groups):
                continue  # a word of an actor's name: "مجلس التعاون"، "منظمة التحرير"
            srcs, tgts, pairs, accused = _arguments(doc, sent, t, groups, scues, lex, done, verbs)
            if srcs and t.form.kind == "noun" and not accused and _spoken_of(t, srcs, done, lex):
                srcs = []  # "أدانت الأردن الهجوم على السفارة": the condemner did not attack
            qi = _quote_of(t.m.start, quotes)
            if not srcs and tgts and qi is not None and t.entry.type in lex.speaker_source:
                sp = _speaker(quotes[qi], actors)
                if sp is not None and sp.country:  # a speaker of unknown affiliation names nobody
                    srcs = [sp]
            if srcs and not tgts and pairs is None and t.entry.type == "REJECT":
                tgts = _accuser(srcs, accusations, si)  # "لكن موسكو تنفي ذلك"
            done.append(_Done(t, srcs, tgts, accused, _arg_end(t, groups, srcs, tgts)))
            if not keep_unknown and _asked(doc, sent, t):
                continue  # "لماذا لم تفجر داعش في إيران؟": a question reports nothing
            if not keep_unknown and t.form.kind == "noun" and _definite(t) and not t.entry.outcome \
                    and pairs is None and not any(m.ref.mention and m.ref.mention.start >= t.m.end for m in srcs + tgts):
                continue  # "خلال الاستقبال": a definite noun with no argument of its own names an event already told
            etype, code = _retype(doc, t, lex)
            if etype == "ACCUSE" and srcs and tgts:
                accusations.append((si, srcs, tgts))
            mode = _mode(doc, t, scues, lex, qi)
            if mode == "claimed" and qi is not None and etype in lex.speech_acts and srcs \
                    and _speaks(srcs, quotes[qi], actors):
                mode = "asserted"  # the statement is the act: "قال لافروف إنه يقدر دعم بيونغيانغ"
            items.append(_Item(t, etype, code, srcs, tgts, pairs, mode, qi, _occurs(doc, t, scues, lex)))
        yield sent, scues, items


def _trigger_features(doc: Doc, sent: Sentence, it: _Item, lex: _Lexicon, words: occurrence.OccurrenceWords
                      ) -> set[str]:
    """What the extractor knows about one trigger, as occurrence-model features."""
    t = it.trig
    toks = doc.tokens
    i, j = t.m.i, t.m.j
    f = {f"e={t.entry.id}", f"mode={it.mode}", "occ" if it.occurs else "nocc",
         "k=" + t.form.kind + ("p" if t.form.kind == "verb" and t.form.present else "")}
    if _definite(t):
        f.add("def")
    if t.suffix:
        f.add("suf")
    if t.form.participle:
        f.add("part")
    if it.srcs:
        f.add("src")
        if any(_named(m) for m in it.srcs):
            f.add("srcn")
    if it.tgts:
        f.add("tgt")
        if any(_named(m) for m in it.tgts):
            f.add("tgtn")
    if it.quote is not None:
        f.add("quote")
    if i - sent.tok_start <= 2:
        f.add("early")
    prev = toks[i - 1].key if i > sent.tok_start else ""
    if prev and lex.stem_set(prev) & lex.occ_background:
        f.add("bgprep")  # "بعد هجوم"
    if any(toks[k].key in lex.relatives for k in range(max(sent.tok_start, i - 2), i)):
        f.add("relbefore")  # "الرجل الذي قتل"
    if j < sent.tok_end:
        nxt = toks[j].key
        if nxt in lex.relatives:
            f.add("relafter")  # "الهجوم الذي ..."
        if nxt.isdigit():
            f.add("numafter")
    if prev and (prev.isdigit() or words.has("counts", prev, lex.stem_set)):
        f.add("countbefore")  # "140 هجوما"
    if prev in lex.preps or t.prefix[-1:] in lex.clitic_preps:
        f.add("pp")  # the trigger is a noun inside someone else's phrase
    if t.form.kind == "verb" and (i == sent.tok_start or not toks[i - 1].is_word or prev in lex.clause_openers
                                  or t.prefix[:1] in ("و", "ف")):
        f.add("vopen")  # a verb opening its clause: "وتظاهر آلاف ..."
    f |= occurrence.window_features(doc, sent, i, j, words, lex.stem_set)
    return f


def _scores(doc: Doc, sent: Sentence, items: list[_Item], times: list[TimeExpr], lex: _Lexicon,
            model: occurrence.OccurrenceModel) -> dict[str, float]:
    """The occurrence probability of each modelled type that has a trigger in the sentence."""
    feats = occurrence_features(doc, sent, items, times, lex, model.words, model.types)
    return {etype: model.probability(f) for etype, f in feats.items()}


def occurrence_features(doc: Doc, sent: Sentence, items: list[_Item], times: list[TimeExpr], lex: _Lexicon,
                        words: occurrence.OccurrenceWords, types: Iterable[str]) -> dict[str, frozenset[str]]:
    """The occurrence-model instance of each of ``types`` that has a trigger in ``sent``."""
    by_type: dict[str, list[set[str]]] = {}
    for it in items:
        if it.etype in types:
            by_type.setdefault(it.etype, []).append(_trigger_features(doc, sent, it, lex, words))
    if not by_type:
        return {}
    base = occurrence.sentence_features(doc, sent, times, words, lex.stem_set, lex.preps)
    return {etype: occurrence.instance(etype, tfs, base) for etype, tfs in by_type.items()}


def detection_instances(doc: Doc, actors: Any, quotes: list[Quote], times: list[TimeExpr], res: Any,
                        types: Iterable[str]) -> list[tuple[int, str, frozenset[str]]]:
    """(sentence index, type, features) of every sentence with a trigger of one of ``types``:
    the occurrence model's inputs, exactly as :func:`extract_events` computes them (for
    scripts/train_occurrence.py)."""
    lex = _lexicon(doc.lang)
    words = occurrence.load_words(doc.lang)
    wanted = frozenset(types)
    out: list[tuple[int, str, frozenset[str]]] = []
    if not doc.tokens:
        return out
    for sent, _cues, items in _sentences(doc, actors, quotes, lex, keep_unknown=True):
        for etype, f in occurrence_features(doc, sent, items, times, lex, words, wanted).items():
            out.append((sent.i, etype, f))
    return out


def extract_events(doc: Doc, actors: Any, quotes: list[Quote], times: list[TimeExpr],
                   published: dt.date | None, res: Any, *, keep_unknown: bool = False,
                   occurrences_only: bool = False) -> list[Event]:
    """Every event of ``doc``.

    Events of the types the occurrence model covers (PROTEST, ASSAULT) carry its
    ``confidence`` that their sentence reports one taking place.  ``keep_unknown``: also
    return events with neither a known source nor a known target (for sentence-level
    detection); the pipeline leaves it off.  ``occurrences_only``: only the events reported as
    taking place: asserted or claimed, and for the modelled types a confidence at or above
    the type's threshold (:func:`marsad.occurrence.is_occurrence`), for the others passing
    the rule-based test (``occurrence`` in modality.yaml).
    """
    lex = _lexicon(doc.lang)
    if not doc.tokens:
        return []
    model = occurrence.load_model(doc.lang)
    events: list[Event] = []
    topic = _topic(actors) if actors is not None else None
    news_day = _news_day(times, published)
    undated: set[int] = set()
    for sent, _cues, items in _sentences(doc, actors, quotes, lex, keep_unknown):
        scores: dict[str, float] | None = None  # computed when the first modelled event is kept
        for it in items:
            etype, code, t, mode = it.etype, it.code, it.trig, it.mode
            modelled = model is not None and etype in model.thresholds
            if occurrences_only and not modelled and not (mode in occurrence.HAPPENED and it.occurs):
                continue
            srcs, tgts, pairs = it.srcs, it.tgts, it.pairs
            date = _date(doc, sent, t, times, published, mode)
            if date is None and mode == "asserted" and news_day is not None:
                undated.add(t.m.start)  # reported as fact with no time of its own: the story's day
            sentence = (sent.start, sent.end)
            trigger = Span(t.m.text, t.m.start, t.m.end)
            info = cameo.lookup(code)
            gold = info.goldstein if info else None
            quad = info.quad_class if info else None
            quote_index = it.quote if mode == "claimed" else None
            if pairs is None:
                if srcs and not tgts and (etype in lex.home_target or t.entry.home_target):
                    if any(o.etype == etype and o.tgts for o in items):
                        if not keep_unknown:
                            continue  # "تظاهروا أمام السفارة ... احتجاجا": one protest, addressed
                    else:
                        tgts = _home_states(srcs, actors)  # no addressee: the home state
                if srcs and not tgts and etype not in lex.one_sided and topic is not None \
                        and not (t.suffix and t.form.kind == "verb"):  # its object pronoun was looked up
                    tgts = [m for m in [topic] if m.country not in {x.country for x in srcs}]
                elif tgts and not srcs and etype not in lex.one_sided and topic is not None:
                    srcs = [m for m in [topic] if m.country not in {x.country for x in tgts}]
                pairs = _pairs(srcs, tgts, etype, lex)
            if not pairs and keep_unknown:
                pairs = [(srcs[0] if srcs else None, tgts[0] if tgts else None)]
            for s, g in pairs:
                if not keep_unknown:
                    if not ((s and s.country) or (g and g.country)):
                        continue  # nobody known: only useful for detection
                    if (not _named(s) or not _named(g)) and etype not in lex.one_sided:
                        continue  # a dyadic type with one side missing is mostly a missed argument
                    if g is None and etype not in lex.no_target:
                        continue  # an attack on nobody named: the target was missed
                confidence = None
                if modelled and model is not None:
                    if scores is None:
                        scores = _scores(doc, sent, items, times, lex, model)
                    confidence = round(scores[etype], 3)
                    if occurrences_only and not occurrence.is_occurrence(etype, mode, confidence, model):
                        continue
                events.append(Event(
                    type=etype, cameo=code, goldstein=gold, quad_class=quad, mode=mode, date=date,
                    source=s.ref if s else None, target=g.ref if g else None,
                    trigger=trigger, sentence=sentence, quote_index=quote_index, confidence=confidence,
                ))
    events = _dedupe(events)
    if not keep_unknown:
        events = _corefer(events)
    if undated:  # after coreference: the story's day is no evidence that two mentions differ
        events = [dataclasses.replace(e, date=news_day) if e.date is None and e.trigger.start in undated else e
                  for e in events]
    return events


def _find_triggers(doc: Doc, lex: _Lexicon) -> list[_Trig]:
    """Trigger matches that pass their entry's conditions; longest first, no overlaps."""
    key = lex.lang.normalize_key
    cands: list[_Trig] = []
    for m in lex.matcher.find_all(doc):
        prefix = key(m.prefix) if m.prefix else ""
        last = doc.tokens[m.j - 1]
        best: _Trig | None = None
        # a word that is both verb and noun (دعم، رفض) is a noun after a preposition
        prev = doc.tokens[m.i - 1].key if m.i > 0 else ""
        noun_first = prev in lex.preps or (prev[:1] in ("و", "ف") and prev[1:] in lex.preps)
        if not noun_first and lex.noun_governors and m.j - m.i == 1 and len({f.kind for f in m.payloads}) > 1:
            # "أكدت واشنطن دعمها": a statement verb's object is the noun, not a second verb
            sent_i = doc.tokens[m.i].sent
            noun_first = any(doc.tokens[k].sent == sent_i and lex.stem_set(doc.tokens[k].key) & lex.noun_governors
                             for k in range(max(0, m.i - 5), m.i))
        for form in sorted(m.payloads, key=lambda f: (not lex.entries[f.entry].requires,
                                                      (f.kind != "verb") != noun_first)):
            entry = lex.entries[form.entry]
            allowed = lex.verb_prefixes if form.kind == "verb" else lex.noun_prefixes
            if prefix not in allowed:
                continue
            if form.kind == "verb" and last.text.endswith("ة"):
                continue  # verbs never end in ة: أسلحة is not أسلح + ه, وزارة is not زاره
            if entry.surface_has and entry.surface_has not in m.text:
                continue
            if not _context_ok(doc, m, entry, lex):
                continue
            last_key = last.key
            if m.j - 1 == m.i and prefix:
                last_key = last_key[len(prefix):] if last_key.startswith(prefix) else last_key
            suffix = last_key != form.last_key and not last_key.endswith(form.last_key)
            plural = suffix and last_key.endswith(("هم", "هن", "هما", "كم", "نا"))
            kinds = {f.kind for f in m.payloads}
            best = _Trig(m, form, entry, suffix, prefix, plural, len(kinds) > 1)
            break
        if best is not None:
            cands.append(best)
    cands.sort(key=lambda t: (-(t.m.j - t.m.i), -(t.m.end - t.m.start), t.m.start))
    taken = bytearray(len(doc.tokens) + 1)
    out: list[_Trig] = []
    for t in cands:
        if any(taken[t.m.i:t.m.j]):
            continue
        taken[t.m.i:t.m.j] = b"\x01" * (t.m.j - t.m.i)
        out.append(t)
    out.sort(key=lambda t: t.m.start)
    return out


def _context_ok(doc: Doc, m: Match[_Form], entry: _Entry, lex: _Lexicon) -> bool:
    toks = doc.tokens
    sent = toks[m.i].sent
    if entry.not_after and m.i > 0 and toks[m.i - 1].sent == sent:
        if lex.stem_set(toks[m.i - 1].key) & entry.not_after:
            return False
    if entry.not_before and m.j < len(toks) and toks[m.j].sent == sent:
        if lex.stem_set(toks[m.j].key) & entry.not_before:
            return False
    if entry.excludes:
        for k in range(m.j, min(len(toks), m.j + entry.window)):
            if toks[k].sent == sent and lex.stem_set(toks[k].key) & entry.excludes:
                return False
    if entry.requires:
        lo = max(0, m.i - entry.window)
        hi = min(len(toks), m.j + entry.window)
        for k in range(lo, hi):
            if m.i <= k < m.j or toks[k].sent != sent:
                continue
            if lex.stem_set(toks[k].key) & entry.requires:
                return True
        return False
    return True


def _retype(doc: Doc, t: _Trig, lex: _Lexicon) -> tuple[str, str]:
    """The entry's type and code, or an ``alt`` one when its words follow the trigger."""
    e = t.entry
    if e.alt:
        toks = doc.tokens
        sent = toks[t.m.i].sent
        for words, typ, code, window in e.alt:
            near = [toks[k].key for k in range(t.m.i, min(len(toks), t.m.j + window)) if toks[k].sent == sent]
            if any(lex.stem_set(k) & words for k in near):
                return typ, code
    return e.type, e.cameo


# --------------------------------------------------------------------------- roles


def _arguments(doc: Doc, sent: Sentence, t: _Trig, groups: list[_Group], cues: list[Match[str]],
               lex: _Lexicon, done: list[_Done], verbs: frozenset[int] = frozenset()
               ) -> tuple[list[_Member], list[_Member], list[tuple[_Member | None, _Member | None]] | None, bool]:
    """(sources, targets, explicit pairs or None, source from an accusation) of one trigger."""
    e = t.entry
    mi, mj = t.m.i, t.m.j
    groups = _same_clause(doc, groups, mi, mj, lex)
    after = [g for g in groups if g.i >= mj]
    before = [g for g in reversed(groups) if g.j <= mi]
    # backward searches stop at a complementizer or comma
    reach = [g for g in before if not _barrier(doc, g.j, mi, lex)]
    rel = _relative_antecedent(doc, mi, before, lex)
    if rel is not None and rel not in reach:
        reach.append(rel)  # "تشوي، التي وصلت ... في زيارة": the relative clause's subject
    agent = _agent_group(t, cues, after)

    # "بين X و Y" after the trigger (or right before it): both directions
    btw = next((g for g in after if g.between and len(g.members) > 1 and g.i - mj <= 3), None)
    if btw is None:
        btw = next((g for g in before if g.between and len(g.members) > 1 and mi - g.j <= 2), None)

    src: _Group | None = None
    tgt: _Group | None = None
    src_members: list[_Member] | None = None
    accused = _accused(doc, t, done)
    if t.form.kind == "verb":
        svo = next((g for g in before if g.prep is None and _gap_ok(doc, g.j, mi, lex)), None)
        vso = next((g for g in after if g.prep is None and g.i - mj <= _SUBJ_AFTER), None)
        if vso is not None and not t.suffix and (
                (vso.i == mj + 1 and _accusative_head(doc.tokens[mj]))
                or (vso.i == mj and vso.members[0].kind == "adjective" and _accusative_head(doc.tokens[mj]))):
            # "يلتقي مسؤولين عراقيين": a head noun in the accusative after the verb is its
            # object, not its subject
            vso = None
        if _passive(doc, t, lex):
            # "قتل 20 مدنيا"، "قتل ضابط وثلاثة جنود": unvowelled, a past verb before a count
            # or a victim is passive; its subject is the target, the doer unknown unless named
            src = agent
            tgt = vso if vso is not agent else None
            if tgt is None:  # the victims are no actor: "قتل خمسة جنود ... على دورية للجيش الأمريكي"
                tgt = _target_after(doc, after, mj, e, lex, direct=False, exclude=[agent], verbs=verbs)
        elif not t.suffix and agent is None and mi > 0 and doc.tokens[mi - 1].key in lex.relatives \
                and doc.tokens[mi - 1].sent == doc.tokens[mi].sent:
            # "الهجمات التي تستهدف القوات المصرية": the relative's antecedent is the subject
            # (unknown unless it is an actor); the group after the verb is its object
            src = next((g for g in before if g.j <= mi - 1 and mi - 1 - g.j <= 1 and g.prep is None), None)
            tgt = _target_after(doc, after, mj, e, lex, direct=not e.verb_prep_only, verbs=verbs)
        elif t.form.present and doc.tokens[mi].key[len(t.prefix):][:1] == "ن":
            # "نتهم واشنطن": a first-person verb; the speaker is its subject, the group after
            # it the object
            tgt = _target_after(doc, after, mj, e, lex, direct=True, verbs=verbs)
        elif t.form.participle:  # "قال المتحدث الأوكراني ...، متهماً روسيا بـ"
            src = next((g for g in groups if g.j <= mi and g.prep is None), None)
            tgt = _target_after(doc, after, mj, e, lex, direct=True, verbs=verbs)
        elif agent is not None and not (vso is not None and vso.i < agent.i and vso is not agent):
            # passive with an agent: "اعتقلوا على أيدي X" (an active verb's subject comes
            # first: "استنكرت الكويت اقتحام ... من قبل مستوطنين")
            src = agent
            tgt = svo or (vso if vso is not agent else None)
        elif t.suffix:  # object pronoun: "اتهمتها الولايات المتحدة"
            src = vso
            if mi > 0 and doc.tokens[mi - 1].key in lex.relatives:
                # the relative's antecedent is the noun right before it: the object when a
                # subject follows ("المقاتلين الذين دربتهم واشنطن"), else the subject ("المغرب
                # التي استقبلته": the pronoun points further back)
                ante = next((g for g in before if g.j <= mi - 1 and mi - 1 - g.j <= 1 and g is not src), None)
                if src is not None:
                    tgt = ante
                elif ante is not None:
                    src = ante
                    tgt = _antecedent(t, [g for g in before if g.j <= ante.i], src)
            else:
                tgt = _antecedent(t, before, src)
        elif svo is not None:
            src = svo
            tgt = _target_after(doc, after, mj, e, lex, direct=not e.verb_prep_only, verbs=verbs)
        elif (carried := _carried_subject(doc, t, done, lex)
               or _complement_subject(doc, t, before, lex)) is not None:
            # "ونفت موسكو ... ، واتهمت العسكريين الأوكرانيين": the second verb shares the subject
            src_members = carried
            tgt = _target_after(doc, after, mj, e, lex, direct=not e.verb_prep_only, verbs=verbs)
        else:
            src = vso
            start = src.j if src is not None else mj
            tgt = _target_after(doc, after, start, e, lex, direct=not e.verb_prep_only, exclude=[src], verbs=verbs)
            if tgt is None and src is not None and src.i > mj:
                # "ينتشر في أوكرانيا عسكريون أمريكيون": a prepositional target before the subject
                tgt = next((g for g in after if mj <= g.i < src.i and g.governed_by(e.preps)), None)
            if src is None:
                src = next((g for g in reach if g.prep is None and mi - g.j <= _SUBJ_BEFORE), None)
        if tgt is None:
            tgt = next((g for g in reach if g is not src and g.governed_by(e.preps) and mi - g.j <= _TARGET_BEFORE),
                       None)
    else:
        obj: _Group | None = None
        if t.suffix:  # possessive: "زيارته", "هجومها على أوكرانيا"
            gen = _antecedent(t, before, None)
        else:
            # the construct chain goes on to the genitive: no other actor stands between
            # ("اتهامات لأوكرانيا بقصف محطة ...": the station is not the accuser)
            gen = next((g for g in after if g.prep is None and g.i - mj <= _GENITIVE_GAP
                        and _words_only(doc, mj, g.i, lex) and not any(mj <= h.i < g.i for h in after)), None)
            if gen is not None and _definite(t) and gen.members[0].kind != "adjective":
                # a noun with the article takes no genitive: "الهجوم الروسي" has an adjective,
                # "وجه الشكر المملكة" an object
                obj = gen if e.direct else None
                gen = None
        # "بدعم من السعودية", "المساعدة المقدمة من واشنطن"
        nagent = agent or next((g for g in after if g.prep in lex.noun_agent_preps and g.i - mj <= 4
                                and _words_only(doc, mj, g.i - 1, lex)), None)
        nagent = nagent or _relative_agent(doc, t, after, lex)
        under = _undergoer(t, cues, lex, done)
        gen_is_source = e.genitive_source
        if gen is not None and e.place_genitive_target and not t.suffix and gen.members[0].type in ("GPE", "LOC") \
                and gen.members[0].kind in ("name", "capital"):
            gen_is_source = False  # "بزيارة العراق": the place visited
        if gen is not None and gen.members[0].kind == "adjective" and gen.i == mj and not t.suffix:
            gen_is_source = True  # "الغارات الإسرائيلية": a nationality adjective names the doer
        if not gen_is_source and t.suffix and _target_after(doc, after, mj, e, lex, direct=False, verbs=verbs) is not None:
            gen_is_source = True  # "هجومها على أوكرانيا": the possessor attacks
        elif not gen_is_source and gen is not None and not t.suffix and accused is None:
            # "تدريب واشنطن لمقاتلي المعارضة"، "قصف الطائرات الروسية على حلب": with the
            # acted-on named by ل/على/ضد after it, the genitive is the doer
            nxt = next((g for g in after if g.i >= gen.j), None)
            if nxt is not None and nxt.i - gen.j <= 3 and nxt.prep in lex.object_preps and nxt.prep in e.preps:
                gen_is_source = True
        if accused is not None:
            # "اتهمتها X بتزويد فاغنر": the accused does the complement; the genitive receives it
            tgt = gen if gen is not None else _target_after(doc, after, mj, e, lex, direct=e.direct, verbs=verbs)
        elif under is not None:
            # "تخضع روسيا لعقوبات": the subject of the undergoer verb is the target
            ui, uj = under
            tgt = next((g for g in groups if g.i >= uj and g.j <= mi and g.prep is None), None) or next(
                (g for g in reach if g.j <= ui and g.prep is None and ui - g.j <= _SUBJ_BEFORE), None)
            src = nagent or (gen if gen_is_source and gen is not tgt else None) or next(
                (g for g in after if g.prep in lex.noun_agent_preps and g.i - mj <= 8), None)
        elif gen_is_source:
            src = nagent or gen
            start = gen.j if gen is not None and not t.suffix else mj
            rest = [g for g in after if g is not src and g is not gen and g.i >= start]
            tgt = _target_after(doc, rest, start, e, lex, direct=False, verbs=verbs) or obj
            subj = next((g for g in before if g.j == mi and g.prep is None and g.i > 0
                         and lex.stem_set(doc.tokens[g.i - 1].key) & lex.agentive_verbs), None) \
                if not t.prefix and lex.agentive_verbs else None
            if tgt is None and nagent is None and gen is not None and subj is not None and not t.suffix:
                # "تواصل إيران دعم الميليشيات": the verbal noun is the object of a verb whose
                # subject does it; its genitive is what it is done to
                src, tgt = subj, gen
            elif tgt is None and nagent is not None and gen is None:
                # "تقدمت القوات الأفغانية بدعم من واشنطن": the clause's subject is backed
                tgt = next((g for g in reach if g is not src and g.prep is None and mi - g.j <= _SUBJ_BEFORE), None)
            if tgt is None and gen is not None and e.direct and not t.suffix:
                tgt = next((g for g in rest if g.prep is None and g.i - gen.j <= 1), None)
            # "زيارة لبوتين إلى كوريا": ل names the visitor when إلى names the place
            if src is None and tgt is not None and tgt.prep == "ل":
                dest = next((g for g in rest if g.i >= tgt.j and g.prep == "الي" and g.i - tgt.j <= 4), None)
                if dest is not None:
                    src, tgt = tgt, dest
                elif e.place_genitive_target and tgt.members[0].type == "PER":
                    src, tgt = tgt, None  # "جولة لوزير الخارجية الإيراني": a person makes the visit
            elif src is None and tgt is not None and tgt.prep == "الي":
                src = next((g for g in after if g.prep == "ل" and g.j <= tgt.i), None)
        else:
            tgt = gen or _target_after(doc, after, mj, e, lex, direct=False, verbs=verbs)
            src = nagent
        if src is None and accused is None and under is None:
            # the victims of an earlier passive verb are nobody's doers: "قتل مدنيون في غارة"
            victims = {id(m) for d in done if _passive(doc, d.trig, lex) for m in d.tgts}
            src = next((g for g in reach if g is not tgt and g.prep is None and mi - g.j <= _SUBJ_BEFORE
                        and not any(id(m) in victims for m in g.members)), None)
            if src is None:
                # "أعلنت السعودية وإيران، في بيان مشترك، الاتفاق": commas set off an aside
                soft = [g for g in before if not _barrier(doc, g.j, mi, lex, hard_only=True)]
                src = next((g for g in soft if g is not tgt and g.prep is None and mi - g.j <= 2 * _SUBJ_BEFORE
                            and _is_clause_subject(doc, g, lex) and not any(id(m) in victims for m in g.members)),
                           None)
        if tgt is None:
            tgt = next((g for g in reach if g is not src and g.governed_by(e.preps) and mi - g.j <= _TARGET_BEFORE),
                       None)

    srcs = accused if accused is not None else (
        src_members if src_members is not None else (list(src.members) if src is not None else []))
    tgts = list(tgt.members) if tgt is not None else []
    if tgt is not None and tgt.between and len(tgt.members) > 1:
        btw = tgt
    pairs: list[tuple[_Member | None, _Member | None]] | None = None
    if btw is not None and btw is not src:
        inner = btw.members
        if srcs and not {s.actor for s in srcs} & {m.actor for m in inner} and not e.symmetric:
            tgts = list(inner)  # "توسط X بين Y و Z"
        elif tgt is None or tgt is btw or not srcs:
            pairs = [(a, b) for a in inner for b in inner if a.actor != b.actor]
    elif src is not None and len(src.members) > 1 and not tgts and e.symmetric:
        pairs = [(a, b) for a in src.members for b in src.members if a.actor != b.actor]
    return srcs, tgts, pairs, accused is not None


def _accusative_head(tok: Any) -> bool:
    """A sound masculine plural in the accusative/genitive ("مسؤولين"، "مقاتلين"), unmarked
    by the article: after a verb, its object."""
    k = tok.key
    return tok.is_word and len(k) >= 6 and k.endswith("ين") and not k.startswith(("ال", "وال"))


def _spoken_of(t: _Trig, srcs: list[_Member], done: list[_Done], lex: _Lexicon) -> bool:
    """Whether a noun is what a condemnation or praise right before it is about and took
    that act's subject as its own doer (a denial keeps it: "نفت روسيا قصف" is Russia's)."""
    if not done:
        return False
    d = done[-1]  # the trigger handled just before this one
    if d.trig.entry.about_others and 0 <= t.m.i - d.trig.m.j <= 6 and d.srcs:
        ids = {m.actor for m in d.srcs}
        return all(m.actor in ids for m in srcs)
    return False


def _asked(doc: Doc, sent: Sentence, t: _Trig) -> bool:
    """Whether the trigger stands in a question: the next sentence-final mark after it is a
    question mark (the splitter may keep several questions in one sentence)."""
    for k in range(t.m.j, sent.tok_end):
        key = doc.tokens[k].key
        if key in ("؟", "?"):
            return True
        if key in (".", "!", "؛", ";", ":") or doc.tokens[k].text in ("»", "”", '"'):
            return False
    return False


def _passive(doc: Doc, t: _Trig, lex: _Lexicon) -> bool:
    """Whether a past verb of an entry with ``passive_before`` reads as passive: a count
    (a number, a number word) or one of the entry's victim words comes right after it."""
    e = t.entry
    if not e.passive_before or t.suffix or t.form.present or t.form.participle or t.m.j >= len(doc.tokens):
        return False
    nxt = doc.tokens[t.m.j]
    if nxt.sent != doc.tokens[t.m.i].sent:
        return False
    return nxt.key[:1].isdigit() or bool(lex.stem_set(nxt.key) & e.passive_before)


def _antecedent(t: _Trig, before: list[_Group], skip: _Group | None) -> _Group | None:
    """What a pronoun suffix points back to: the nearest group before; only its first
    member for a singular pronoun ("تدعمها" after "ماليزيا وهولندا" is Malaysia)."""
    near = [g for g in before if g is not skip and t.m.i - g.j <= _TARGET_AFTER]
    # a subject-like group (no preposition) before one inside a prepositional phrase
    g = next((g for g in near if g.prep is None), None) or (near[0] if near else None)
    if g is None or len(g.members) == 1 or t.plural:
        return g
    return _Group([g.members[0]], g.i, g.j, g.prep, False)


def _same_clause(doc: Doc, groups: list[_Group], mi: int, mj: int, lex: _Lexicon) -> list[_Group]:
    """The groups not separated from the trigger by a clause end (؛ :)."""
    if not groups:
        return groups
    toks = doc.tokens
    lo_tok = min(groups[0].i, mi)
    hi_tok = max(groups[-1].j, mj)
    ends = [k for k in range(lo_tok, hi_tok) if toks[k].key in lex.clause_ends]
    if not ends:
        return groups
    return [g for g in groups
            if not any((g.j <= k < mi) if g.j <= mi else (mj <= k < g.i) for k in ends)]


def _barrier(doc: Doc, j: int, i: int, lex: _Lexicon, hard_only: bool = False) -> bool:
    stops = lex.hard_barriers if hard_only else lex.barriers
    return any(doc.tokens[k].key in stops for k in range(j, i))


def _is_clause_subject(doc: Doc, g: _Group, lex: _Lexicon) -> bool:
    """Whether a group looks like the subject right after its clause's verb (VSO): the word
    before it is neither a preposition nor a definite noun it could be the genitive of."""
    if g.i == 0:
        return False
    prev = doc.tokens[g.i - 1]
    return prev.is_word and prev.key not in lex.preps and not prev.key.startswith("ال")


def _relative_antecedent(doc: Doc, mi: int, before: list[_Group], lex: _Lexicon) -> _Group | None:
    """The group a relative pronoun after the last barrier points back to."""
    toks = doc.tokens
    sent = toks[mi].sent
    k = mi - 1
    while k >= 0 and toks[k].sent == sent and toks[k].key not in lex.barriers:
        if toks[k].key in lex.relatives:
            return next((g for g in before if g.j <= k and k - g.j <= 2 and g.prep is None), None)
        k -= 1
    if k >= 0 and k + 1 < mi and toks[k + 1].key in lex.relatives:
        return next((g for g in before if g.j <= k + 1 and k + 1 - g.j <= 2 and g.prep is None), None)
    return None


def _relative_agent(doc: Doc, t: _Trig, after: list[_Group], lex: _Lexicon) -> _Group | None:
    """"الهجوم الذي تقوده روسيا": a relative clause whose verb points back to the noun."""
    toks = doc.tokens
    n = len(toks)
    for k in range(t.m.j, min(n, t.m.j + 3)):
        v = None
        if toks[k].key in lex.relatives:
            v = k + 1
        elif toks[k].key in lex.resumptive_verbs:
            v = k  # an indefinite noun takes no relative pronoun: "غارات جوية نفذها الطيران"
        if v is not None:
            if v < n and toks[v].is_word and toks[v].key.endswith(("ه", "ها", "هم")):
                # the doer follows the verb before any prepositional phrase ("شنه مسلحون على
                # دورية للجيش": the army is attacked)
                return next((g for g in after if g.i > v and g.i - v <= 4 and g.prep in (None, "ل")
                             and not any(toks[x].key in lex.preps for x in range(v + 1, g.i))), None)
            return None
        if not toks[k].is_word:
            return None
    return None


def _gap_ok(doc: Doc, j: int, i: int, lex: _Lexicon) -> bool:
    """Whether only SVO-gap words stand between a group (ending at j) and a verb at i."""
    if i - j > 3:
        return False
    return all(doc.tokens[k].key in lex.svo_gap for k in range(j, i))


def _words_only(doc: Doc, i: int, j: int, lex: _Lexicon) -> bool:
    """Only content words in [i, j): no punctuation, no preposition."""
    return all(doc.tokens[k].is_word and doc.tokens[k].key not in lex.preps for k in range(i, j))


def _target_after(doc: Doc, after: list[_Group], start: int, e: _Entry, lex: _Lexicon, direct: bool,
                  exclude: Sequence[_Group | None] = (), verbs: frozenset[int] = frozenset()) -> _Group | None:
    """The target after token ``start``: a direct object, a group governed by one of the
    entry's prepositions, or the first group within a few words after such a preposition
    ("لشرق روسيا", "للهجوم الذي تقوده روسيا")."""
    stop = _forward_stop(doc, start, start + _TARGET_AFTER, lex, verbs)
    cands = [g for g in after if start <= g.i < stop and not any(g is x for x in exclude)]
    for g in cands:
        if g.governed_by(e.preps):
            return g
        if g.prep is None and direct and e.direct:
            return g
    if not cands:
        return None
    toks = doc.tokens
    for k in range(start, stop):
        key = toks[k].key
        if key in e.preps or (key[:1] in ("و", "ف") and key[1:] in e.preps):
            lo = k + 1
        elif key[:1] in lex.clitic_preps and key[:1] in e.preps and len(key) >= 4 and toks[k].is_word:
            lo = k
        else:
            continue
        g = next((g for g in cands if lo <= g.i <= k + 4 and g.prep in (None, "ل", "ب", "من")), None)
        if g is not None:
            return g
    if direct and e.direct:
        # a partitive object: "قتلت القوات عشرات المسلحين من جماعة بوكو حرام"
        g = next((g for g in cands if g.prep == "من" and 1 <= g.i - 1 - start <= 3
                  and _words_only(doc, start, g.i - 1, lex)), None)
        if g is not None:
            return g
    return None


def _forward_stop(doc: Doc, start: int, limit: int, lex: _Lexicon, verbs: frozenset[int] = frozenset()) -> int:
    """First token after ``start`` where a forward search stops: a new clause, or the next
    verb trigger (its arguments are its own)."""
    toks = doc.tokens
    sent = toks[start - 1].sent if start > 0 else 0
    n = len(toks)
    for k in range(start, min(limit, n)):
        t = toks[k]
        if t.sent != sent or t.key in lex.forward_stops or k in verbs:
            return k
        if t.key in (",", "،") and k + 1 < n and toks[k + 1].key[:1] == "و" and k + 1 != start:
            return k
    return min(limit, n)


def _agent_group(t: _Trig, cues: list[Match[str]], after: list[_Group]) -> _Group | None:
    for c in cues:
        if "agent" in c.payloads and t.m.j <= c.i and c.i - t.m.j <= 4:
            return next((g for g in after if g.i >= c.j and g.i - c.j <= 2), None)
    return None


def _undergoer(t: _Trig, cues: list[Match[str]], lex: _Lexicon, done: Sequence[_Done]) -> tuple[int, int] | None:
    """The undergoer verb ("تخضع X لعقوبات") governing this event noun: the first event after
    it only ("تخضع روسيا لعقوبات بسبب هجومها على أوكرانيا": Russia does the attack)."""
    for c in cues:
        if "undergoer" in c.payloads and c.j <= t.m.i and t.m.i - c.j <= lex.undergoer_window:
            if any(c.j <= d.trig.m.i < t.m.i for d in done):
                continue
            return c.i, c.j
    return None


def _trigger_tokens(done: list[_Done]) -> set[int]:
    return {k for d in done for k in range(d.trig.m.i, d.trig.m.j)}


def _accused(doc: Doc, t: _Trig, done: list[_Done]) -> list[_Member] | None:
    """For "اتهمتها X بتزويد ... ونشر قوات": the complements' doer is the accused."""
    if t.form.kind != "noun" or not done:
        return None
    # "بتزويد"، or a light verb between: "بشن هجوم"
    ba = t.prefix[-1:] == "ب" or (t.m.i > 0 and doc.tokens[t.m.i - 1].key[:1] == "ب"
                                   and t.m.i - 1 not in _trigger_tokens(done))
    if ba:
        k = t.m.i if t.prefix[-1:] == "ب" else t.m.i - 1
        for d in reversed(done):
            if d.trig.entry.type == "ACCUSE" and k - max(d.trig.m.j, d.end) <= 3 and d.tgts:
                return d.tgts
        return None
    last = done[-1]
    if t.prefix[:1] == "و" and last.accused and t.m.i - last.trig.m.j <= 8:
        return last.srcs  # a second complement joined by و
    return None


def _carried_subject(doc: Doc, t: _Trig, done: list[_Done], lex: _Lexicon) -> list[_Member] | None:
    """The subject of the previous verb when this one follows it as "، و<verb>"."""
    if not done or t.prefix[:1] != "و" or t.m.i < 1 or doc.tokens[t.m.i - 1].key not in (",", "،"):
        return None
    last = done[-1]
    if last.trig.form.kind != "verb" or not last.srcs or t.m.i - last.trig.m.j > 15:
        return None
    return last.srcs


def _arg_end(t: _Trig, groups: list[_Group], srcs: list[_Member], tgts: list[_Member]) -> int:
    """The token after the trigger's last argument (for complements that follow them)."""
    ids = {id(m) for m in srcs} | {id(m) for m in tgts}
    end = t.m.j
    for g in groups:
        if any(id(m) in ids for m in g.members):
            end = max(end, g.j)
    return end


def _complement_subject(doc: Doc, t: _Trig, before: list[_Group], lex: _Lexicon) -> list[_Member] | None:
    """"نفت إيران أن تكون قد زودت روسيا": a verb right after أن shares the main subject."""
    toks = doc.tokens
    k = t.m.i - 1
    skipped = 0
    while k >= 0 and toks[k].key in lex.complement_aux and skipped < 2:
        k -= 1
        skipped += 1
    if k < 0 or toks[k].key not in lex.complementizers:
        return None
    g = next((g for g in before if g.j <= k and g.prep is None and k - g.j <= 3), None)
    return list(g.members) if g is not None else None


def _accuser(srcs: list[_Member], accusations: list[tuple[int, list[_Member], list[_Member]]],
             si: int) -> list[_Member]:
    """A denial with no object answers the latest accusation against the denier."""
    countries = {s.country for s in srcs if s.country}
    for asi, asrcs, atgts in reversed(accusations):
        if si - asi > 3:
            break
        if countries & {t.country for t in atgts}:
            return list(asrcs)
    return []


def _named(m: _Member | None) -> bool:
    """Whether an argument is a real actor: it has a country or is in the dictionary."""
    return m is not None and bool(m.country or m.ref.actor_id)


def _pairs(srcs: list[_Member], tgts: list[_Member], etype: str, lex: _Lexicon
           ) -> list[tuple[_Member | None, _Member | None]]:
    out: list[tuple[_Member | None, _Member | None]] = []
    if not srcs and not tgts:
        return out
    for s in srcs or [None]:
        for g in tgts or [None]:
            if s is not None and g is not None:
                if s.actor == g.actor and s.actor >= 0:
                    continue
                if s.country and s.country == g.country and etype not in lex.domestic:
                    continue
            out.append((s, g))
    return out


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per type and dyad in a sentence: "حق النقض (الفيتو)" is one veto."""
    seen: set[tuple[Any, ...]] = set()
    out: list[Event] = []
    for ev in events:
        k = (ev.type, ev.source.country if ev.source else None, ev.target.country if ev.target else None,
             ev.sentence, (ev.source.name if ev.source else None) if not (ev.source and ev.source.country) else None,
             (ev.target.name if ev.target else None) if not (ev.target and ev.target.country) else None)
        if k in seen:
            continue
        seen.add(k)
        out.append(ev)
    return out


def _dates_agree(a: str | None, b: str | None) -> bool:
    """Whether two event dates can name the same day: one unknown, or one a prefix of the
    other ("2023-09" and "2023-09-14")."""
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _corefer(events: list[Event]) -> list[Event]:
    """One event per real interaction in an article: a later mention of the same type and
    dyad repeats the first when it has the same mode and a compatible date ("the visit ...
    during the visit"), or when both say it happened on the same dated day or month, one as
    fact and one as a claim.  The kept event takes the more precise date (and is the mention
    that points at its quote, or the one the article asserts).  Counting each mention as a
    new event is the error users of other coders complain about."""
    out: list[Event] = []
    index: dict[tuple[Any, ...], list[int]] = {}
    for ev in events:
        s, g = ev.source, ev.target
        k = (ev.type, s.country if s else None, g.country if g else None,
             None if s is None or s.country else s.name, None if g is None or g.country else g.name)
        same = next((n for n in index.get(k, []) if _same_occurrence(out[n], ev)), None)
        if same is None:
            index.setdefault(k, []).append(len(out))
            out.append(ev)
            continue
        first = out[same]
        if (first.quote_index is None and ev.quote_index is not None and first.mode == ev.mode) or (
                first.mode == "claimed" and ev.mode == "asserted"):
            first, ev = ev, first  # keep the mention that points at its quote, or the fact
        if ev.date and (first.date is None or len(ev.date) > len(first.date)):
            first = dataclasses.replace(first, date=ev.date)
        out[same] = first
    return out


_REPORTED = frozenset({"asserted", "claimed"})


def _same_occurrence(a: Event, b: Event) -> bool:
    if a.mode == b.mode:
        return _dates_agree(a.date, b.date)
    return a.mode in _REPORTED and b.mode in _REPORTED and bool(a.date) and a.date == b.date


# --------------------------------------------------------------------------- mode and date


def _topic(actors: Any) -> _Member | None:
    """The country an article is about: the state named most often, when it dominates."""
    counts: dict[str, int] = {}
    first: dict[str, Any] = {}
    for m in actors.mentions:
        a = actors.actors[m.actor]
        if a.country and not a.country.startswith("IGO:"):
            counts[a.country] = counts.get(a.country, 0) + 1
            first.setdefault(a.country, m)
    if not counts:
        return None
    top, n = max(counts.items(), key=lambda kv: kv[1])
    if n < 3 or n < 0.4 * sum(counts.values()):
        return None
    m = first[top]
    return _Member(actors.ref(m), top, m.actor, actors.actors[m.actor].type)


def _speaker(q: Quote, actors: Any) -> _Member | None:
    """The quote's speaker as an argument, with the country the actor index knows."""
    sp = q.speaker
    if sp is None:
        return None
    if actors is not None:
        for k, a in enumerate(actors.actors):
            if a.name == sp.name:
                return _Member(sp, a.country, k, a.type)
    return _Member(sp, sp.country, -1, "PER")


def _home_states(srcs: list[_Member], actors: Any) -> list[_Member]:
    """The state each source belongs to, as an actor of its own (the document's entry for
    that country when there is one)."""
    out: list[_Member] = []
    for m in srcs:
        if not m.country or m.country.startswith("IGO:") or any(o.country == m.country for o in out):
            continue
        k = next((n for n, a in enumerate(actors.actors) if a.country == m.country and a.type == "GPE"), -1) \
            if actors is not None else -1
        if k >= 0 and k != m.actor:
            out.append(_Member(actors.actors[k].ref(), m.country, k, "GPE", "home"))
        else:
            out.append(_Member(ActorRef(m.country, m.country), m.country, -2, "GPE", "home"))
    return out


def _speaks(srcs: list[_Member], q: Quote, actors: Any) -> bool:
    """Whether the quote's speaker is (one of) the event's sources (the same actor: a
    minister speaking of what his country does still reports it)."""
    sp = _speaker(q, actors)
    return sp is not None and sp.actor >= 0 and any(m.actor == sp.actor for m in srcs)


def _definite(t: _Trig) -> bool:
    """Whether the trigger word carries the article (الهجوم، للهجوم، بالهجوم)."""
    return t.prefix.endswith(("ال", "لل")) or t.m.restored or t.m.text.startswith(("ال", "أل"))


def _occurs(doc: Doc, t: _Trig, cues: list[Match[str]], lex: _Lexicon) -> bool:
    """Whether the trigger reports an event taking place (not a background mention)."""
    toks = doc.tokens
    rel = lex.relatives
    if t.form.kind == "verb":
        if any(toks[k].key in rel for k in range(max(0, t.m.i - lex.occ_rel_window), t.m.i)):
            return False  # "الرجل الذي قتل عام 2002"
        if t.ambiguous and not t.suffix:
            # "قتل" is also the noun "killing": a verb when it opens its clause or a count follows
            k = t.m.i - 1
            opens = k < 0 or not toks[k].is_word or toks[k].sent != toks[t.m.i].sent \
                or toks[k].key in lex.clause_openers
            nxt = toks[t.m.j].key if t.m.j < len(toks) else ""
            return opens or nxt[:1].isdigit() or nxt in lex.clause_openers
        return True
    if t.entry.outcome:
        # "مقتل 5 أشخاص" reports the outcome, "على مقتل بوتو" refers to it; "أسفر عن مقتل"
        # and "أدى إلى مقتل" report it again
        pre = t.prefix[-1:] in lex.clitic_preps
        if t.m.i > 0 and (toks[t.m.i - 1].key in lex.preps or pre):
            k = t.m.i - (0 if pre else 1)
            return any("occur" in c.payloads and 0 <= k - c.j <= 1 for c in cues)
        return True
    if _definite(t):
        return False  # a definite noun names an event already known: "الهجوم الذي وقع أمس"
    if t.m.i > 0 and lex.stem_set(toks[t.m.i - 1].key) & lex.occ_background:
        return False  # "بعد هجوم", "منذ اغتيال": a reference point in time
    for c in cues:
        if "occur" in c.payloads and (0 <= t.m.i - c.j <= lex.occ_window or 0 <= c.i - t.m.j <= lex.occ_window):
            return True
    return False


def _quote_of(offset: int, quotes: list[Quote]) -> int | None:
    for k, q in enumerate(quotes):
        if q.start <= offset < q.end:
            return k
    return None


def _mode(doc: Doc, t: _Trig, cues: list[Match[str]], lex: _Lexicon, quote: int | None) -> str:
    toks = doc.tokens
    ti, tj = t.m.i, t.m.j
    found: set[str] = set()
    for c in cues:
        labels = c.payloads
        if c.j <= ti:
            dist = sum(1 for k in range(c.j, ti) if toks[k].is_word)
            punct = any(not toks[k].is_word for k in range(c.j, ti))
            scoped = not any(toks[k].key in lex.scope_stops for k in range(c.j, ti))
            if "deny" in labels and scoped:
                found.add("denied")
            if "neg" in labels and dist <= lex.neg_window and not punct:
                nxt = toks[c.j].key if c.j < len(toks) else ""
                if not (lex.stem_set(nxt) & lex.neg_not_followed):
                    found.add("negated")
            if "fut" in labels and dist <= lex.fut_window:
                found.add("future")
            if "hyp" in labels and dist <= lex.hyp_window:
                found.add("hypothetical")
            if "hyp_present" in labels and dist == 0 and t.form.kind == "verb" and t.form.present:
                found.add("hypothetical")
            if "claim" in labels and scoped:
                found.add("claimed")
        elif c.i >= tj:
            dist = sum(1 for k in range(tj, c.i) if toks[k].is_word)
            if "fut_after" in labels and dist <= lex.fut_after_window:
                found.add("future")
    if t.form.kind == "verb" and t.form.present and t.prefix[-1:] in lex.fut_prefixes:
        found.add("future")
    if quote is not None:
        found.add("claimed")
    for mode in ("denied", "negated", "future", "hypothetical", "claimed"):
        if mode in found:
            return mode
    return "asserted"


def _news_day(times: list[TimeExpr], published: dt.date | None) -> str | None:
    """The day the story reports: its first time expression, when that is a day in the few
    days up to publication ("اليوم"، "مساء أمس").  A fact the article reports with no time of
    its own happened then."""
    if published is None or not times:
        return None
    first = min(times, key=lambda x: x.start)
    v = str(first.value or "")
    if len(v) != 10:
        return None
    try:
        day = dt.date.fromisoformat(v)
    except ValueError:
        return None
    return v if 0 <= (published - day).days <= NEWS_DAYS else None


def _date(doc: Doc, sent: Sentence, t: _Trig, times: list[TimeExpr], published: dt.date | None,
          mode: str) -> str | None:
    """The value of the time expression governing the trigger in its sentence (the times
    stage's rule: the nearest one, the one before on a tie); null when there is none."""
    value = date_for_span(times, t.m.start, t.m.end, (sent.start, sent.end))
    if value is None and published is not None and mode == "asserted" and t.form.kind == "verb" \
            and t.form.present and not t.prefix.endswith("س"):
        return published.isoformat()  # a present-tense report is news of the day
    return value
