"""marsad's one data model: an Article goes in, an Analysis comes out.

Everything extracted is a small frozen dataclass that carries character offsets into
``Analysis.text`` (the cleaned text), so that ``text[start:end] == span.text`` always holds
and the UI can highlight it.  Serialisation to and from plain dicts (and hence JSON) lives
here and nowhere else; ``analysis_json_schema()`` returns the JSON Schema that documents the
output and that the tests validate against.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from typing import Any

SCHEMA_VERSION = "1.0"

ACTOR_TYPES = ("PER", "ORG", "GPE", "LOC")
QUOTE_KINDS = ("direct", "indirect")
MODES = ("asserted", "claimed", "denied", "negated", "future", "hypothetical")
PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the analysed text: ``text == analysed_text[start:end]``."""

    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(d["text"], int(d["start"]), int(d["end"]))


@dataclass(frozen=True, slots=True)
class ActorRef:
    """A pointer to an actor from a quote or an event.

    ``name`` is the actor's canonical name (as in ``Analysis.actors``); ``mention`` is the
    surface form at this place in the text, when there is one.
    """

    name: str
    country: str | None = None
    role: str | None = None
    actor_id: str | None = None
    mention: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "country": self.country, "role": self.role}
        if self.actor_id:
            d["id"] = self.actor_id
        if self.mention is not None:
            d.update(self.mention.to_dict())
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ActorRef | None:
        if not d:
            return None
        mention = Span.from_dict(d) if "start" in d and d.get("start") is not None else None
        return cls(d["name"], d.get("country"), d.get("role"), d.get("id"), mention)


@dataclass(frozen=True, slots=True)
class Actor:
    """A distinct real-world actor named in one article, with every mention of it."""

    name: str
    type: str
    country: str | None
    role: str | None = None
    actor_id: str | None = None  # id in the actor knowledge base, None for unknown actors
    wikidata: str | None = None
    mentions: tuple[Span, ...] = ()

    def ref(self, mention: Span | None = None) -> ActorRef:
        return ActorRef(self.name, self.country, self.role, self.actor_id, mention)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "country": self.country,
            "role": self.role,
            "id": self.actor_id,
            "wikidata": self.wikidata,
            "mentions": [m.to_dict() for m in self.mentions],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Actor:
        return cls(
            d["name"], d["type"], d.get("country"), d.get("role"), d.get("id"), d.get("wikidata"),
            tuple(Span.from_dict(m) for m in d.get("mentions", [])),
        )


@dataclass(frozen=True, slots=True)
class Quote:
    """Words attributed to a speaker: a direct quotation or reported (indirect) speech."""

    text: str
    start: int
    end: int
    kind: str
    cue: str | None = None
    speaker: ActorRef | None = None
    via: ActorRef | None = None  # the agency/outlet that relayed it ("نقلت وكالة X عن Y")

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "start": self.start, "end": self.end, "kind": self.kind,
            "cue": self.cue,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "via": self.via.to_dict() if self.via else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quote:
        return cls(
            d["text"], int(d["start"]), int(d["end"]), d["kind"], d.get("cue"),
            ActorRef.from_dict(d.get("speaker")), ActorRef.from_dict(d.get("via")),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One coded interaction.  ``mode`` keeps claims apart from facts."""

    type: str
    cameo: str
    goldstein: float | None
    quad_class: int | None
    mode: str
    date: str | None
    source: ActorRef | None
    target: ActorRef | None
    trigger: Span
    sentence: tuple[int, int]
    quote_index: int | None = None
    # For the types the occurrence model covers (PROTEST, ASSAULT): how likely the sentence
    # reports one taking place, rather than mentioning it in the background, as history, a
    # threat or a count (marsad/occurrence.py); None for other types.
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type, "cameo": self.cameo, "goldstein": self.goldstein,
            "quad_class": self.quad_class, "mode": self.mode, "date": self.date,
            "source": self.source.to_dict() if self.source else None,
            "target": self.target.to_dict() if self.target else None,
            "trigger": self.trigger.to_dict(),
            "sentence": {"start": self.sentence[0], "end": self.sentence[1]},
            "quote_index": self.quote_index,
            "confidence": self.confidence,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(
            d["type"], d["cameo"], d.get("goldstein"), d.get("quad_class"), d["mode"], d.get("date"),
            ActorRef.from_dict(d.get("source")), ActorRef.from_dict(d.get("target")),
            Span.from_dict(d["trigger"]), (d["sentence"]["start"], d["sentence"]["end"]),
            d.get("quote_index"), d.get("confidence"),
        )


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A time expression with its calendar value (``YYYY-MM-DD``, ``YYYY-Www``, ``YYYY-MM``, ``YYYY``)."""

    text: str
    start: int
    end: int
    value: str | None

    @property
    def precision(self) -> str | None:
        v = self.value or ""
        if "W" in v:
            return "week"
        return {10: "day", 7: "month", 4: "year"}.get(len(v))

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "value": self.value,
                "precision": self.precision}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TimeExpr:
        return cls(d["text"], int(d["start"]), int(d["end"]), d.get("value"))


@dataclass(frozen=True, slots=True)
class Article:
    """An article as it arrives: raw text plus whatever metadata the source gave."""

    text: str
    id: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD), the anchor for relative times
    url: str | None = None
    source: str | None = None
    language: str | None = None

    def with_id(self) -> Article:
        """Fill in a stable id: a hash of the URL when there is one, else of the normalised text."""
        if self.id:
            return self
        return replace(self, id=article_id(self.url, self.text))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        names = {f.name for f in fields(cls)}
        kw = {k: d[k] for k in names if k in d and d[k] is not None}
        if "text" not in kw:
            for alt in ("content", "body"):
                if d.get(alt):
                    kw["text"] = d[alt]
                    break
        if "text" not in kw:
            raise ValueError("record has no 'text' field")
        if not isinstance(kw["text"], str):
            raise ValueError("'text' must be a string")
        for k in ("id", "title", "published", "url", "source", "language"):
            if k in kw and not isinstance(kw[k], str):
                kw[k] = str(kw[k])
        return cls(**kw)


def article_id(url: str | None, text: str) -> str:
    """Stable article id: sha1 of the URL, or of the whitespace-normalised text."""
    if url:
        basis = "url:" + url.strip()
    else:
        basis = "text:" + " ".join(text.split())
    return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything marsad found in one article.  ``text`` is what the offsets refer to."""

    id: str
    text: str
    title: str | None = None
    published: str | None = None
    language: str | None = None
    url: str | None = None
    source: str | None = None
    actors: tuple[Actor, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()
    times: tuple[TimeExpr, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id, "title": self.title, "published": self.published,
            "language": self.language, "url": self.url, "source": self.source,
            "text": self.text,
            "actors": [a.to_dict() for a in self.actors],
            "quotes": [q.to_dict() for q in self.quotes],
            "events": [e.to_dict() for e in self.events],
            "times": [t.to_dict() for t in self.times],
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Analysis:
        return cls(
            d["id"], d["text"], d.get("title"), d.get("published"), d.get("language"),
            d.get("url"), d.get("source"),
            tuple(Actor.from_dict(a) for a in d.get("actors", [])),
            tuple(Quote.from_dict(q) for q in d.get("quotes", [])),
            tuple(Event.from_dict(e) for e in d.get("events", [])),
            tuple(TimeExpr.from_dict(t) for t in d.get("times", [])),
            tuple(d.get("warnings", [])),
        )

    def spans(self) -> list[Span]:
        """Every span in the analysis, for checking ``text[start:end] == span.text``."""
        out: list[Span] = []
        for a in self.actors:
            out.extend(a.mentions)
        for q in self.quotes:
            out.append(Span(q.text, q.start, q.end))
            for ref in (q.speaker, q.via):
                if ref and ref.mention:
                    out.append(ref.mention)
        for e in self.events:
            out.append(e.trigger)
            for ref in (e.source, e.target):
                if ref and ref.mention:
                    out.append(ref.mention)
        out.extend(Span(t.text, t.start, t.end) for t in self.times)
        return out


def analysis_json_schema() -> dict[str, Any]:
    """The JSON Schema of one analysis record (shipped as marsad/schema/analysis.schema.json)."""
    text = resources.files("marsad.schema").joinpath("analysis.schema.json").read_text("utf-8")
    return json.loads(text)
