"""Actors in one document: find mentions, link them to identities, resolve later references.

(First version: dictionary matches only; titles, NER and coreference come next.)
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from marsad.model import Actor, ActorRef, Span
from marsad.resources import Resources
from marsad.text import Doc


@dataclass(frozen=True, slots=True)
class MentionRef:
    """One mention of actor number ``actor`` at [start, end)."""

    start: int
    end: int
    actor: int
    kind: str  # name | capital | adjective | title | surname | ner | coref
    tok_i: int
    tok_j: int


@dataclass
class ActorIndex:
    """The actors of a document and where each is mentioned, for the later extractors."""

    doc: Doc
    actors: list[Actor] = field(default_factory=list)
    mentions: list[MentionRef] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list, repr=False)

    def finalize(self) -> None:
        self.mentions.sort(key=lambda m: (m.start, -m.end))
        self._starts = [m.start for m in self.mentions]

    def in_span(self, start: int, end: int) -> list[MentionRef]:
        lo = bisect.bisect_left(self._starts, start)
        out = []
        for m in self.mentions[lo:]:
            if m.start >= end:
                break
            if m.end <= end:
                out.append(m)
        return out

    def at(self, offset: int) -> MentionRef | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            m = self.mentions[i]
            if m.start <= offset < m.end:
                return m
            if m.end <= offset and offset - m.start > 200:
                break
            i -= 1
        return None

    def ref(self, m: MentionRef) -> ActorRef:
        return self.actors[m.actor].ref(Span(self.doc.text[m.start:m.end], m.start, m.end))


def extract_actors(doc: Doc, published: dt.date | None, res: Resources) -> ActorIndex:
    kb = res.kb
    idx = ActorIndex(doc)
    by_id: dict[str, int] = {}
    spans: dict[int, list[Span]] = {}
    for m in kb.matcher.find(doc):
        hit = m.payloads[0]
        e = kb.entries[hit.actor_id]
        if hit.actor_id not in by_id:
            by_id[hit.actor_id] = len(idx.actors)
            idx.actors.append(Actor(e.name, e.type, e.country, e.role, e.id, e.wikidata, ()))
        a = by_id[hit.actor_id]
        spans.setdefault(a, []).append(Span(m.text, m.start, m.end))
        idx.mentions.append(MentionRef(m.start, m.end, a, hit.kind, m.i, m.j))
    idx.actors = [
        Actor(a.name, a.type, a.country, a.role, a.actor_id, a.wikidata, tuple(spans.get(k, ())))
        for k, a in enumerate(idx.actors)
    ]
    idx.finalize()
    return idx
