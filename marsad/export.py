"""Exports of the store: PLOVER JSONL, a GDELT-events-like TSV, CSV, JSONL and Parquet.

Everything streams: events are read in batches (:func:`marsad.queries.iter_events`), tables
with ``yield_per``, and written as they come, so a store of any size exports in bounded
memory.  Field mappings are documented in docs/exports.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Boolean, Float, Integer, LargeBinary, Table, select

from marsad import __version__
from marsad.queries import iter_events
from marsad.store import Store
from marsad.store import schema as S

FORMATS = ("plover-jsonl", "gdelt-tsv", "csv", "jsonl", "parquet")
#: Tables a csv/jsonl/parquet export can dump as stored (``events`` means the event view).
TABLES = ("events", "articles", "clusters", "actors", "article_actors", "mentions", "quotes", "times",
          "signatures", "ingest_errors")

# PLOVER's conflict–cooperation score of each event category (PLOVER manual, "Numeric
# conflict/cooperation scores", base category rows; CC BY-SA 4.0, Open Event Data Alliance).
PLOVER_SCORES = {
    "AGREE": 2.5, "CONSULT": 2.5, "SUPPORT": 5.0, "CONCEDE": 4.5, "COOPERATE": 9.5, "AID": 10.0,
    "RETREAT": 6.5, "REQUEST": 0.0, "ACCUSE": -3.0, "REJECT": -2.0, "THREATEN": -3.5, "PROTEST": -5.0,
    "SANCTION": -6.0, "MOBILIZE": -5.5, "COERCE": -7.0, "ASSAULT": -9.0,
}
# Our modes as PLOVER auxiliary modes, which PLOVER puts in ``context`` (manual, "Auxiliary modes").
PLOVER_AUX_CONTEXT = {"future": "future", "hypothetical": "hypothetical", "negated": "negation"}

# GDELT 2.0 event table columns, in order (GDELT Event Codebook V2.0).
GDELT_COLUMNS = (
    "GlobalEventID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *[f"Actor1{c}" for c in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                             "Religion2Code", "Type1Code", "Type2Code", "Type3Code")],
    *[f"Actor2{c}" for c in ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                             "Religion2Code", "Type1Code", "Type2Code", "Type3Code")],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *[f"{w}Geo_{c}" for w in ("Actor1", "Actor2", "Action") for c in (
        "Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")],
    "DATEADDED", "SOURCEURL",
)

CSV_EVENT_COLUMNS = (
    "event_key", "type", "cameo", "goldstein", "quad_class", "mode", "date", "date_precision", "day",
    "source_id", "source_name", "source_country", "source_role", "source_text",
    "target_id", "target_name", "target_country", "target_role", "target_text",
    "trigger_text", "trigger_start", "trigger_end", "sentence_start", "sentence_end", "sentence_text",
    "quote_index", "is_root", "article_id", "article_idx", "article_url", "article_source", "article_title",
    "published", "cluster_id", "n_mentions", "n_articles", "n_sources",
)


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown format, filters on a raw table ...)."""


# -- event records --------------------------------------------------------------------------
def _entity(a: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not a:
        return []
    e: dict[str, Any] = {"code": a["country"]}
    if a.get("role"):
        e["sector"] = a["role"]
    if a.get("text"):
        e["entity_text"] = a["text"]
    e["identifier_text"] = a["name"]
    if a.get("kb_id"):
        e["identifier_id"] = a["kb_id"]
    e["marsad_id"] = a["id"]
    return [e]


def plover_record(ev: dict[str, Any]) -> dict[str, Any]:
    """One event as a PLOVER JSON record (see docs/exports.md for the mapping)."""
    art = ev["article"]
    context = [PLOVER_AUX_CONTEXT[ev["mode"]]] if ev["mode"] in PLOVER_AUX_CONTEXT else []
    rec: dict[str, Any] = {
        "id": ev["event_key"],
        "date": ev["day"],
        "actor": _entity(ev["source"]),
        "recipient": _entity(ev["target"]),
        "event": [ev["type"]],
        "event_text": [ev["trigger"]["text"]],
        "quad_code": ev["quad_class"],
        "event_scale": PLOVER_SCORES.get(ev["type"]),
        "mode": [],
        "context": context,
        "link": ev["cluster_id"],
        "text": ev["sentence"]["text"],
        "text_info": {"start": ev["sentence"]["start"], "end": ev["sentence"]["end"]},
        "cite_info": {"corpus": "marsad", "citation": art["id"], "url": art["url"], "title": art["title"],
                      "language": "ar", "publication": art["source"],
                      "coder": f"marsad {__version__}", "codebook": "plover-base"},
        "coder": f"marsad {__version__}",
        "coded_date": (ev.get("ingested_at") or "")[:10] or None,
        # marsad's own fields (PLOVER allows named fields beyond its own)
        "marsad_mode": ev["mode"],
        "marsad_date": ev["date"],
        "marsad_date_precision": ev["date_precision"],
        "cameo": ev["cameo"],
        "goldstein": ev["goldstein"],
        "trigger": ev["trigger"],
        "quote_index": ev["quote_index"],
        "article_id": art["id"],
        "published": art["published"],
        "n_mentions": ev["n_mentions"], "n_articles": ev["n_articles"], "n_sources": ev["n_sources"],
    }
    return rec


def _gdelt_actor(a: dict[str, Any] | None) -> list[str]:
    if not a:
        return [""] * 10
    country = a["country"] or ""
    igo = country[4:] if country.startswith("IGO:") else ""
    iso = "" if igo else country
    role = a.get("role") or ""
    code = ("IGO" + igo if igo else iso) + role
    return [code, a["name"], iso, igo, "", "", "", role, "", ""]


def _gdelt_id(event_key: str) -> str:
    import hashlib

    return str(int(hashlib.sha1(event_key.encode("utf-8")).hexdigest()[:15], 16))


def _fraction_date(day: str) -> str:
    d = dt.date.fromisoformat(day)
    start = dt.date(d.year, 1, 1)
    days = (dt.date(d.year + 1, 1, 1) - start).days
    return f"{d.year + (d - start).days / days:.4f}"


def gdelt_row(ev: dict[str, Any]) -> list[str]:
    """One event as a row of GDELT 2.0's event table (61 columns; see docs/exports.md)."""
    day = ev["day"] or ""
    cameo = ev["cameo"] or ""
    added = (ev.get("ingested_at") or "").replace("-", "").replace(":", "").replace("T", "")[:14]
    row = [
        _gdelt_id(ev["event_key"]), day.replace("-", ""), day[:7].replace("-", ""), day[:4],
        _fraction_date(day) if day else "",
        *_gdelt_actor(ev["source"]), *_gdelt_actor(ev["target"]),
        "1" if ev["is_root"] else "0", cameo, cameo[:3], cameo[:2],
        "" if ev["quad_class"] is None else str(ev["quad_class"]),
        "" if ev["goldstein"] is None else f"{ev['goldstein']:g}",
        str(ev["n_mentions"]), str(ev["n_sources"]), str(ev["n_articles"]), "",
        *[""] * 24,
        added, ev["article"]["url"] or ev["article"]["id"],
    ]
    assert len(row) == len(GDELT_COLUMNS)
    return [_tsv_safe(x) for x in row]


def _tsv_safe(x: str) -> str:
    return x.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def csv_event_row(ev: dict[str, Any]) -> dict[str, Any]:
    """One event flattened to the CSV columns."""
    s, t, art = ev["source"] or {}, ev["target"] or {}, ev["article"]
    return {
        "event_key": ev["event_key"], "type": ev["type"], "cameo": ev["cameo"], "goldstein": ev["goldstein"],
        "quad_class": ev["quad_class"], "mode": ev["mode"], "date": ev["date"],
        "date_precision": ev["date_precision"], "day": ev["day"],
        **{f"source_{k}": s.get(k) for k in ("id", "name", "country", "role", "text")},
        **{f"target_{k}": t.get(k) for k in ("id", "name", "country", "role", "text")},
        "trigger_text": ev["trigger"]["text"], "trigger_start": ev["trigger"]["start"],
        "trigger_end": ev["trigger"]["end"], "sentence_start": ev["sentence"]["start"],
        "sentence_end": ev["sentence"]["end"], "sentence_text": ev["sentence"]["text"],
        "quote_index": ev["quote_index"], "is_root": ev["is_root"], "article_id": art["id"],
        "article_idx": ev["mention"]["idx"], "article_url": art["url"], "article_source": art["source"],
        "article_title": art["title"], "published": art["published"], "cluster_id": ev["cluster_id"],
        "n_mentions": ev["n_mentions"], "n_articles": ev["n_articles"], "n_sources": ev["n_sources"],
    }


# -- raw tables -----------------------------------------------------------------------------
def _table(name: str) -> Table:
    t = S.metadata.tables.get(name)
    if t is None or name not in TABLES:
        raise ExportError(f"unknown table {name!r} (tables: {', '.join(TABLES)})")
    return t


def iter_table(store: Store, name: str, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every row of a stored table, as dicts, streamed."""
    t = _table(name)
    with store.read() as conn:
        res = conn.execute(select(t).order_by(*t.primary_key.columns)
                           .execution_options(stream_results=True, yield_per=batch)).mappings()
        for part in res.partitions(batch):
            for r in part:
                yield dict(r)


def arrow_schema(t: Table) -> Any:
    import pyarrow as pa

    fields = []
    for c in t.columns:
        typ = c.type
        pt = (pa.int64() if isinstance(typ, Integer) else pa.float64() if isinstance(typ, Float)
              else pa.bool_() if isinstance(typ, Boolean) else pa.binary() if isinstance(typ, LargeBinary)
              else pa.string())
        fields.append(pa.field(c.name, pt))
    return pa.schema(fields)


def _event_arrow_schema() -> Any:
    import pyarrow as pa

    ints = {"quad_class", "trigger_start", "trigger_end", "sentence_start", "sentence_end", "quote_index",
            "article_idx", "n_mentions", "n_articles", "n_sources"}
    return pa.schema([pa.field(c, pa.int64() if c in ints else pa.float64() if c == "goldstein"
                               else pa.bool_() if c == "is_root" else pa.string()) for c in CSV_EVENT_COLUMNS])


def _write_parquet(path: Path, schema: Any, rows: Iterable[dict[str, Any]], batch: int = 5000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 0
    with pq.ParquetWriter(str(path), schema, compression="zstd") as w:
        buf: list[dict[str, Any]] = []
        for r in rows:
            buf.append(r)
            if len(buf) >= batch:
                w.write_table(pa.Table.from_pylist(buf, schema=schema))
                n += len(buf)
                buf = []
        if buf or n == 0:
            w.write_table(pa.Table.from_pylist(buf, schema=schema))
            n += len(buf)
    return n


# -- the export -----------------------------------------------------------------------------
@contextmanager
def _text_out(out: str | Path | IO[str]) -> Iterator[IO[str]]:
    if isinstance(out, io.TextIOBase) or hasattr(out, "write"):
        yield out  # type: ignore[misc]
        return
    if str(out) == "-":
        yield sys.stdout
        return
    tmp = Path(str(out) + ".part")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            yield f
        tmp.replace(out)  # a half-written export never masquerades as a finished one
    finally:
        if tmp.exists():
            tmp.unlink()


def export(store: Store, fmt: str, out: str | Path | IO[str], *, table: str = "events", mentions: bool = False,
           header: bool = True, **filters: Any) -> dict[str, Any]:
    """Write ``fmt`` to ``out`` (a path, ``-`` for stdout, or a text stream); returns counts.

    Event formats take the event filters of :func:`marsad.queries.events` (source, target,
    type, mode, since, until, actor) and count each event once per event key unless
    ``mentions``.  ``parquet`` to a directory writes every table as stored (the store's
    schema, as the Spark job writes it); to a ``*.parquet`` file, the event view.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (formats: {', '.join(FORMATS)})")
    filters = {k: v for k, v in filters.items() if v not in (None, "", ())}
    if table != "events":
        _table(table)
        if fmt in ("plover-jsonl", "gdelt-tsv"):
            raise ExportError(f"{fmt} exports events; --table applies to csv, jsonl and parquet")
        if filters or mentions:
            raise ExportError("filters and --mentions apply to events only")
    if fmt == "parquet":
        return _export_parquet(store, Path(str(out)), table, mentions, filters)

    def evs() -> Iterator[dict[str, Any]]:
        return iter_events(store, mentions=mentions, **filters)

    n = 0
    with _text_out(out) as f:
        if fmt == "plover-jsonl":
            for ev in evs():
                f.write(json.dumps(plover_record(ev), ensure_ascii=False) + "\n")
                n += 1
        elif fmt == "gdelt-tsv":
            if header:
                f.write("\t".join(GDELT_COLUMNS) + "\n")
            for ev in evs():
                f.write("\t".join(gdelt_row(ev)) + "\n")
                n += 1
        elif fmt == "jsonl":
            rows: Iterable[dict[str, Any]] = evs() if table == "events" else _jsonable(iter_table(store, table))
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
                n += 1
        elif fmt == "csv":
            cols = list(CSV_EVENT_COLUMNS) if table == "events" else [c.name for c in _table(table).columns]
            w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore")
            if header:
                w.writeheader()
            src: Iterable[dict[str, Any]] = (csv_event_row(e) for e in evs()) if table == "events" else \
                _jsonable(iter_table(store, table))
            for r in src:
                w.writerow(r)
                n += 1
    return {"format": fmt, "table": table, "rows": n, "out": str(out) if not hasattr(out, "write") else None}


def _jsonable(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Binary columns (MinHash signatures) as hex, so the rows fit JSON and CSV."""
    for r in rows:
        yield {k: bytes(v).hex() if isinstance(v, (bytes, bytearray, memoryview)) else v for k, v in r.items()}


def _export_parquet(store: Store, out: Path, table: str, mentions: bool, filters: dict[str, Any]) -> dict[str, Any]:
    if out.suffix == ".parquet":
        if table != "events":
            n = _write_parquet(out, arrow_schema(_table(table)), iter_table(store, table))
        else:
            n = _write_parquet(out, _event_arrow_schema(),
                               (csv_event_row(e) for e in iter_events(store, mentions=mentions, **filters)))
        return {"format": "parquet", "table": table, "rows": n, "out": str(out)}
    if filters or mentions:
        raise ExportError("a Parquet directory holds the stored tables; for filtered events write to FILE.parquet")
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name in TABLES:
        t = _table(name)
        counts[name] = _write_parquet(out / f"{name}.parquet", arrow_schema(t), iter_table(store, name))
    (out / "schema_version.json").write_text(json.dumps({"schema_version": S.SCHEMA_VERSION}) + "\n")
    return {"format": "parquet", "tables": counts, "out": str(out)}
