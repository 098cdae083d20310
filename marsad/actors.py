"""Actors in one document: find mentions, link them to identities, resolve later references.

Sources of mentions, strongest first:

1. the actor dictionary (``marsad.kb``): names, capitals (as metonyms of their state, or as
   places after a locative preposition), ambiguous aliases (kept only when the document names
   the actor unambiguously too);
2. titles (``offices.yaml``) with a country ("وزير الخارجية الروسي", "وزير خارجية روسيا",
   "الأمين العام لجامعة الدول العربية"): a name right after the title is the holder; with no
   name, the dictionary's office dates give the holder on the publication date;
3. generic agents with a nationality ("الجيش الروسي", "السلطات السعودية");
4. the statistical NER (``marsad.ner``) for names no list contains; their country comes from
   the title or organisation before them;
5. nationality adjectives ("الإيرانية") as mentions of their state;
6. in-document coreference: a person's surname alone after the full name (لافروف after
   سيرغي لافروف), a role noun with a nationality ("الوزير الروسي") for the last such person.

The rules for ambiguous names are in docs/linking.md.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from marsad.kb import ActorEntry, ActorKB, AliasHit
from marsad.lang.base import Language
from marsad.matcher import Match, PhraseMatcher
from marsad.model import Actor, ActorRef, Span
from marsad.resources import Resources
from marsad.text import Doc

# Prepositions that attach a destination to a title ("مبعوث الأمم المتحدة إلى اليمن").
_TITLE_LINKS = frozenset({"الي", "لدي", "في"})

# Name tokens that cannot be surnames on their own (too common to link).
_NOT_SURNAME = {"بن", "ابن", "بنت", "ابو", "ام", "ال", "عبد", "الله", "الدين", "محمد", "احمد", "علي"}


@dataclass(frozen=True, slots=True)
class MentionRef:
    """One mention of actor number ``actor`` at [start, end)."""

    start: int
    end: int
    actor: int
    kind: str  # name | capital | adjective | title | agent | surname | ner | role
    tok_i: int
    tok_j: int


@dataclass
class ActorIndex:
    """The actors of a document and where each is mentioned, for the later extractors.

    ``mentions`` holds the top-level (non-nested) mentions in text order; an actor's full
    list of surface forms (nested ones included) is in ``actors[i].mentions``.
    """

    doc: Doc
    actors: list[Actor] = field(default_factory=list)
    mentions: list[MentionRef] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False)

    def finalize(self) -> None:
        self.mentions.sort(key=lambda m: (m.start, -m.end))
        self._starts = [m.start for m in self.mentions]

    def in_span(self, start: int, end: int) -> list[MentionRef]:
        """Mentions lying within [start, end), in text order."""
        lo = bisect.bisect_left(self._starts, start)
        out = []
        for m in self.mentions[lo:]:
            if m.start >= end:
                break
            if m.end <= end:
                out.append(m)
        return out

    def at(self, offset: int) -> MentionRef | None:
        """The mention covering character ``offset``, if any."""
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            m = self.mentions[i]
            if m.start <= offset < m.end:
                return m
            if offset - m.start > 300:
                break
            i -= 1
        return None

    def starting_at_token(self, tok: int) -> MentionRef | None:
        """The mention whose first token is ``tok``."""
        t = self.doc.tokens[tok]
        i = bisect.bisect_right(self._starts, t.end) - 1
        while i >= 0 and self.mentions[i].start >= t.start:
            if self.mentions[i].tok_i == tok:
                return self.mentions[i]
            i -= 1
        return None

    def ref(self, m: MentionRef) -> ActorRef:
        return self.actors[m.actor].ref(Span(self.doc.text[m.start:m.end], m.start, m.end))


# -- internal candidates ------------------------------------------------------------------


@dataclass
class _Ident:
    """An actor identity being built: a KB entry or an unknown actor."""

    key: str
    name: str
    type: str
    country: str | None
    role: str | None
    kb_id: str | None = None
    wikidata: str | None = None
    spans: dict[tuple[int, int], str] = field(default_factory=dict)
    forms: list[tuple[int, str]] = field(default_factory=list)  # (strength, name form) for unknowns


@dataclass
class _Cand:
    i: int  # token span [i, j)
    j: int
    start: int
    end: int
    key: str  # identity key
    kind: str
    prio: int  # higher wins among overlapping candidates


class _Builder:
    def __init__(self, doc: Doc, kb: ActorKB, published: dt.date | None) -> None:
        self.doc = doc
        self.kb = kb
        self.lang: Language = kb.lang
        self.day = published.isoformat() if published else None
        self.idents: dict[str, _Ident] = {}
        self.cands: list[_Cand] = []
        self.nested: list[_Cand] = []  # mentions inside others (adjectives in titles)

    # identities
    def kb_ident(self, e: ActorEntry) -> _Ident:
        ident = self.idents.get(e.id)
        if ident is None:
            ident = _Ident(e.id, e.name, e.type, e.country, e.role, e.id, e.wikidata)
            self.idents[e.id] = ident
        return ident

    def unknown_ident(self, name: str, typ: str, country: str | None, role: str | None) -> _Ident:
        key = "u:" + typ + ":" + self.lang.normalize_key(name)
        ident = self.idents.get(key)
        if ident is None:
            ident = _Ident(key, name, typ, country, role)
            self.idents[key] = ident
        else:
            if ident.country is None and country:
                ident.country = country
            if ident.role is None and role:
                ident.role = role
        return ident

    def add(self, i: int, j: int, start: int, end: int, ident: _Ident, kind: str, prio: int,
            form: str | None = None, names: bool = True) -> _Cand:
        c = _Cand(i, j, start, end, ident.key, kind, prio)
        self.cands.append(c)
        if ident.kb_id is None and names:
            ident.forms.append((prio, form or self.doc.text[start:end]))
        return c


def _match_start(doc: Doc, m: Match[Any]) -> int:
    return m.start


def _is_locative(doc: Doc, m: Match[Any], lang: Language) -> bool:
    """A place name after في/إلى/من/بـ names where something happened, not who acted."""
    words, prefixes = _locatives(lang)
    if m.prefix and lang.normalize_key(m.prefix) in prefixes:
        return True
    if m.i > 0:
        prev = doc.tokens[m.i - 1].key
        if prev in words:
            return True
        for _n, stem in lang.prefix_variants(prev, False)[1:]:
            if stem in words:
                return True
    return False


def _institution_before(doc: Doc, i: int, lang: Language) -> bool:
    """Is token i-1 a word such as جامعة/مستشفى/مطار that names something after a person?"""
    cache = lang.cache
    words = cache.get("actors.institutions")
    if words is None:
        data = lang.data("agents.yaml") or {}
        words = cache["actors.institutions"] = frozenset(
            lang.normalize_key(w) for w in data.get("institution_words", []))
    prev = doc.tokens[i - 1].key
    if prev in words:
        return True
    return any(stem in words for _n, stem in lang.prefix_variants(prev, True)[1:])


def _gender(title_key: str) -> str:
    """Grammatical gender of a title word: وزيرة/رئيسة/المتحدثة (ة, folded to ه) are feminine."""
    return "f" if title_key.endswith("ه") and not title_key.endswith(("اه", "وه")) else "m"


def _not_name_words(lang: Language) -> frozenset[str]:
    cache = lang.cache
    if "actors.not_name" not in cache:
        data = lang.data("agents.yaml") or {}
        cache["actors.not_name"] = frozenset(lang.normalize_key(w) for w in data.get("not_name_words", []))
    return cache["actors.not_name"]


def _locatives(lang: Language) -> tuple[frozenset[str], frozenset[str]]:
    cache = lang.cache
    if "actors.locative" not in cache:
        data = lang.data("agents.yaml") or {}
        cache["actors.locative"] = (
            frozenset(lang.normalize_key(w) for w in data.get("locative_words", [])),
            frozenset(lang.normalize_key(w) for w in data.get("locative_prefixes", [])),
        )
    return cache["actors.locative"]


def _agents_matcher(lang: Language) -> tuple[PhraseMatcher[tuple[str, bool]], set[str], PhraseMatcher[str]]:
    cache = lang.cache
    if "actors.agents" not in cache:
        data = lang.data("agents.yaml") or {}
        m: PhraseMatcher[tuple[str, bool]] = PhraseMatcher(lang, article=False)
        for a in data.get("agents", []):
            for form in a["ar"]:
                m.add(form, (a["role"], bool(a.get("as_state"))))
        hon = {lang.normalize_key(h) for h in data.get("honorifics", [])}
        roles: PhraseMatcher[str] = PhraseMatcher(lang, article=False)
        for r in data.get("role_nouns", []):
            for form in r["ar"]:
                roles.add(form, r["office_hint"])
        cache["actors.agents"] = (m, hon, roles)
    return cache["actors.agents"]


def extract_actors(doc: Doc, published: dt.date | None, res: Resources) -> ActorIndex:
    """Find, link and merge every actor mention of ``doc``."""
    kb = res.kb
    lang = kb.lang
    b = _Builder(doc, kb, published)
    tokens = doc.tokens
    n = len(tokens)

    # 1. nationality adjectives (also evidence for ambiguous names of their state)
    adj_at: dict[int, tuple[Match[str], str]] = {}
    adj_end: dict[int, str] = {}  # token index one past an adjective → its state
    for m in kb.adjective_matcher.find(doc):
        cid = m.payloads[0]
        adj_at[m.i] = (m, cid)
        adj_end[m.j] = cid

    # 2. dictionary names (all candidates; overlaps resolved at the end)
    kb_matches = kb.matcher.find_all(doc)
    traps = _traps(lang)
    evidence: set[str] = {cid for _m, cid in adj_at.values()}
    for m in kb_matches:
        for h in m.payloads:
            if h.kind in ("name", "capital"):
                evidence.add(h.actor_id)
    # person tokens known to the KB, for "title + name" detection
    per_at: dict[int, tuple[Match[AliasHit], ActorEntry]] = {}
    for m in kb_matches:
        if _trapped(doc, m, traps):
            continue
        hits = list(m.payloads)
        # an adjective right before or after decides: "العاصمة الأردنية عمان", "عمان الأردنية"
        adjacent = {adj_end.get(m.i), adj_at[m.j][1] if m.j in adj_at else None} - {None}
        chosen = _choose_hit(hits, evidence, kb, adjacent)  # type: ignore[arg-type]
        if chosen is None:
            continue
        e = kb.entries[chosen.actor_id]
        is_capital = chosen.kind == "capital" or (
            chosen.kind == "ambiguous" and kb.key(chosen.alias) in {kb.key(c) for c in e.capitals})
        if is_capital:
            q = doc.quote_region_at(m.start)
            if q is not None and q.end - q.start <= (m.end - m.start) + 2:
                # «الرياض» on its own in quote marks names a newspaper, not the state
                ident = b.unknown_ident(m.surface, "ORG", e.country, "MED")
                b.add(m.i, m.j, m.start, m.end, ident, "name", 50 + 10 * len(m))
                continue
            if _is_locative(doc, m, lang):
                ident = b.unknown_ident(m.text if not m.prefix else doc.text[m.start:m.end], "LOC", e.country, None)
                b.add(m.i, m.j, m.start, m.end, ident, "capital", 50 + 10 * len(m))
                continue
            b.add(m.i, m.j, m.start, m.end, b.kb_ident(e), "capital", 50 + 10 * len(m))
            continue
        if e.type == "PER" and m.i > 0 and not m.prefix and _institution_before(doc, m.i, lang):
            # "جامعة الملك عبدالعزيز", "مستشفى الملك فهد": a place or body named after a person
            k = m.i - 1
            form = doc.text[tokens[k].start:m.end]
            ident = b.unknown_ident(form, "ORG", e.country, None)
            b.add(k, m.j, tokens[k].start, m.end, ident, "name", 65 + 10 * (m.j - k), form)
            continue
        ident = b.kb_ident(e)
        prio = (60 if chosen.kind == "name" else 40) + 10 * len(m)
        b.add(m.i, m.j, m.start, m.end, ident, "name", prio)
        if e.type == "PER":
            prev = per_at.get(m.i)
            if prev is None or len(prev[0]) < len(m):
                per_at[m.i] = (m, e)

    # country / organisation names that can follow a title or agent noun ("خارجية روسيا")
    gpe_at: dict[int, tuple[Match[AliasHit], ActorEntry]] = {}
    for m in kb_matches:
        for h in m.payloads:
            e = kb.entries[h.actor_id]
            if e.type in ("GPE", "ORG") and h.kind in ("name", "capital"):
                prev = gpe_at.get(m.i)
                if prev is None or len(prev[0]) < len(m):
                    gpe_at[m.i] = (m, e)

    # 3. NER entities
    ner_ents = []
    if res.ner is not None:
        try:
            ner_ents = res.ner.tag(doc)
        except Exception:  # a model problem must not lose the dictionary's results
            ner_ents = []
    ner_per_at: dict[int, Any] = {}
    for ent in ner_ents:
        if ent.label in ("PERS", "PER"):
            ner_per_at[ent.tok_i] = ent

    agents, honorifics, role_nouns = _agents_matcher(lang)
    not_name = _not_name_words(lang)

    inner: list[_Cand] = []  # states/organisations named inside a title: actors in their own right

    def country_after(j: int) -> tuple[int, str | None, int]:
        """Country named at token j (adjective or name in construct): (end token, code, end char)."""
        if j < n and j in adj_at:
            m, cid = adj_at[j]
            return m.j, cid, m.end
        if j < n and j in gpe_at:
            m, e = gpe_at[j]
            inner.append(_Cand(m.i, m.j, m.start, m.end, b.kb_ident(e).key, "name", 0))
            return m.j, e.country, m.end
        return j, None, tokens[j - 1].end if j > 0 else 0

    def person_after(j: int) -> tuple[int, int, int, _Ident | None]:
        """A person named at token j, allowing honorifics in between: (i, j, start, ident)."""
        k = j
        for _ in range(3):
            if k < n and tokens[k].key in honorifics:
                k += 1
            else:
                break
        if k < n and k in per_at:
            m, e = per_at[k]
            return m.i, m.j, m.start, b.kb_ident(e)
        if k < n and k in ner_per_at:
            ent = ner_per_at[k]
            return ent.tok_i, ent.tok_j, ent.start, None
        return k, k, -1, None

    # 4. titles
    title_spans: list[tuple[int, int]] = []
    # office id → who held it in this document so far, with the title's grammatical gender
    # ("وزيرة الخارجية" is a woman: a later bare "وزير الخارجية" is not her)
    office_seen: dict[str, list[tuple[str, _Ident]]] = {}
    for m in kb.office_matcher.find(doc):
        office = kb.offices.get(m.payloads[0])
        if office is None:
            continue
        end_tok, country, end_char = country_after(m.j)
        for k in range(m.i, m.j):  # "مبعوث الأمم المتحدة": the UN is an actor too
            if k in gpe_at and gpe_at[k][0].j <= m.j:
                gm, ge = gpe_at[k]
                inner.append(_Cand(gm.i, gm.j, gm.start, gm.end, b.kb_ident(ge).key, "name", 0))
        if office.igo:
            country = country or office.igo
        role = office.role
        if office.id == "spokesperson" and m.j in gpe_at and end_tok == gpe_at[m.j][0].j:
            # "المتحدث باسم X": the body X gives the spokesperson's role (and its nationality
            # adjective, "مجلس الأمن القومي الأمريكي", the country when X has none)
            ge = gpe_at[m.j][1]
            if ge.type == "ORG" and ge.role:
                role = ge.role
            adj_end, adj_country, adj_char = country_after(end_tok)
            if adj_end > end_tok:
                end_tok, end_char = adj_end, adj_char
                country = country or adj_country
        ti, tj = m.i, end_tok
        title_text_end = end_char if end_tok > m.j else m.end
        # "مبعوث الأمم المتحدة إلى اليمن X", "سفير السعودية لدى واشنطن X": the destination
        # belongs to the title
        pi, pj, pstart, pident = person_after(tj)
        if pj == pi and tj + 1 < n and tokens[tj].key in _TITLE_LINKS and tj + 1 in gpe_at:
            gm, ge = gpe_at[tj + 1]
            qi, qj, qstart, qident = person_after(gm.j)
            if qj > qi:  # only when a name follows: else "إلى روسيا" is the verb's, not the title's
                inner.append(_Cand(gm.i, gm.j, gm.start, gm.end, b.kb_ident(ge).key, "name", 0))
                tj, title_text_end = gm.j, gm.end
                pi, pj, _, pident = qi, qj, qstart, qident
        if pj > pi:  # a name follows the title
            if pident is None:  # NER person: an unknown actor with the title's country
                ent = ner_per_at[pi]
                pident = b.unknown_ident(doc.text[ent.start:ent.end], "PER", country, role)
                b.add(ent.tok_i, ent.tok_j, ent.start, ent.end, pident, "ner", 45 + 10 * (ent.tok_j - ent.tok_i))
            elif pident.country is None and country:
                pident.country = country
            # the title is a mention of the named person, not a name for them
            b.add(ti, tj, m.start, title_text_end, pident, "title", 55 + 10 * (tj - ti), names=False)
            title_spans.append((ti, tj))
            if office.id != "spokesperson":
                office_seen.setdefault(office.id, []).append((_gender(tokens[m.i].key), pident))
            continue
        if office.id == "spokesperson":
            continue
        if country is None:
            # a bare title ("وزير الخارجية") refers back to its holder named earlier
            gender = _gender(tokens[m.i].key)
            prev = next((ident for g, ident in reversed(office_seen.get(office.id, [])) if g == gender), None)
            if prev is not None and m.j - m.i >= 2:
                b.add(ti, tj, m.start, title_text_end, prev, "title", 25 + 10 * (tj - ti))
            continue
        holders = kb.holders(office.id, country, b.day)
        if len(holders) == 1:
            ident = b.kb_ident(holders[0])
            b.add(ti, tj, m.start, title_text_end, ident, "title", 55 + 10 * (tj - ti))
            title_spans.append((ti, tj))
            office_seen.setdefault(office.id, []).append((_gender(tokens[m.i].key), ident))
        elif not holders and end_tok > m.j:
            # an office holder we cannot name: the title is the actor's name
            text = doc.text[m.start:title_text_end]
            ident = b.unknown_ident(text, "PER", country, role)
            b.add(ti, tj, m.start, title_text_end, ident, "title", 35 + 10 * (tj - ti))
            title_spans.append((ti, tj))

    # 5. generic agents with a nationality ("الجيش الروسي", "حكومة اليمن")
    for m in agents.find(doc):
        role, as_state = m.payloads[0]
        end_tok, country, end_char = country_after(m.j)
        if country is None:
            continue
        form = ("ا" if m.restored else "") + doc.text[m.start:end_char]
        if as_state and country in kb.entries:
            ident = b.kb_ident(kb.entries[country])
        else:
            ident = b.unknown_ident(form, "ORG", country, role)
        b.add(m.i, end_tok, m.start, end_char, ident, "agent", 30 + 10 * (end_tok - m.i), form)

    # 6. NER names not in the dictionary
    person_toks: set[int] = set()
    for m, _e in per_at.values():
        person_toks.update(range(m.i, m.j))
    for ent in ner_ents:
        if ent.label in ("PERS", "PER"):
            person_toks.update(range(ent.tok_i, ent.tok_j))
    locative_toks: set[int] = set()
    for m, _e in gpe_at.values():
        if _is_locative(doc, m, lang):
            locative_toks.update(range(m.i, m.j))
    for ent in ner_ents:
        label = {"PERS": "PER", "PER": "PER", "ORG": "ORG", "LOC": "LOC"}.get(ent.label)
        if label is None:
            continue
        surface = doc.text[ent.start:ent.end]
        if not any("\u0621" <= ch <= "\u064a" for ch in surface):
            continue  # Latin boilerplate ("Next Previous") is not a name here
        if any(tokens[k].key in not_name or lang.prefix_variants(tokens[k].key, False)[-1][1] in not_name
               for k in range(ent.tok_i, ent.tok_j)):
            continue
        country = (_context_country(ent.tok_i, ent.tok_j, adj_at, gpe_at, tokens, person_toks, locative_toks)
                   if label != "LOC" else None)
        ident = b.unknown_ident(surface, label, country, None)
        b.add(ent.tok_i, ent.tok_j, ent.start, ent.end, ident, "ner", 20 + 10 * (ent.tok_j - ent.tok_i))

    # 7. resolve overlaps: keep the strongest, non-overlapping candidates
    chosen = _resolve(b.cands)
    chosen_spans = {(c.start, c.end) for c in chosen}
    b.nested.extend(c for c in inner if (c.start, c.end) not in chosen_spans)

    # 8. a lone name is a surname of a person named in full ("الجلال", and "السوداني" after
    # محمد شياع السوداني: before adjectives, so that the surname is not read as Sudan)
    chosen = _merge_lone_names(doc, b, chosen, honorifics, kb)
    covered = _Coverage(chosen)
    chosen.extend(_surnames(doc, b, chosen, covered))

    # 9. nationality adjectives → mentions of their state.  One inside a name or title
    # ("المنتخب التونسي", "وزير الخارجية الروسي") is recorded as a mention only when the
    # state is an actor of the document anyway: it does not make the state an actor.
    nested_adj: list[tuple[Match[str], ActorEntry]] = []
    for m, cid in adj_at.values():
        e = kb.entries.get(cid)
        if e is None:
            continue
        if covered.overlaps(m.start, m.end):
            nested_adj.append((m, e))
            continue
        ident = b.kb_ident(e)
        c = _Cand(m.i, m.j, m.start, m.end, ident.key, "adjective", 10)
        chosen.append(c)
        covered.add(c)
    acting = {c.key for c in chosen}
    for m, e in nested_adj:
        if e.id in acting:
            b.nested.append(_Cand(m.i, m.j, m.start, m.end, e.id, "adjective", 10))

    # 10. role nouns with a nationality ("الوزير الروسي") for the last such person
    chosen.extend(_role_references(doc, b, chosen, covered, role_nouns, adj_at))

    return _build_index(doc, b, chosen)


def _choose_hit(hits: list[AliasHit], evidence: set[str], kb: ActorKB,
                adjacent: set[str] | None = None) -> AliasHit | None:
    """Pick what an alias means here (docs/linking.md §2).

    A plain name wins.  An ambiguous alias ("كيم", "عمان") takes the candidate that an
    adjacent nationality adjective names, else the one the document also names
    unambiguously (by name, capital or adjective); failing that, the dictionary's
    ``default_for`` reading; failing that, nothing (a missed mention is better than a wrong
    identity).
    """
    names = [h for h in hits if h.kind == "name"]
    if len(names) == 1:
        return names[0]
    if len(names) > 1:
        return None
    caps = [h for h in hits if h.kind == "capital"]
    if len(caps) == 1:
        return caps[0]
    amb = [h for h in hits if h.kind == "ambiguous"]
    if not amb:
        return None
    if adjacent:
        local = [h for h in amb if h.actor_id in adjacent]
        if len({h.actor_id for h in local}) == 1:
            return local[0]
    decided = [h for h in amb if h.actor_id in evidence]
    if len({h.actor_id for h in decided}) == 1:
        return decided[0]
    default = kb.default_for(amb[0].alias)
    if default is not None:
        for h in amb:
            if h.actor_id == default.id:
                return h
    return None


def _traps(lang: Language) -> list[tuple[tuple[str, ...], frozenset[str], frozenset[str]]]:
    """Aliases that are not names before/after given words (lang data: linking.yaml)."""
    cache = lang.cache
    if "actors.traps" not in cache:
        from marsad.matcher import phrase_keys

        out = []
        data = lang.data("linking.yaml") or {}
        for t in data.get("not_a_name", []):
            out.append((tuple(phrase_keys(t["alias"], lang)),
                        frozenset(lang.normalize_key(w) for w in t.get("before", [])),
                        frozenset(lang.normalize_key(w) for w in t.get("after", []))))
        cache["actors.traps"] = out
    return cache["actors.traps"]


def _trapped(doc: Doc, m: Match[Any], traps: list[tuple[tuple[str, ...], frozenset[str], frozenset[str]]]) -> bool:
    if not traps:
        return False
    toks = doc.tokens
    keys = tuple(t.key for t in toks[m.i:m.j])
    first = doc.lang.prefix_variants(keys[0], False)
    for alias, before, after in traps:
        if len(alias) != len(keys) or keys[1:] != alias[1:] or all(stem != alias[0] for _n, stem in first):
            continue
        if after and m.j < len(toks) and toks[m.j].key in after:
            return True
        if before and m.i > 0 and toks[m.i - 1].key in before:
            return True
    return False


def _context_country(i: int, j: int, adj_at: dict[int, Any], gpe_at: dict[int, Any], tokens: list[Any],
                     stop: set[int] | None = None, locative: set[int] | None = None) -> str | None:
    """The country that the title or organisation before an unknown name gives it.

    A nationality adjective inside the name or up to 10 tokens back wins ("المختص النفطي
    الروسي ايجور ياكوفلف"); else a state named up to 7 tokens back, unless it is a place
    ("... في لبنان وليد الجلال" says where, not whose).  The search stops at the sentence
    boundary, at punctuation and at another person's name.
    """
    for k in range(i, j):
        if k in adj_at:
            return adj_at[k][1]
    sent = tokens[i].sent
    stop = stop or set()
    locative = locative or set()
    gpe: str | None = None
    for k in range(i - 1, max(-1, i - 11), -1):
        if tokens[k].sent != sent or tokens[k].text in ".،,:؛\"“”«»()" or k in stop:
            break
        if k in adj_at:
            return adj_at[k][1]
        if gpe is None and k in gpe_at and i - k <= 7 and k not in locative:
            gpe = gpe_at[k][1].country
    return gpe


class _Coverage:
    def __init__(self, cands: list[_Cand]) -> None:
        self.spans = sorted((c.start, c.end) for c in cands)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_left(self.spans, (e, -1))
        for k in range(max(0, i - 8), min(len(self.spans), i + 1)):
            a, z = self.spans[k]
            if a < e and s < z:
                return True
        return False

    def add(self, c: _Cand) -> None:
        bisect.insort(self.spans, (c.start, c.end))


def _resolve(cands: list[_Cand]) -> list[_Cand]:
    cands = sorted(cands, key=lambda c: (-c.prio, c.start))
    out: list[_Cand] = []
    cov = _Coverage([])
    for c in cands:
        if cov.overlaps(c.start, c.end):
            continue
        out.append(c)
        cov.add(c)
    return out


def _merge_lone_names(doc: Doc, b: _Builder, chosen: list[_Cand], honorifics: set[str],
                      kb: ActorKB) -> list[_Cand]:
    """A one-word name the NER found ("الجلال") is the surname of the person named in full
    ("وليد بن على الجلال") when exactly one such person is in the document; a one-word NER
    name with no title or honorific before it and no full form is dropped (one word alone
    is too often an ordinary word: صالح، جودة، رضا)."""
    full: dict[str, set[str]] = {}
    title_ends = {x.j for x in b.cands if x.kind == "title"}
    for c in chosen:
        ident = b.idents[c.key]
        if ident.type == "PER" and c.j - c.i >= 2 and c.kind in ("name", "ner"):
            full.setdefault(doc.tokens[c.j - 1].key, set()).add(c.key)
    out: list[_Cand] = []
    for c in chosen:
        ident = b.idents[c.key]
        if c.kind == "ner" and ident.kb_id is None and ident.type == "PER" and c.j - c.i == 1:
            owners = full.get(doc.tokens[c.i].key, set()) - {c.key}
            if len(owners) == 1:
                c = _Cand(c.i, c.j, c.start, c.end, next(iter(owners)), "surname", c.prio)
            else:
                prev = doc.tokens[c.i - 1].key if c.i > 0 else ""
                if prev not in honorifics and c.i not in title_ends:
                    continue
        out.append(c)
    return out


def _surnames(doc: Doc, b: _Builder, chosen: list[_Cand], covered: _Coverage) -> list[_Cand]:
    """Link a lone surname to the person named in full elsewhere in the document."""
    lang = b.lang
    surname: dict[str, str] = {}
    for c in chosen:
        ident = b.idents[c.key]
        if ident.type != "PER" or c.kind not in ("name", "ner") or c.j - c.i < 2:
            continue
        last = doc.tokens[c.j - 1].key
        if len(last) >= 3 and last not in _NOT_SURNAME:
            if surname.get(last, c.key) != c.key:
                surname[last] = ""  # two people share it: do not link
            else:
                surname[last] = c.key
    out: list[_Cand] = []
    if not surname:
        return out
    # look at each distinct word once (with its clitic variants), then at its positions
    found: list[tuple[int, int, str]] = []
    ends = tuple(surname)
    for k, positions in doc.key_positions.items():
        if not k.endswith(ends):  # one C call rules out almost every word
            continue
        for n, stem in lang.prefix_variants(k, False):
            key = surname.get(stem)
            if key:
                found.extend((i, n, key) for i in positions)
                break
    for i, n, key in sorted(found):
        t = doc.tokens[i]
        start = t.start + (n if len(t.key) == len(t.text) else 0)
        if covered.overlaps(start, t.end):
            continue
        c = _Cand(t.i, t.i + 1, start, t.end, key, "surname", 5)
        out.append(c)
        covered.add(c)
    return out


def _role_references(doc: Doc, b: _Builder, chosen: list[_Cand], covered: _Coverage,
                     role_nouns: PhraseMatcher[str], adj_at: dict[int, Any]) -> list[_Cand]:
    """"الوزير الروسي" → the last person of that country mentioned before it."""
    out: list[_Cand] = []
    persons = sorted((c for c in chosen if b.idents[c.key].type == "PER"), key=lambda c: c.start)
    if not persons:
        return out
    for m in role_nouns.find(doc):
        if covered.overlaps(m.start, m.end):
            continue
        country = None
        end_tok, end_char = m.j, m.end
        if m.j in adj_at:
            am, country = adj_at[m.j]
            end_tok, end_char = am.j, am.end
        if country is None:
            continue
        prev = [c for c in persons if c.end <= m.start and b.idents[c.key].country == country]
        if not prev:
            continue
        target = prev[-1]
        if covered.overlaps(m.start, end_char):
            continue
        c = _Cand(m.i, end_tok, m.start, end_char, target.key, "role", 5)
        out.append(c)
        covered.add(c)
    return out


def _build_index(doc: Doc, b: _Builder, chosen: list[_Cand]) -> ActorIndex:
    idx = ActorIndex(doc)
    order: dict[str, int] = {}
    for c in sorted(chosen + b.nested, key=lambda c: c.start):
        if c.key not in order:
            order[c.key] = len(order)
    for c in chosen + b.nested:
        ident = b.idents[c.key]
        ident.spans.setdefault((c.start, c.end), c.kind)
    for key in order:
        ident = b.idents[key]
        if ident.kb_id is None and ident.forms:
            # unknown actors: the fullest form of the strongest kind of mention names them
            top = max(p for p, _ in ident.forms)
            ident.name = max((f for p, f in ident.forms if p >= top - 30), key=len)
        spans = tuple(Span(doc.text[s:e], s, e) for (s, e) in sorted(ident.spans))
        idx.actors.append(Actor(ident.name, ident.type, ident.country, ident.role, ident.kb_id,
                                ident.wikidata, spans))
    for c in chosen:
        idx.mentions.append(MentionRef(c.start, c.end, order[c.key], c.kind, c.i, c.j))
    idx.finalize()
    return idx


def unknown_actor_id(name: str, type_: str, country: str | None) -> str:
    """A stable id for an actor the dictionary does not know (for the store)."""
    h = hashlib.sha1(f"{type_}|{country}|{name}".encode()).hexdigest()[:12]
    return f"x-{h}"
