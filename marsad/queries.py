"""Every question the store answers, as a function returning plain dicts.

The CLI (``marsad timeline``, ``events`` ...), the web API and the tests call these same
functions; each returns JSON-able dicts and lists.  Filters are validated here: a bad value
raises :class:`QueryError` (a ValueError) with a one-line message (CLI exit 2, API 400).
SQL is built from parameters only.

Duplicates: articles in one cluster report the same story, so an event is counted once per
*event key* = (cluster, source country, target country, type, mode, date), with
``n_mentions`` / ``n_articles`` / ``n_sources`` as GDELT's NumMentions / NumArticles /
NumSources.  ``mentions=True`` returns every mention row instead.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    desc,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select

from marsad.lang.ar.normalize import (
    DIACRITICS_RE,
    compare_key,
    has_droppable,
    key_with_offsets,
    normalize_key,
)
from marsad.model import MODES, PLOVER_TYPES
from marsad.store import Store
from marsad.store import schema as S
from marsad.store.rows import fast_key

BUCKETS = ("day", "week", "month")
MAX_LIMIT = 10_000
QUAD_NAMES = {1: "verbal_cooperation", 2: "material_cooperation", 3: "verbal_conflict", 4: "material_conflict"}

_COUNTRY_RE = re.compile(r"^(?:[A-Z]{3}|IGO:[A-Z0-9]+)$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_IDX_BASE = 100_000  # mention refs are "article_id#1xxxxx" so that min() picks the first mention


class QueryError(ValueError):
    """A filter value that cannot be used (unknown country code, malformed date ...)."""


# -- validation ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _kb_countries() -> frozenset[str]:
    """Country codes of the shipped actor dictionary (loaded once per process)."""
    try:
        from marsad.kb import default_kb

        kb = default_kb()
    except Exception:  # a broken shipped KB must not break queries; the store still knows its data
        return frozenset()
    out = {e.id for e in kb.entries.values() if e.type == "GPE" and len(e.id) == 3 and e.id.isupper()}
    out.update(e.country for e in kb.entries.values() if e.country)
    return frozenset(out)


def known_countries(store: Store) -> set[str]:
    """Country codes a filter may use: the KB's states and every country in the store."""
    out = set(_kb_countries())
    with store.read() as conn:
        out.update(c for c in conn.scalars(select(S.actors.c.country).distinct()) if c)
    return out


def check_country(store: Store, code: str, what: str = "country", known: set[str] | None = None) -> str:
    """Upper-case ``code`` and check it: ISO alpha-3 known to the KB or store, or IGO:X."""
    c = (code or "").strip().upper()
    if c.startswith("IGO:") and _COUNTRY_RE.match(c):
        return c
    if not _COUNTRY_RE.match(c):
        raise QueryError(f"{what} {code!r} is not a country code (ISO 3166 alpha-3 such as RUS, or IGO:UN)")
    if c not in (known if known is not None else known_countries(store)):
        raise QueryError(f"unknown {what} code {code!r}: not in the actor dictionary nor in the store")
    return c


def _check_modes(modes: str | Sequence[str] | None) -> list[str] | None:
    if modes is None:
        return None
    items = [m.strip().lower() for m in (modes.split(",") if isinstance(modes, str) else modes) if m.strip()]
    if not items or items == ["all"]:
        return None
    bad = [m for m in items if m not in MODES]
    if bad:
        raise QueryError(f"unknown mode {bad[0]!r} (modes: {', '.join(MODES)})")
    return items


def _check_type(t: str | None) -> str | None:
    if t is None:
        return None
    u = t.strip().upper()
    if u not in PLOVER_TYPES:
        raise QueryError(f"unknown event type {t!r} (types: {', '.join(PLOVER_TYPES)})")
    return u


def date_bound(value: str | None, low: bool, what: str = "date") -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as an inclusive day bound (string compare)."""
    if value is None or str(value).strip() == "":
        return None
    v = str(value).strip()
    m = _DATE_RE.match(v)
    if not m:
        raise QueryError(f"{what} {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    y, mo, d = m.group(1), m.group(2), m.group(3)
    if mo and not 1 <= int(mo) <= 12 or d and not 1 <= int(d) <= 31:
        raise QueryError(f"{what} {value!r} is not a valid date")
    if d:
        return v
    if mo:
        return f"{y}-{mo}-01" if low else f"{y}-{mo}-31"
    return f"{y}-01-01" if low else f"{y}-12-31"


def _check_page(limit: int | None, offset: int | None, default: int = 50) -> tuple[int, int]:
    lim = default if limit is None else int(limit)
    off = 0 if offset is None else int(offset)
    if lim < 1 or lim > MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    if off < 0:
        raise QueryError("offset must not be negative")
    return lim, off


def _check_by(by: str) -> str:
    if by not in BUCKETS:
        raise QueryError(f"--by must be one of {', '.join(BUCKETS)}, not {by!r}")
    return by


# -- shared pieces ------------------------------------------------------------------------
E, A, Q, EK = S.events, S.articles, S.quotes, S.event_keys


def _mention_ref(t: Any) -> ColumnElement[str]:
    return t.c.article_id + literal("#") + cast(t.c.idx + _IDX_BASE, String)


def _split_ref(ref: str) -> tuple[str, int]:
    aid, _, idx = ref.rpartition("#")
    return aid, int(idx) - _IDX_BASE


def _actor(row: Any, prefix: str) -> dict[str, Any] | None:
    name = row[f"{prefix}_name"]
    if name is None:
        return None
    d = {"id": row[f"{prefix}_id"], "name": name, "country": row[f"{prefix}_country"],
         "role": row[f"{prefix}_role"], "kb_id": row[f"{prefix}_kb_id"]}
    if row[f"{prefix}_start"] is not None:
        d.update(text=row[f"{prefix}_text"], start=row[f"{prefix}_start"], end=row[f"{prefix}_end"])
    return d


def _article_brief(row: Any) -> dict[str, Any]:
    return {"id": row["article_id"], "title": row["a_title"], "url": row["a_url"], "source": row["a_source"],
            "published": row["a_published"]}


def _event_filters(store: Store, t: Any = E, *, source: str | None = None, target: str | None = None,
                   type: str | None = None, mode: str | Sequence[str] | None = None,
                   since: str | None = None, until: str | None = None, actor: str | None = None,
                   article: str | None = None, cameo: str | None = None) -> list[ColumnElement[bool]]:
    """Conditions on the mentions table ``E`` or the deduplicated view ``EK`` (which has no
    actor or article columns: those filters need ``E``)."""
    known = known_countries(store) if (source or target) else set()
    conds: list[ColumnElement[bool]] = []
    if source:
        conds.append(t.c.source_country_key == check_country(store, source, "source", known))
    if target:
        conds.append(t.c.target_country_key == check_country(store, target, "target", known))
    ty = _check_type(type)
    if ty:
        conds.append(t.c.type == ty)
    modes = _check_modes(mode)
    if modes:
        conds.append(t.c.mode.in_(modes))
    lo, hi = date_bound(since, True, "since"), date_bound(until, False, "until")
    if lo:
        conds.append(t.c.day >= lo)
    if hi:
        conds.append(t.c.day <= hi)
    if cameo:
        if not re.fullmatch(r"\d{2,4}", cameo):
            raise QueryError(f"CAMEO code {cameo!r} is not 2-4 digits")
        conds.append(t.c.cameo.startswith(cameo))
    if actor:
        conds.append(or_(E.c.source_id == actor, E.c.target_id == actor))
    if article:
        conds.append(E.c.article_id == article)
    return conds


def _event_cols() -> list[Any]:
    return [*E.c, A.c.title.label("a_title"), A.c.url.label("a_url"), A.c.source.label("a_source"),
            A.c.published.label("a_published"), A.c.ingested_at.label("a_ingested_at"),
            func.substr(A.c.text, E.c.sentence_start + 1, E.c.sentence_end - E.c.sentence_start)
            .label("sentence_text")]


def _event_dict(row: Any, agg: dict[str, Any] | None = None) -> dict[str, Any]:
    key = f"{row['cluster_id']}:{row['sig']}"
    d = {
        "event_key": key, "type": row["type"], "cameo": row["cameo"], "goldstein": row["goldstein"],
        "quad_class": row["quad_class"], "mode": row["mode"], "date": row["date"],
        "date_precision": row["date_precision"], "day": row["day"],
        "source": _actor(row, "source"), "target": _actor(row, "target"),
        "trigger": {"text": row["trigger_text"], "start": row["trigger_start"], "end": row["trigger_end"]},
        "sentence": {"start": row["sentence_start"], "end": row["sentence_end"], "text": row["sentence_text"]},
        "quote_index": row["quote_index"], "is_root": bool(row["is_root"]),
        "article": _article_brief(row), "mention": {"article_id": row["article_id"], "idx": row["idx"]},
        "cluster_id": row["cluster_id"], "ingested_at": row["a_ingested_at"],
    }
    if agg is None:
        d.update(n_mentions=1, n_articles=1, n_sources=1 if row["a_source"] else 0)
    else:
        d.update(agg)
    return d


def _fetch_event_rows(conn: Any, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    """Mention rows (with their article's metadata and sentence) by (article id, index)."""
    return _fetch_rows(conn, E, _event_cols(), E.join(A, A.c.id == E.c.article_id), keys)


def _key_dicts(conn: Any, keys: Sequence[Any]) -> list[dict[str, Any]]:
    """Event dicts for event_keys rows (or grouped rows with the same fields), in order.

    The representative mention gives trigger, sentence and actors; the counts (and the
    counted day, the earliest of the mentions) come from the key."""
    reps = _fetch_event_rows(conn, [(k["rep_article_id"], k["rep_idx"]) for k in keys])
    out = []
    for k in keys:
        r = reps.get((k["rep_article_id"], k["rep_idx"]))
        if r is not None:
            d = _event_dict(r, {"n_mentions": k["n_mentions"], "n_articles": k["n_articles"],
                                "n_sources": k["n_sources"]})
            d["day"] = k["day"]
            out.append(d)
    return out


def _actor_key_dicts(conn: Any, rows: Sequence[Any]) -> list[dict[str, Any]]:
    """Event dicts for actor_keys rows: the actor's own mention represents the event, the
    counts are the event's (event_keys)."""
    ek = EK
    counts: dict[tuple[str, str], Any] = {}
    clusters = sorted({r["cluster_id"] for r in rows})
    want = {(r["cluster_id"], r["sig"]) for r in rows}
    for i in range(0, len(clusters), 500):
        for k in conn.execute(select(ek.c.cluster_id, ek.c.sig, ek.c.day, ek.c.n_mentions, ek.c.n_articles,
                                     ek.c.n_sources).where(ek.c.cluster_id.in_(clusters[i:i + 500]))).mappings():
            if (k["cluster_id"], k["sig"]) in want:
                counts[(k["cluster_id"], k["sig"])] = k
    keys = []
    for r in rows:
        k = counts.get((r["cluster_id"], r["sig"]))
        keys.append({"rep_article_id": r["rep_article_id"], "rep_idx": r["rep_idx"], "day": r["day"],
                     "n_mentions": k["n_mentions"] if k else r["n_mentions"], "n_articles": k["n_articles"] if k else 1,
                     "n_sources": k["n_sources"] if k else 1})
    return _key_dicts(conn, keys)


def _grouped_events(conds: list[ColumnElement[bool]]) -> Select[Any]:
    """Event keys computed from mentions at query time: for filters the deduplicated view
    cannot answer (an actor id, an article).  Same fields as event_keys rows."""
    return (select(E.c.cluster_id, E.c.sig, func.min(_mention_ref(E)).label("rep"),
                   func.count().label("n_mentions"), func.count(distinct(E.c.article_id)).label("n_articles"),
                   func.count(distinct(A.c.source)).label("n_sources"), func.min(E.c.day).label("day"))
            .select_from(E.join(A, A.c.id == E.c.article_id)).where(*conds)
            .group_by(E.c.cluster_id, E.c.sig))


def _with_rep(rows: Sequence[Any]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        d = dict(r)
        d["rep_article_id"], d["rep_idx"] = _split_ref(d.pop("rep"))
        out.append(d)
    return out


def _needs_mentions(filters: dict[str, Any]) -> bool:
    return bool(filters.get("actor") or filters.get("article"))


def iter_events(store: Store, *, mentions: bool = False, batch: int = 1000, **filters: Any) -> Iterator[dict[str, Any]]:
    """Every matching event (deduplicated unless ``mentions``), streamed in batches.

    Used by exports: memory stays bounded by ``batch`` whatever the size of the store.
    """
    with store.read() as conn:
        if mentions:
            conds = _event_filters(store, E, **filters)
            q = (select(*_event_cols()).select_from(E.join(A, A.c.id == E.c.article_id)).where(*conds)
                 .order_by(E.c.article_id, E.c.idx))
            res = conn.execute(q.execution_options(stream_results=True, yield_per=batch)).mappings()
            for part in res.partitions(batch):
                for r in part:
                    yield _event_dict(r)
            return
        if filters.get("actor") and not filters.get("article"):
            ak = S.actor_keys
            conds = [ak.c.actor_id == filters["actor"],
                     *_event_filters(store, ak, **{k: v for k, v in filters.items() if k not in ("actor", "article")})]
            res = conn.execute(select(ak).where(*conds).order_by(ak.c.cluster_id, ak.c.sig)
                               .execution_options(stream_results=True, yield_per=batch)).mappings()
            for part in res.partitions(batch):
                yield from _actor_key_dicts(conn, list(part))
            return
        if _needs_mentions(filters):
            conds = _event_filters(store, E, **filters)
            q = _grouped_events(conds).order_by(E.c.cluster_id, E.c.sig)
        else:
            conds = _event_filters(store, EK, **filters)
            q = select(EK).where(*conds).order_by(EK.c.cluster_id, EK.c.sig)
        res = conn.execute(q.execution_options(stream_results=True, yield_per=batch)).mappings()
        for part in res.partitions(batch):
            keys = _with_rep(part) if _needs_mentions(filters) else list(part)
            yield from _key_dicts(conn, keys)


# -- timeline -----------------------------------------------------------------------------
def timeline(store: Store, a: str, b: str | None = None, by: str = "month",
             modes: str | Sequence[str] | None = None, since: str | None = None, until: str | None = None,
             both_directions: bool = True) -> dict[str, Any]:
    """How a relationship moved: per period and direction, events (counted once per event key),
    mentions, sum and mean Goldstein, counts per quad class and per mode.

    ``b=None`` gives ``a`` against everyone (direction ``A>*`` and ``*>A``).
    """
    by = _check_by(by)
    known = known_countries(store)
    ca = check_country(store, a, "country", known)
    cb = check_country(store, b, "country", known) if b else None
    mode_list = _check_modes(modes)
    lo, hi = date_bound(since, True, "since"), date_bound(until, False, "until")
    dd = S.dyad_days
    period = dd.c[by]
    src, tgt = dd.c.source_country_key, dd.c.target_country_key
    if cb is None:
        dyads = [src == ca, and_(tgt == ca, src != ca)] if both_directions else [src == ca]
    else:
        dyads = [and_(src == ca, tgt == cb)]
        if both_directions and ca != cb:
            dyads.append(and_(src == cb, tgt == ca))
    extra: list[ColumnElement[bool]] = []
    if mode_list:
        extra.append(dd.c.mode.in_(mode_list))
    if lo:
        extra.append(dd.c.day >= lo)
    if hi:
        extra.append(dd.c.day <= hi)
    names = {"out": (ca, cb or "*"), "in": (cb or "*", ca)}
    sums = [func.sum(dd.c[f]).label(f) for f in S.DYAD_DAY_SUMS]
    # the rollup holds a few rows per day and mode; fold modes here
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    with store.read() as conn:
        for k, cond in enumerate(dyads):
            direction = "out" if k == 0 else "in"
            q = select(period.label("period"), dd.c.mode, *sums).where(cond, *extra).group_by(period, dd.c.mode)
            for r in conn.execute(q).mappings():
                if not r["n_events"]:
                    continue
                a_ = acc.setdefault((r["period"], direction), {
                    "events": 0, "mentions": 0, "gsum": 0.0, "gn": 0, "quad": [0, 0, 0, 0], "modes": {}})
                a_["events"] += int(r["n_events"])
                a_["mentions"] += int(r["n_mentions"])
                a_["gsum"] += float(r["goldstein_sum"])
                a_["gn"] += int(r["goldstein_n"])
                for qk in range(4):
                    a_["quad"][qk] += int(r[f"q{qk + 1}"])
                a_["modes"][r["mode"]] = a_["modes"].get(r["mode"], 0) + int(r["n_events"])
    periods: list[dict[str, Any]] = []
    totals: dict[str, dict[str, Any]] = {}
    for (per, direction), a_ in sorted(acc.items()):
        s_, t_ = names[direction]
        row = {
            "period": per, "direction": f"{s_}>{t_}", "source": s_, "target": t_,
            "events": a_["events"], "mentions": a_["mentions"],
            "goldstein_sum": _round(a_["gsum"]) if a_["gn"] else None,
            "goldstein_mean": _round(a_["gsum"] / a_["gn"]) if a_["gn"] else None,
            "quad": {QUAD_NAMES[k + 1]: a_["quad"][k] for k in range(4)},
            "modes": {m: a_["modes"][m] for m in MODES if a_["modes"].get(m)},
        }
        periods.append(row)
    periods.sort(key=lambda r: (r["period"], r["direction"]))
    for row in periods:
        t = totals.setdefault(row["direction"], {"events": 0, "mentions": 0, "goldstein_sum": 0.0})
        t["events"] += row["events"]
        t["mentions"] += row["mentions"]
        t["goldstein_sum"] = _round((t["goldstein_sum"] or 0.0) + (row["goldstein_sum"] or 0.0))
    return {"a": ca, "b": cb, "by": by, "modes": mode_list, "since": lo, "until": hi,
            "both_directions": both_directions, "periods": periods, "totals": totals}


def _round(x: Any) -> float | None:
    return None if x is None else round(float(x), 3)


# -- events -------------------------------------------------------------------------------
def events(store: Store, source: str | None = None, target: str | None = None, type: str | None = None,
           mode: str | Sequence[str] | None = None, since: str | None = None, until: str | None = None,
           limit: int | None = 50, offset: int | None = 0, mentions: bool = False, actor: str | None = None,
           article: str | None = None) -> dict[str, Any]:
    """Events matching the filters, newest first: one per event key, or every mention."""
    lim, off = _check_page(limit, offset)
    filters = {"source": source, "target": target, "type": type, "mode": mode, "since": since, "until": until,
               "actor": actor, "article": article}
    items: list[dict[str, Any]] = []
    with store.read() as conn:
        if mentions:
            conds = _event_filters(store, E, **filters)
            q = (select(*_event_cols()).select_from(E.join(A, A.c.id == E.c.article_id)).where(*conds)
                 .order_by(E.c.day.desc().nulls_last(), E.c.article_id, E.c.idx).limit(lim + 1).offset(off))
            rows: Sequence[Any] = conn.execute(q).mappings().all()
            items = [_event_dict(r) for r in rows[:lim]]
        elif actor and not article:
            ak = S.actor_keys
            conds = [ak.c.actor_id == actor,
                     *_event_filters(store, ak, **{k: v for k, v in filters.items() if k not in ("actor", "article")})]
            rows = conn.execute(select(ak).where(*conds)
                                .order_by(ak.c.day.desc().nulls_last(), ak.c.cluster_id.desc(), ak.c.sig.desc())
                                .limit(lim + 1).offset(off)).mappings().all()
            items = _actor_key_dicts(conn, rows[:lim])
        elif _needs_mentions(filters):
            g = _grouped_events(_event_filters(store, E, **filters)).subquery()
            rows = _with_rep(conn.execute(select(g).order_by(g.c.day.desc().nulls_last(), g.c.cluster_id.desc(),
                                                             g.c.sig.desc()).limit(lim + 1).offset(off))
                             .mappings().all())
            items = _key_dicts(conn, rows[:lim])
        else:
            conds = _event_filters(store, EK, **filters)
            rows = conn.execute(select(EK).where(*conds)
                                .order_by(EK.c.day.desc().nulls_last(), EK.c.cluster_id.desc(), EK.c.sig.desc())
                                .limit(lim + 1).offset(off)).mappings().all()
            items = _key_dicts(conn, rows[:lim])
    return {"items": items, "limit": lim, "offset": off, "has_more": len(rows) > lim, "mentions": mentions}


# -- quotes -------------------------------------------------------------------------------
def resolve_actor(store: Store, who: str) -> list[str]:
    """Store actor ids that ``who`` names: an id, an English name, an Arabic surface form."""
    w = (who or "").strip()
    if not w:
        return []
    key = compare_key(w)
    ids: list[str] = []
    with store.read() as conn:
        ids += conn.scalars(select(S.actors.c.id).where(S.actors.c.id == w))
        ids += conn.scalars(select(S.actors.c.id).where(S.actors.c.name_key == key))
        ids += conn.scalars(select(S.mentions.c.actor_id).distinct().where(S.mentions.c.key == key))
    try:
        from marsad.kb import default_kb

        ids += [e.id for e in default_kb().lookup(w)]
    except Exception:  # the dictionary is an aid here; the store's own names still resolve
        pass
    return list(dict.fromkeys(ids))


def _as_country(store: Store, value: str, what: str) -> str | None:
    """The country code ``value`` names, if it looks like one; unknown codes raise QueryError
    unless ``value`` is also the id or name of a stored actor."""
    code = value.strip().upper()
    if not _COUNTRY_RE.match(code):
        return None
    try:
        return check_country(store, value, what)
    except QueryError:
        if resolve_actor(store, value):
            return None
        raise


#: When at least this share of all articles names an actor, quotes about it are found by
#: reading quotes newest first and stopping early; otherwise from the actor's articles.
_ABOUT_SCAN_SHARE = 0.1
_ABOUT_SCAN_MIN = 1000


def _about_condition(store: Store, about: str) -> ColumnElement[bool]:
    """Quotes in whose words an actor (by id/name) or any actor of a country (by code) appears."""
    m, aa = S.mentions, S.article_actors
    c = _as_country(store, about, "about")
    with store.read() as conn:
        if c:
            ids = list(conn.scalars(select(S.actors.c.id).where(S.actors.c.country == c)))
        else:
            ids = resolve_actor(store, about)
            if not ids:
                raise QueryError(f"no actor {about!r} in the store or the actor dictionary")
        n = int(conn.scalar(select(func.count()).select_from(aa).where(aa.c.actor_id.in_(ids))) or 0)
        total = int(conn.scalar(select(func.max(A.c.doc_no))) or 0)  # about the number of articles
    inside = exists(select(literal(1)).select_from(m).where(
        m.c.article_id == Q.c.article_id, m.c.start >= Q.c.start, m.c.end <= Q.c.end, m.c.actor_id.in_(ids)))
    if n > _ABOUT_SCAN_MIN and n >= _ABOUT_SCAN_SHARE * total:
        # a much-named actor: quotes newest first (by day), checked by article, stopping early
        return inside
    return and_(Q.c.article_id.in_(select(aa.c.article_id).where(aa.c.actor_id.in_(ids))), inside)


def _quote_dict(row: Any, agg: dict[str, Any] | None = None) -> dict[str, Any]:
    d = {
        "quote_key": f"{row['cluster_id']}:{row['sig']}", "text": row["text"], "start": row["start"],
        "end": row["end"], "kind": row["kind"], "cue": row["cue"], "day": row["day"],
        "speaker": _actor(row, "speaker"), "via": _actor(row, "via"), "article": _article_brief(row),
        "mention": {"article_id": row["article_id"], "idx": row["idx"]}, "cluster_id": row["cluster_id"],
    }
    d.update(agg or {"n_mentions": 1, "n_articles": 1})
    return d


def _first_per_key(conn: Any, scan: Select[Any], need: int) -> list[tuple[tuple[str, str], tuple[str, int]]]:
    """Stream ``scan`` (rows of cluster_id, sig, article_id, idx in the wanted order) and keep
    the first mention of each distinct key, stopping after ``need`` keys."""
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    res = conn.execute(scan.execution_options(stream_results=True, yield_per=500))
    try:
        for r in res:
            k = (r[0], r[1])
            if k not in seen:
                seen[k] = (r[2], r[3])
                if len(seen) >= need:
                    break
    finally:
        res.close()
    return list(seen.items())


def _key_counts(conn: Any, t: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(mentions, distinct articles) of each (cluster_id, sig) in table ``t``."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    want = set(keys)
    clusters = sorted({c for c, _ in keys})
    for i in range(0, len(clusters), 500):
        q = (select(t.c.cluster_id, t.c.sig, func.count(), func.count(distinct(t.c.article_id)))
             .where(t.c.cluster_id.in_(clusters[i:i + 500])).group_by(t.c.cluster_id, t.c.sig))
        for c, sg, n, na in conn.execute(q):
            if (c, sg) in want:
                out[(c, sg)] = (int(n), int(na))
    return out


def _fetch_rows(conn: Any, t: Any, cols: list[Any], j: Any, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Any]:
    """Rows of ``t`` (joined by ``j``) by exact (article_id, idx): one query per index value."""
    by_idx: dict[int, list[str]] = {}
    for aid, idx in keys:
        by_idx.setdefault(idx, []).append(aid)
    out: dict[tuple[str, int], Any] = {}
    for idx, aids in by_idx.items():
        for i in range(0, len(aids), 500):
            q = select(*cols).select_from(j).where(t.c.idx == idx, t.c.article_id.in_(aids[i:i + 500]))
            for r in conn.execute(q).mappings():
                out[(r["article_id"], r["idx"])] = r
    return out


def quotes(store: Store, speaker: str | None = None, about: str | None = None, since: str | None = None,
           until: str | None = None, kind: str | None = None, limit: int | None = 50, offset: int | None = 0,
           mentions: bool = False, article: str | None = None) -> dict[str, Any]:
    """Who said what: quotes by a speaker (name, KB id, Arabic surface, or a country code for
    every speaker of that country) and/or about an actor or country, newest first."""
    lim, off = _check_page(limit, offset)
    conds: list[ColumnElement[bool]] = []
    resolved: list[str] | None = None
    if speaker:
        c = _as_country(store, speaker, "speaker")
        if c:
            conds.append(Q.c.speaker_country == c)
        else:
            resolved = resolve_actor(store, speaker)
            if not resolved:
                raise QueryError(f"no speaker {speaker!r} in the store or the actor dictionary")
            conds.append(Q.c.speaker_id.in_(resolved))
    if about:
        conds.append(_about_condition(store, about))
    if kind:
        if kind not in ("direct", "indirect"):
            raise QueryError(f"kind must be direct or indirect, not {kind!r}")
        conds.append(Q.c.kind == kind)
    lo, hi = date_bound(since, True, "since"), date_bound(until, False, "until")
    if lo:
        conds.append(Q.c.day >= lo)
    if hi:
        conds.append(Q.c.day <= hi)
    if article:
        conds.append(Q.c.article_id == article)
    cols = [*Q.c, A.c.title.label("a_title"), A.c.url.label("a_url"), A.c.source.label("a_source"),
            A.c.published.label("a_published")]
    j = Q.join(A, A.c.id == Q.c.article_id)
    items: list[dict[str, Any]] = []
    with store.read() as conn:
        if mentions:
            rows = conn.execute(select(*cols).select_from(j).where(*conds)
                                .order_by(Q.c.day.desc().nulls_last(), Q.c.article_id, Q.c.idx)
                                .limit(lim + 1).offset(off)
                                ).mappings().all()
            items = [_quote_dict(r) for r in rows[:lim]]
            has_more = len(rows) > lim
        else:
            # newest first, read off the (speaker, day) index until enough distinct quotes
            scan = (select(Q.c.cluster_id, Q.c.sig, Q.c.article_id, Q.c.idx).where(*conds)
                    .order_by(Q.c.day.desc().nulls_last(), Q.c.article_id, Q.c.idx))
            firsts = _first_per_key(conn, scan, off + lim + 1)
            page = firsts[off:off + lim]
            has_more = len(firsts) > off + lim
            counts = _key_counts(conn, Q, [k for k, _ in page])
            reps = _fetch_rows(conn, Q, cols, j, [m for _, m in page])
            for k, m in page:
                r = reps.get(m)
                if r is not None:
                    n_m, n_a = counts.get(k, (1, 1))
                    items.append(_quote_dict(r, {"n_mentions": n_m, "n_articles": n_a}))
    return {"items": items, "limit": lim, "offset": off, "has_more": has_more,
            "speaker_ids": resolved, "mentions": mentions}


# -- top actors and dyads -----------------------------------------------------------------
def top_actors(store: Store, since: str | None = None, until: str | None = None, limit: int | None = 20,
               by: str = "events", country: str | None = None) -> list[dict[str, Any]]:
    """The most active actors: by distinct events they took part in (``by="events"``) or by
    articles that name them (``by="articles"``, duplicates counted once per cluster)."""
    lim, _ = _check_page(limit, 0, 20)
    lo, hi = date_bound(since, True, "since"), date_bound(until, False, "until")
    c = check_country(store, country, "country") if country else None
    with store.read() as conn:
        if by == "events":
            def side(prefix: str) -> Select[Any]:
                col = E.c[f"{prefix}_id"]
                conds = [col.is_not(None)]
                if lo:
                    conds.append(E.c.day >= lo)
                if hi:
                    conds.append(E.c.day <= hi)
                if c:
                    conds.append(E.c[f"{prefix}_country"] == c)
                # only columns of ix_events_day_actors: a period is an index-only scan
                return select(col.label("actor_id"), (E.c.cluster_id + literal("|") + E.c.sig).label("ek"),
                              E.c.article_id).where(*conds)

            u = union_all(side("source"), side("target")).subquery()
            q = (select(u.c.actor_id, func.count(distinct(u.c.ek)).label("n_events"),
                        func.count(distinct(u.c.article_id)).label("n_articles"), func.count().label("n_mentions"))
                 .group_by(u.c.actor_id).order_by(desc("n_events"), u.c.actor_id).limit(lim))
        elif by == "articles":
            aa = S.article_actors
            conds = []
            if lo:
                conds.append(A.c.published >= lo)
            if hi:
                conds.append(A.c.published <= hi + "T99")
            if c:
                conds.append(aa.c.country == c)
            q = (select(aa.c.actor_id, func.count(distinct(func.coalesce(A.c.cluster_id, A.c.id))).label("n_stories"),
                        func.count(distinct(A.c.id)).label("n_articles"))
                 .select_from(aa.join(A, A.c.id == aa.c.article_id)).where(*conds)
                 .group_by(aa.c.actor_id).order_by(desc("n_stories"), aa.c.actor_id).limit(lim))
        else:
            raise QueryError(f"by must be events or articles, not {by!r}")
        rows = conn.execute(q).mappings().all()
        info = _actor_info(conn, [r["actor_id"] for r in rows])
    out = []
    for r in rows:
        d = dict(info.get(r["actor_id"], {"id": r["actor_id"]}))
        d.update({k: v for k, v in r.items() if k != "actor_id"})
        out.append(d)
    return out


def _actor_info(conn: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        for r in conn.execute(select(S.actors).where(S.actors.c.id.in_(ids[i:i + 500]))).mappings():
            out[r["id"]] = {"id": r["id"], "name": r["name"], "type": r["type"], "country": r["country"],
                            "role": r["role"], "kb_id": r["kb_id"], "wikidata": r["wikidata"]}
    return out


def top_dyads(store: Store, since: str | None = None, until: str | None = None, limit: int | None = 20,
              modes: str | Sequence[str] | None = None, directed: bool = False) -> list[dict[str, Any]]:
    """The most active pairs of countries (distinct events between them), with mean Goldstein
    and quad-class counts; undirected by default (A–B and B–A together)."""
    lim, _ = _check_page(limit, 0, 20)
    lo, hi = date_bound(since, True, "since"), date_bound(until, False, "until")
    mode_list = _check_modes(modes)
    dd = S.dyad_days
    s, t = dd.c.source_country_key, dd.c.target_country_key
    conds = [s != "", t != "", s != t]
    if lo:
        conds.append(dd.c.day >= lo)
    if hi:
        conds.append(dd.c.day <= hi)
    if mode_list:
        conds.append(dd.c.mode.in_(mode_list))
    # undated events are in no period, so they are not counted here
    n = func.sum(dd.c.n_events)
    sums = [func.sum(dd.c.goldstein_sum).label("gsum"), func.sum(dd.c.goldstein_n).label("gn"),
            *[func.sum(dd.c[f"q{k}"]).label(f"q{k}") for k in (1, 2, 3, 4)]]
    if lo or hi or directed:
        # a period: few rows, fold A>B and B>A in SQL and let it sort and cut
        if directed:
            a_, b_, ab = s, t, n
        else:
            a_, b_ = case((s < t, s), else_=t), case((s < t, t), else_=s)
            ab = func.sum(case((s < t, dd.c.n_events), else_=0))
        q = (select(a_.label("a"), b_.label("b"), n.label("n"), ab.label("ab"), *sums)
             .where(*conds).group_by(a_, b_).having(n > 0).order_by(desc("n"), a_, b_).limit(lim))
        with store.read() as conn:
            rows = [r._asdict() for r in conn.execute(q)]
    else:
        # the whole store: directed pairs in index order (no sort of every cell), folded here
        q = select(s.label("src"), t.label("tgt"), n.label("n"), *sums).where(*conds).group_by(s, t)
        pairs: dict[tuple[str, str], dict[str, Any]] = {}
        with store.read() as conn:
            for r in conn.execute(q):
                if not r.n:
                    continue
                key = (r.src, r.tgt) if r.src < r.tgt else (r.tgt, r.src)
                p = pairs.setdefault(key, {"a": key[0], "b": key[1], "n": 0, "ab": 0, "gsum": 0.0, "gn": 0,
                                           "q1": 0, "q2": 0, "q3": 0, "q4": 0})
                p["n"] += int(r.n)
                p["ab"] += int(r.n) if r.src == key[0] else 0
                p["gsum"] += float(r.gsum or 0.0)
                p["gn"] += int(r.gn or 0)
                for k in (1, 2, 3, 4):
                    p[f"q{k}"] += int(getattr(r, f"q{k}") or 0)
        rows = sorted(pairs.values(), key=lambda p: (-p["n"], p["a"], p["b"]))[:lim]
    return [{"a": r["a"], "b": r["b"], "n_events": int(r["n"]), "n_a_to_b": int(r["ab"] or 0),
             "n_b_to_a": int(r["n"]) - int(r["ab"] or 0),
             "goldstein_mean": _round(float(r["gsum"] or 0.0) / int(r["gn"])) if r["gn"] else None,
             "quad": {QUAD_NAMES[k]: int(r[f"q{k}"] or 0) for k in (1, 2, 3, 4)}, "directed": directed}
            for r in rows]


# -- search -------------------------------------------------------------------------------
_TOKEN = re.compile(r"[^\W_]+")


def parse_search(q: str) -> tuple[list[str], list[str]]:
    """(phrases, words) of a query, normalised; ``"..."`` marks a phrase, other words are ANDed."""
    phrases: list[str] = []
    rest = q
    for m in re.finditer(r'"([^"]*)"', q):
        toks = _TOKEN.findall(normalize_key(m.group(1)))
        if toks:
            phrases.append(" ".join(toks))
    rest = re.sub(r'"[^"]*"', " ", q)
    words = _TOKEN.findall(normalize_key(rest))
    return phrases, list(dict.fromkeys(words))


def clitic_forms(word: str) -> list[str]:
    """``word`` and the forms it takes with attached proclitics (و ف ب ل ك and their
    combinations; ل + ال → لل), so that searching كوريا also finds وكوريا and لكوريا.
    The prefixes are the language data in marsad.lang.ar.clitics."""
    from marsad.lang.ar.clitics import NAME_PROCLITICS

    forms = [word]
    has_article = word.startswith("ال") and len(word) > 3
    for p in NAME_PROCLITICS:
        if p.endswith(("لل", "ال")):
            if has_article:
                forms.append(p + word[2:])
        else:
            forms.append(p + word)
            if has_article and p.endswith("ل"):
                forms.pop()  # ل + الـ is written لل (covered above), never لال
    return list(dict.fromkeys(forms))


def _fts5_term(tokens: list[str]) -> str:
    """One query term (a word or a phrase) for FTS5: the phrase with every clitic form of its
    first word, ORed.  Tokens are word characters only, so quoting is safe."""
    rest = " ".join(tokens[1:])
    alts = [_fts5_quote(f"{f} {rest}".strip()) for f in clitic_forms(tokens[0])]
    return "(" + " OR ".join(alts) + ")"


def _tsquery_term(tokens: list[str]) -> str:
    """The same for a PostgreSQL tsquery ('simple' configuration)."""
    rest = "".join(f" <-> '{t}'" for t in tokens[1:])
    return "(" + " | ".join(f"('{f}'{rest})" for f in clitic_forms(tokens[0])) + ")"


def search(store: Store, q: str, limit: int | None = 20, offset: int | None = 0) -> dict[str, Any]:
    """Full-text search over the normalised title + text: diacritics, hamza forms, ة/ه and ى/ي
    do not matter, and a word also matches its forms with attached و ف ب ل ك.  Words are
    ANDed, ``"..."`` is a phrase.  Results best first, each with a snippet of the original text."""
    lim, off = _check_page(limit, offset, 20)
    phrases, words = parse_search(q or "")
    if not phrases and not words:
        raise QueryError("empty search query")
    terms = [p.split() for p in phrases] + [[w] for w in words]
    with store.read() as conn:
        if store.dialect == "sqlite":
            t = S.SQLITE_FTS_TABLE
            expr = " AND ".join(_fts5_term(x) for x in terms)
            sql = (f"SELECT rowid AS doc_no, bm25({t}) AS score FROM {t} WHERE {t} MATCH ? "
                   "ORDER BY score, rowid LIMIT ? OFFSET ?")
            hits = conn.exec_driver_sql(sql, (expr, lim + 1, off)).all()
        else:
            t = S.PG_FTS_TABLE
            tsq = " & ".join(_tsquery_term(x) for x in terms)
            sql = (f"SELECT doc_no, -ts_rank(fts, to_tsquery('simple', %s)) AS score FROM {t} "
                   "WHERE fts @@ to_tsquery('simple', %s) ORDER BY score, doc_no LIMIT %s OFFSET %s")
            hits = conn.exec_driver_sql(sql, (tsq, tsq, lim + 1, off)).all()
        doc_nos = [h.doc_no for h in hits[:lim]]
        arts = {r["doc_no"]: r for r in conn.execute(
            select(A.c.doc_no, A.c.id, A.c.title, A.c.url, A.c.source, A.c.published, A.c.text, A.c.cluster_id)
            .where(A.c.doc_no.in_(doc_nos))).mappings()} if doc_nos else {}
    items = []
    for h in hits[:lim]:
        r = arts.get(h.doc_no)
        if r is None:
            continue
        snip, marks = snippet(r["text"], terms)  # no marks when only the title matched
        items.append({"id": r["id"], "title": r["title"], "url": r["url"], "source": r["source"],
                      "published": r["published"], "cluster_id": r["cluster_id"], "score": _round(-h.score),
                      "snippet": snip, "highlights": marks})
    return {"query": q, "phrases": phrases, "words": words, "items": items, "limit": lim, "offset": off,
            "has_more": len(hits) > lim}


def _fts5_quote(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


_MARKS_RUN = re.compile(DIACRITICS_RE.pattern + "+")


def _per_char_map(text: str) -> tuple[str, Callable[[int], int]]:
    key, idx = key_with_offsets(text)
    return key, lambda i: idx[i] if i < len(idx) else len(text)


def key_map(text: str) -> tuple[str, Callable[[int], int]]:
    """The normalised key of ``text`` and a function from key offsets to text offsets.

    Diacritics come in runs between plain stretches, so the map is piecewise: one entry per
    stretch instead of one per character (key_with_offsets), which made snippets the slowest
    part of a search."""
    kstarts: list[int] = []
    ostarts: list[int] = []
    parts: list[str] = []
    pos = k = 0
    for m in [*_MARKS_RUN.finditer(text), None]:
        end = m.start() if m else len(text)
        if end > pos:
            seg = fast_key(text[pos:end])
            if len(seg) != end - pos:  # lower() changed a length (İ): fall back to per character
                return _per_char_map(text)
            kstarts.append(k)
            ostarts.append(pos)
            parts.append(seg)
            k += len(seg)
        if m:
            pos = m.end()

    def to_text(i: int) -> int:
        j = bisect.bisect_right(kstarts, i) - 1
        return ostarts[j] + (i - kstarts[j]) if j >= 0 else 0

    return "".join(parts), to_text


def _term_regex(terms: list[list[str]]) -> re.Pattern[str]:
    """Whole-token matches of the terms in a key: any clitic form of a term's first word, then
    its other words separated by non-word characters."""
    alts = []
    for term in terms:
        first = "|".join(re.escape(f) for f in sorted(clitic_forms(term[0]), key=len, reverse=True))
        rest = "".join(r"[\W_]+" + re.escape(w) for w in term[1:])
        alts.append(f"(?:{first}){rest}")
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alts) + r")(?![^\W_])")


def snippet(text: str, terms: list[list[str]], width: int = 90) -> tuple[str, list[list[int]]]:
    """A window of the original text around the first match, with the matched spans' offsets
    (relative to the snippet).  Matching is on normalised keys, whole tokens."""
    spans: list[tuple[int, int]] = []
    if terms:
        key, to_text = key_map(text)
        for m in _term_regex(terms).finditer(key):
            end = to_text(m.end() - 1) + 1
            while end < len(text) and has_droppable(text[end]):  # trailing diacritics
                end += 1
            spans.append((to_text(m.start()), end))
    if not spans:
        return text[:2 * width].strip(), []
    spans.sort()
    merged: list[tuple[int, int]] = [spans[0]]
    for s, e in spans[1:]:  # adjacent words of one phrase: one highlight
        ps, pe = merged[-1]
        if s <= pe or not text[pe:s].strip():
            merged[-1] = (ps, max(pe, e))
        else:
            merged.append((s, e))
    spans = merged
    first = spans[0][0]
    lo = max(0, first - width)
    hi = min(len(text), spans[0][1] + width)
    if lo > 0:
        sp = text.rfind(" ", 0, lo + 1)
        lo = sp + 1 if sp > first - 2 * width else lo
    if hi < len(text):
        sp = text.find(" ", hi)
        hi = sp if 0 <= sp < hi + 30 else hi
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(text) else ""
    body = text[lo:hi].replace("\n", " ")
    marks = [[s - lo + len(prefix), e - lo + len(prefix)] for s, e in spans if s >= lo and e <= hi]
    return prefix + body + suffix, marks


def list_articles(store: Store, limit: int | None = 20, offset: int | None = 0, source: str | None = None,
                  since: str | None = None, until: str | None = None) -> dict[str, Any]:
    """The latest articles (newest publication first), for browsing without a search query."""
    lim, off = _check_page(limit, offset, 20)
    lo, hi = date_bound(since, True, "since"), date_bound(until, False, "until")
    conds: list[ColumnElement[bool]] = []
    if source:
        conds.append(A.c.source == source)
    if lo:
        conds.append(A.c.published >= lo)
    if hi:
        conds.append(A.c.published <= hi + "T99")
    q = (select(A.c.id, A.c.title, A.c.url, A.c.source, A.c.published, A.c.language, A.c.status, A.c.cluster_id,
                A.c.n_chars)
         .where(*conds).order_by(A.c.published.desc().nulls_last(), A.c.doc_no.desc()).limit(lim + 1).offset(off))
    with store.read() as conn:
        rows = conn.execute(q).mappings().all()
    return {"items": [dict(r) for r in rows[:lim]], "limit": lim, "offset": off, "has_more": len(rows) > lim}


# -- stats, article, actor ----------------------------------------------------------------
def stats(store: Store) -> dict[str, Any]:
    """What is in the store: articles by status/source/language, clusters, events, quotes."""
    with store.read() as conn:
        def scalar(q: Any) -> int:
            return int(conn.scalar(q) or 0)

        by_status = {s: int(n) for s, n in conn.execute(select(A.c.status, func.count()).group_by(A.c.status))}
        sources = [{"source": s, "articles": int(n)} for s, n in conn.execute(
            select(A.c.source, func.count().label("n")).group_by(A.c.source).order_by(desc("n"), A.c.source))]
        langs = {lang or "unknown": int(n) for lang, n in
                 conn.execute(select(A.c.language, func.count()).group_by(A.c.language))}
        first, last = conn.execute(select(func.min(A.c.published), func.max(A.c.published))).one()
        ev_mentions = scalar(select(func.count()).select_from(E))
        ev_distinct = scalar(select(func.count()).select_from(EK))
        by_type: dict[str, int] = {}
        by_mode: dict[str, int] = {}
        for t, m, n in conn.execute(select(EK.c.type, EK.c.mode, func.count()).group_by(EK.c.type, EK.c.mode)):
            by_type[t] = by_type.get(t, 0) + int(n)
            by_mode[m] = by_mode.get(m, 0) + int(n)
        clusters = conn.execute(select(func.count(), func.coalesce(func.sum(S.clusters.c.size), 0),
                                       func.coalesce(func.max(S.clusters.c.size), 0))
                                .where(S.clusters.c.size > 1)).one()
        out = {
            "store": store.location, "backend": store.dialect,
            "articles": {"total": sum(by_status.values()), **by_status},
            "published": {"first": first, "last": last},
            "sources": sources, "languages": langs,
            "clusters": {"multi_article": int(clusters[0]), "articles_in_them": int(clusters[1]),
                         "largest": int(clusters[2])},
            "events": {"distinct": ev_distinct, "mentions": ev_mentions, "by_type": by_type, "by_mode": by_mode},
            "quotes": {"mentions": scalar(select(func.count()).select_from(Q)),
                       "distinct": scalar(select(func.count()).select_from(
                           select(Q.c.cluster_id, Q.c.sig).group_by(Q.c.cluster_id, Q.c.sig).subquery()))},
            "actors": scalar(select(func.count()).select_from(S.actors)),
            "ingest_errors": scalar(select(func.count()).select_from(S.ingest_errors)),
        }
    return out


def article(store: Store, article_id: str) -> dict[str, Any] | None:
    """One article with its full analysis (the model's dict) and its duplicate cluster; None if unknown."""
    from marsad.store.rows import analysis_from_rows

    with store.read() as conn:
        art = conn.execute(select(A).where(A.c.id == article_id)).mappings().first()
        if art is None:
            return None

        def rows(t: Any) -> list[Any]:
            return list(conn.execute(select(t).where(t.c.article_id == article_id)).mappings())

        analysis = analysis_from_rows(art, rows(S.article_actors), rows(S.mentions), rows(Q), rows(E), rows(S.times))
        cluster: list[dict[str, Any]] = []
        if art["cluster_id"]:
            cluster = [dict(r) for r in conn.execute(
                select(A.c.id, A.c.title, A.c.source, A.c.url, A.c.published)
                .where(A.c.cluster_id == art["cluster_id"], A.c.id != article_id)
                .order_by(A.c.published, A.c.id)).mappings()]
        keys = [f"{r['cluster_id']}:{r['sig']}" for r in rows(E)]
    meta = {k: art[k] for k in ("id", "url", "source", "title", "published", "language", "ingested_at", "status",
                                "error", "cluster_id", "text_hash", "n_chars")}
    return {"article": meta, "analysis": analysis.to_dict() if art["schema_version"] else None,
            "cluster": cluster, "event_keys": keys}


def actor(store: Store, actor_id: str, limit: int | None = 50) -> dict[str, Any] | None:
    """An actor's page: who they met, their events, what they said, what was said about them."""
    lim, _ = _check_page(limit, 0)
    with store.read() as conn:
        row = conn.execute(select(S.actors).where(S.actors.c.id == actor_id)).mappings().first()
        if row is None:
            return None
        info = dict(row)
        info.pop("name_key", None)
        m, aa = S.mentions, S.article_actors
        # surface forms, from (at most) 5000 of the actor's article entries: enough to show
        # how the actor is named without reading every mention of a state
        sample = select(aa.c.article_id, aa.c.idx).where(aa.c.actor_id == actor_id).limit(5000).subquery()
        surfaces = [{"text": t, "n": int(n)} for t, n in conn.execute(
            select(m.c.text, func.count().label("n"))
            .select_from(sample.join(m, and_(m.c.article_id == sample.c.article_id,
                                             m.c.actor_idx == sample.c.idx)))
            .group_by(m.c.text).order_by(desc("n"), m.c.text).limit(20))]
        # article entries naming the actor (an index-only count; an actor is one entry per article)
        n_articles = int(conn.scalar(select(func.count()).select_from(S.article_actors)
                                     .where(S.article_actors.c.actor_id == actor_id)) or 0)
        ak = S.actor_keys
        # meetings: CONSULT events with the actor on either side, by counterpart
        meetings = [dict(r) for r in conn.execute(
            select(ak.c.counterpart_id.label("id"), ak.c.counterpart_name.label("name"),
                   ak.c.counterpart_country.label("country"), func.count().label("n"), func.max(ak.c.day).label("last"))
            .where(ak.c.actor_id == actor_id, ak.c.type == "CONSULT", ak.c.counterpart_id.is_not(None))
            .group_by(ak.c.counterpart_id, ak.c.counterpart_name, ak.c.counterpart_country)
            .order_by(desc("n"), ak.c.counterpart_name).limit(lim)).mappings()]
        # events per month and role ("both": source and target of one event, counted as source)
        acc: dict[tuple[str, str], dict[str, Any]] = {}
        for r in conn.execute(select(ak.c.month, ak.c.role, ak.c.quad_class, func.count().label("n"))
                              .where(ak.c.actor_id == actor_id, ak.c.month.is_not(None))
                              .group_by(ak.c.month, ak.c.role, ak.c.quad_class)).mappings():
            role = "target" if r["role"] == "target" else "source"
            a_ = acc.setdefault((r["month"], role), {"month": r["month"], "role": role, "events": 0,
                                                     "quad": {q: 0 for q in QUAD_NAMES.values()}})
            a_["events"] += int(r["n"])
            if r["quad_class"] in QUAD_NAMES:
                a_["quad"][QUAD_NAMES[r["quad_class"]]] += int(r["n"])
        months = [acc[k] for k in sorted(acc)]
    return {
        "actor": info, "surfaces": surfaces, "n_articles": n_articles, "meetings": meetings,
        "timeline": months,
        "events": events(store, actor=actor_id, limit=lim)["items"],
        "quotes_by": quotes(store, speaker=actor_id, limit=lim)["items"],
        "quotes_about": quotes(store, about=actor_id, limit=lim)["items"] if actor_id else [],
    }


def errors(store: Store, limit: int | None = 50, offset: int | None = 0) -> list[dict[str, Any]]:
    """The latest ingest errors (bad items reported and skipped, id conflicts)."""
    lim, off = _check_page(limit, offset)
    t = S.ingest_errors
    with store.read() as conn:
        return [dict(r) for r in conn.execute(select(t).order_by(desc(t.c.id)).limit(lim).offset(off)).mappings()]


def dumps(obj: Any) -> str:
    """JSON for query results (Arabic kept readable)."""
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
