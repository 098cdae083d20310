"""Turning an article and its Analysis into table rows, and rows back into the model's dict.

Kept apart from the database code so that the conversion (ids of unknown actors, event
keys, date buckets) is one pure function that the Spark job can reuse to write the same
tables without a database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from marsad.lang.ar.normalize import _FOLD, DIACRITICS_RE, compare_key
from marsad.model import (
    SCHEMA_VERSION,
    Actor,
    ActorRef,
    Analysis,
    Event,
    Quote,
    TimeExpr,
)

STATUSES = ("ok", "not_analysed", "error")

_FOLD_ITEMS = tuple(_FOLD.items())

# Names and surface forms repeat across a corpus: cache their comparison keys.
_name_key = lru_cache(maxsize=200_000)(compare_key)


@dataclass
class StoredArticle:
    """One article as the store keeps it: metadata, cleaned text, and (optionally) its analysis.

    ``text`` is the text the analysis offsets refer to (``analysis.text`` when there is an
    analysis).  ``text_hash`` decides whether a re-written id carries the same article (then
    its analysis is replaced) or a different one (then the first is kept and a conflict is
    logged in ``ingest_errors``); it defaults to a hash of the whitespace-normalised text.
    """

    id: str
    text: str = ""
    url: str | None = None
    source: str | None = None
    title: str | None = None
    published: str | None = None
    language: str | None = None
    status: str = "ok"
    error: str | None = None
    analysis: Analysis | None = None
    text_hash: str | None = None
    minhash: bytes | None = None
    ingested_at: str | None = None
    cluster_id: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @classmethod
    def from_analysis(cls, analysis: Analysis, **kw: Any) -> StoredArticle:
        """A StoredArticle whose metadata and text come from ``analysis``."""
        base: dict[str, Any] = {
            "id": analysis.id, "text": analysis.text, "url": analysis.url, "source": analysis.source,
            "title": analysis.title, "published": analysis.published, "language": analysis.language,
            "analysis": analysis, "warnings": analysis.warnings,
        }
        base.update(kw)
        return cls(**base)

    def resolved_text(self) -> str:
        return self.analysis.text if self.analysis is not None else self.text

    def resolved_hash(self) -> str:
        return self.text_hash or text_hash(self.resolved_text())


def text_hash(text: str) -> str:
    """Hash of the whitespace-normalised text: same article → same hash."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _h(*parts: object, n: int = 16) -> str:
    s = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:n]


def actor_store_id(kb_id: str | None, name: str, country: str | None, type_: str | None = None) -> str:
    """The store id of an actor: its KB id, or ``_`` + a stable hash of (name, country, type).

    KB ids start with a letter or digit, so the ``_`` prefix can never collide with one.
    """
    if kb_id:
        return kb_id
    return "_" + _h(_name_key(name), country or "", type_ or "", n=12)


def ref_store_id(ref: ActorRef, actors_by_name: Mapping[str, Actor]) -> str:
    """Store id of an ActorRef, using the article's Actor of the same name for its type."""
    a = actors_by_name.get(ref.name)
    return actor_store_id(ref.actor_id, ref.name, ref.country, a.type if a else None)


def event_sig(source: str | None, target: str | None, type_: str, mode: str, date: str | None) -> str:
    """The part of the event key that does not depend on the cluster."""
    return _h(source or "", target or "", type_, mode, date or "")


def quote_sig(speaker_id: str | None, text: str) -> str:
    return _h(speaker_id or "", compare_key(text))


def date_precision(value: str | None) -> str | None:
    if not value:
        return None
    return TimeExpr("", 0, 0, value).precision


def _valid_day(s: str | None) -> dt.date | None:
    if not s or len(s) < 10:
        return None
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        return None


def effective_day(date: str | None, published: str | None) -> str | None:
    """The day an event is counted on in timelines.

    The coded date when it is a day; for a coarser date (week, month, year) the publication
    day when it falls inside that period (a "this month" event reported today), else the first
    day of the period; with no date, the publication day.
    """
    pub = _valid_day(published)
    if date:
        d = _valid_day(date)
        if d:
            return d.isoformat()
        lo, hi = _period_bounds(date)
        if lo is None or hi is None:
            return pub.isoformat() if pub else None
        if pub and lo <= pub <= hi:
            return pub.isoformat()
        return lo.isoformat()
    return pub.isoformat() if pub else None


def _period_bounds(value: str) -> tuple[dt.date | None, dt.date | None]:
    try:
        if "W" in value:
            y, w = value.split("-W")
            lo = dt.date.fromisocalendar(int(y), int(w), 1)
            return lo, lo + dt.timedelta(days=6)
        if len(value) == 7:
            y, m = int(value[:4]), int(value[5:7])
            lo = dt.date(y, m, 1)
            nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
            return lo, nxt - dt.timedelta(days=1)
        if len(value) == 4:
            return dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
    except ValueError:
        pass
    return None, None


def buckets(day: str | None) -> tuple[str | None, str | None]:
    """(ISO week ``YYYY-Www``, month ``YYYY-MM``) of a day."""
    d = _valid_day(day)
    if d is None:
        return None, None
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}", d.isoformat()[:7]


def _ref_cols(prefix: str, ref: ActorRef | None, sid: str | None) -> dict[str, Any]:
    m = ref.mention if ref else None
    return {
        f"{prefix}_id": sid,
        f"{prefix}_kb_id": ref.actor_id if ref else None,
        f"{prefix}_name": ref.name if ref else None,
        f"{prefix}_country": ref.country if ref else None,
        f"{prefix}_role": ref.role if ref else None,
        f"{prefix}_text": m.text if m else None,
        f"{prefix}_start": m.start if m else None,
        f"{prefix}_end": m.end if m else None,
    }


@dataclass
class ArticleRows:
    """Everything one StoredArticle writes, table by table."""

    article: dict[str, Any]
    actors: list[dict[str, Any]] = field(default_factory=list)
    article_actors: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    times: list[dict[str, Any]] = field(default_factory=list)
    signature: dict[str, Any] | None = None


def article_rows(item: StoredArticle, cluster_id: str | None = None, text_hash: str | None = None) -> ArticleRows:
    """All rows of one article; ``cluster_id`` is the article's cluster if already known."""
    a = item.analysis
    text = item.resolved_text()
    if item.status not in STATUSES:
        raise ValueError(f"article {item.id}: status {item.status!r} is not one of {', '.join(STATUSES)}")
    published = item.published if item.published is not None else (a.published if a else None)
    warnings = list(item.warnings or (a.warnings if a else ()))
    art = {
        "id": item.id, "url": item.url, "source": item.source, "title": item.title,
        "published": published, "language": item.language or (a.language if a else None),
        "ingested_at": item.ingested_at or now_iso(), "status": item.status, "error": item.error,
        "cluster_id": cluster_id or item.cluster_id, "text": text, "text_hash": text_hash or item.resolved_hash(),
        "n_chars": len(text), "warnings": json.dumps(warnings, ensure_ascii=False) if warnings else None,
        "schema_version": SCHEMA_VERSION if a is not None else None,
    }
    out = ArticleRows(art)
    if item.minhash is not None:
        out.signature = {"article_id": item.id, "minhash": bytes(item.minhash)}
    if a is None:
        return out
    cid = cluster_id or item.cluster_id or item.id
    day_pub = published[:10] if published else None
    by_name = {x.name: x for x in a.actors}
    seen: set[str] = set()
    for i, actor in enumerate(a.actors):
        sid = actor_store_id(actor.actor_id, actor.name, actor.country, actor.type)
        if sid not in seen:
            seen.add(sid)
            out.actors.append({
                "id": sid, "kb_id": actor.actor_id, "name": actor.name, "name_key": _name_key(actor.name),
                "type": actor.type, "country": actor.country, "role": actor.role, "wikidata": actor.wikidata,
            })
        out.article_actors.append({
            "article_id": item.id, "idx": i, "actor_id": sid, "name": actor.name, "type": actor.type,
            "country": actor.country, "role": actor.role, "kb_id": actor.actor_id, "wikidata": actor.wikidata,
        })
        for k, m in enumerate(actor.mentions):
            out.mentions.append({
                "article_id": item.id, "actor_idx": i, "idx": k, "actor_id": sid, "text": m.text,
                "key": _name_key(m.text), "start": m.start, "end": m.end,
            })
    # actors referred to by quotes/events but absent from Analysis.actors still get a row
    def ensure(ref: ActorRef | None) -> str | None:
        if ref is None:
            return None
        sid = ref_store_id(ref, by_name)
        if sid not in seen:
            seen.add(sid)
            t = by_name[ref.name].type if ref.name in by_name else None
            out.actors.append({
                "id": sid, "kb_id": ref.actor_id, "name": ref.name, "name_key": _name_key(ref.name),
                "type": t, "country": ref.country, "role": ref.role, "wikidata": None,
            })
        return sid

    for i, q in enumerate(a.quotes):
        sp = ensure(q.speaker)
        via = ensure(q.via)
        out.quotes.append({
            "article_id": item.id, "idx": i, "cluster_id": cid, "sig": quote_sig(sp, q.text),
            "text": q.text, "start": q.start, "end": q.end, "kind": q.kind, "cue": q.cue, "day": day_pub,
            **_ref_cols("speaker", q.speaker, sp), **_ref_cols("via", q.via, via),
        })
    lead_end = _lead_end(text)
    for i, e in enumerate(a.events):
        src = ensure(e.source)
        tgt = ensure(e.target)
        sc = e.source.country if e.source else None
        tc = e.target.country if e.target else None
        day = effective_day(e.date, published)
        week, month = buckets(day)
        out.events.append({
            "article_id": item.id, "idx": i, "cluster_id": cid,
            "sig": event_sig(sc, tc, e.type, e.mode, e.date),
            "type": e.type, "cameo": e.cameo, "goldstein": e.goldstein, "quad_class": e.quad_class,
            "mode": e.mode, "date": e.date, "date_precision": date_precision(e.date),
            "day": day, "week": week, "month": month,
            **_ref_cols("source", e.source, src), **_ref_cols("target", e.target, tgt),
            "source_country_key": sc or "", "target_country_key": tc or "",
            "trigger_text": e.trigger.text, "trigger_start": e.trigger.start, "trigger_end": e.trigger.end,
            "sentence_start": e.sentence[0], "sentence_end": e.sentence[1], "quote_index": e.quote_index,
            "is_root": e.sentence[0] < lead_end, "confidence": e.confidence,
        })
    for i, t in enumerate(a.times):
        out.times.append({"article_id": item.id, "idx": i, "text": t.text, "start": t.start, "end": t.end,
                          "value": t.value})
    return out


def _lead_end(text: str) -> int:
    """End of the first paragraph (the lead): GDELT's IsRootEvent counts events found there."""
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    i = stripped.find("\n")
    return offset + (i if i >= 0 else len(stripped))


def fast_key(s: str) -> str:
    """``normalize_key(s)``, computed for long texts: one regex pass for the marks, then a
    replace per folded letter actually present (str.translate with a dict table goes through
    Python per character: 5x slower on an article, measured on SaudiNewsNet).  The tests check
    that both agree."""
    s = DIACRITICS_RE.sub("", s)
    for k, v in _FOLD_ITEMS:
        if k in s:
            s = s.replace(k, v)
    return s.lower()


def fulltext_body(title: str | None, text: str) -> str:
    """What the full-text index holds: the normalised key of title and text."""
    return fast_key(f"{title}\n{text}" if title else text)


# -- rows back to the model -------------------------------------------------------------
def _ref_from(row: Mapping[str, Any], prefix: str) -> ActorRef | None:
    name = row[f"{prefix}_name"]
    if name is None:
        return None
    from marsad.model import Span

    start = row[f"{prefix}_start"]
    mention = Span(row[f"{prefix}_text"], start, row[f"{prefix}_end"]) if start is not None else None
    return ActorRef(name, row[f"{prefix}_country"], row[f"{prefix}_role"], row[f"{prefix}_kb_id"], mention)


def analysis_from_rows(
    art: Mapping[str, Any],
    actor_rows: Iterable[Mapping[str, Any]],
    mention_rows: Iterable[Mapping[str, Any]],
    quote_rows: Iterable[Mapping[str, Any]],
    event_rows: Iterable[Mapping[str, Any]],
    time_rows: Iterable[Mapping[str, Any]],
) -> Analysis:
    """Rebuild the Analysis of one article from its rows (the inverse of article_rows)."""
    from marsad.model import Span

    by_actor: dict[int, list[Span]] = {}
    for m in sorted(mention_rows, key=lambda r: (r["actor_idx"], r["idx"])):
        by_actor.setdefault(m["actor_idx"], []).append(Span(m["text"], m["start"], m["end"]))
    actors = tuple(
        Actor(r["name"], r["type"], r["country"], r["role"], r["kb_id"], r["wikidata"],
              tuple(by_actor.get(r["idx"], ())))
        for r in sorted(actor_rows, key=lambda r: r["idx"])
    )
    quotes = tuple(
        Quote(r["text"], r["start"], r["end"], r["kind"], r["cue"], _ref_from(r, "speaker"), _ref_from(r, "via"))
        for r in sorted(quote_rows, key=lambda r: r["idx"])
    )
    events = tuple(
        Event(r["type"], r["cameo"], r["goldstein"], r["quad_class"], r["mode"], r["date"],
              _ref_from(r, "source"), _ref_from(r, "target"),
              Span(r["trigger_text"], r["trigger_start"], r["trigger_end"]),
              (r["sentence_start"], r["sentence_end"]), r["quote_index"], r.get("confidence"))
        for r in sorted(event_rows, key=lambda r: r["idx"])
    )
    times = tuple(TimeExpr(r["text"], r["start"], r["end"], r["value"])
                  for r in sorted(time_rows, key=lambda r: r["idx"]))
    warnings = tuple(json.loads(art["warnings"])) if art.get("warnings") else ()
    return Analysis(
        id=art["id"], text=art["text"], title=art["title"], published=art["published"],
        language=art["language"], url=art["url"], source=art["source"],
        actors=actors, quotes=quotes, events=events, times=times, warnings=warnings,
    )


# -- the deduplicated event view ------------------------------------------------------------
#: Columns of an event mention that the event_keys row is computed from.
KEY_SOURCE_COLUMNS = ("cluster_id", "sig", "article_id", "idx", "type", "mode", "cameo", "goldstein",
                      "quad_class", "date", "day", "source_country_key", "target_country_key",
                      "source_id", "source_name", "source_country", "target_id", "target_name", "target_country")


def event_key_rows(mentions: Iterable[Mapping[str, Any]], outlet: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """One ``event_keys`` row per (cluster_id, sig) of ``mentions`` (all mentions of each key).

    ``outlet`` maps article id → outlet (for n_sources).  The representative mention is the
    first by (article id, index); the counted day is the earliest of the mentions.
    """
    groups: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for m in mentions:
        groups.setdefault((m["cluster_id"], m["sig"]), []).append(m)
    out = []
    for (cid, sig), ms in groups.items():
        rep = min(ms, key=lambda m: (m["article_id"], m["idx"]))
        days = [m["day"] for m in ms if m["day"]]
        day = min(days) if days else None
        gs = [m["goldstein"] for m in ms if m["goldstein"] is not None]
        quads = [m["quad_class"] for m in ms if m["quad_class"] is not None]
        cameos = [m["cameo"] for m in ms if m["cameo"]]
        week, month = buckets(day)
        arts = {m["article_id"] for m in ms}
        out.append({
            "cluster_id": cid, "sig": sig, "type": rep["type"], "mode": rep["mode"],
            "cameo": min(cameos) if cameos else None, "goldstein": sum(gs) / len(gs) if gs else None,
            "quad_class": min(quads) if quads else None, "date": rep["date"], "day": day, "week": week,
            "month": month, "source_country_key": rep["source_country_key"],
            "target_country_key": rep["target_country_key"], "rep_article_id": rep["article_id"],
            "rep_idx": rep["idx"], "n_mentions": len(ms), "n_articles": len(arts),
            "n_sources": len({outlet.get(a) for a in arts} - {None}),
        })
    return out


def dyad_day_deltas(added: Iterable[Mapping[str, Any]], removed: Iterable[Mapping[str, Any]] = ()
                    ) -> list[dict[str, Any]]:
    """The change to the ``dyad_days`` rollup when event_keys rows are added and removed."""
    cells: dict[tuple[str, str, str, str], list[float]] = {}
    for rows, sign in ((added, 1), (removed, -1)):
        for k in rows:
            if not k["day"]:
                continue  # undated events are in no timeline
            c = cells.setdefault((k["source_country_key"], k["target_country_key"], k["day"], k["mode"]),
                                 [0, 0, 0.0, 0, 0, 0, 0, 0])
            c[0] += sign
            c[1] += sign * k["n_mentions"]
            if k["goldstein"] is not None:
                c[2] += sign * k["goldstein"]
                c[3] += sign
            q = k["quad_class"]
            if q in (1, 2, 3, 4):
                c[3 + q] += sign
    out = []
    for (src, tgt, day, mode), c in cells.items():
        if not any(c):
            continue
        week, month = buckets(day)
        out.append({"source_country_key": src, "target_country_key": tgt, "day": day, "mode": mode,
                    "week": week, "month": month, "n_events": c[0], "n_mentions": c[1], "goldstein_sum": c[2],
                    "goldstein_n": c[3], "q1": c[4], "q2": c[5], "q3": c[6], "q4": c[7]})
    return out


def actor_key_rows(mentions: Iterable[Mapping[str, Any]], keys: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``actor_keys`` rows: one per (actor, event key) among ``mentions``, given the keys'
    ``event_keys`` rows (for the counted day and month)."""
    key_day = {(k["cluster_id"], k["sig"]): (k["day"], k["month"]) for k in keys}
    acc: dict[tuple[str, str, str], dict[str, Any]] = {}
    for m in sorted(mentions, key=lambda m: (m["article_id"], m["idx"])):
        ck = (m["cluster_id"], m["sig"])
        for role, other in (("source", "target"), ("target", "source")):
            aid = m[f"{role}_id"]
            if not aid:
                continue
            row = acc.get((aid, *ck))
            if row is None:
                day, month = key_day.get(ck, (None, None))
                acc[(aid, *ck)] = {
                    "actor_id": aid, "cluster_id": ck[0], "sig": ck[1], "role": role, "type": m["type"],
                    "mode": m["mode"], "quad_class": m["quad_class"], "day": day, "month": month,
                    "source_country_key": m["source_country_key"], "target_country_key": m["target_country_key"],
                    "counterpart_id": m[f"{other}_id"], "counterpart_name": m[f"{other}_name"],
                    "counterpart_country": m[f"{other}_country"], "n_mentions": 1,
                    "rep_article_id": m["article_id"], "rep_idx": m["idx"],
                }
            else:
                if row["role"] != role:
                    row["role"] = "both"
                if (row["rep_article_id"], row["rep_idx"]) != (m["article_id"], m["idx"]):
                    row["n_mentions"] += 1
    return list(acc.values())
