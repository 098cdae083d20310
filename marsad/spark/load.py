"""``marsad load DIR``: the Parquet tables of a Spark run → a store, as bulk inserts.

The tables already hold the store's rows (same columns, same types), so loading is inserting,
bucket by bucket (all rows of a bucket's articles in one transaction, full-text index included).
What needs care is a store that is not empty:

* an article id already stored with the same text is skipped (and so are its rows); if it sits
  in another cluster there, the Spark cluster follows it (as ingest keeps a stored article's
  cluster), and that cluster's ``clusters`` and ``event_keys`` rows are recomputed from the store;
* an id stored with a *different* text is a conflict: the stored article is kept, the conflict
  logged in ``ingest_errors`` (as :meth:`marsad.store.Store.write_articles` does);
* articles that an earlier, interrupted load of the same output wrote (same text, same
  ``ingested_at``, same cluster) are simply skipped: running a load again resumes it.

Needs pyarrow only, not Spark.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from marsad.spark import tables as TB
from marsad.store import schema as S
from marsad.store.rows import fulltext_body, now_iso

_CHUNK = 500  # ids per IN (...) list
_ROWS = 5000  # rows per executemany


class LoadError(Exception):
    """DIR is not a (complete, compatible) Spark output."""


@dataclass
class LoadSummary:
    articles: int = 0  # written by this load
    already_stored: int = 0
    conflicts: int = 0
    events: int = 0
    quotes: int = 0
    clusters: int = 0  # clusters rows written or refreshed
    errors: int = 0  # ingest_errors rows added (the Spark run's bad items)
    buckets: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return d


def _open(directory: str) -> tuple[pafs.FileSystem, str]:
    if "://" in directory and not directory.startswith("file://"):
        try:
            return pafs.FileSystem.from_uri(directory)
        except (pa.ArrowException, ValueError) as exc:
            raise LoadError(f"{directory}: cannot open ({exc})") from None
    path = directory[len("file://"):] if directory.startswith("file://") else directory
    import os

    return pafs.LocalFileSystem(), os.path.abspath(path)


#: Store tables that loading fills besides the output's base tables: the full-text index, and
#: the views the store derives from events and keeps in step itself (``_refresh_event_keys``).
_DERIVED = {S.SQLITE_FTS_TABLE, "schema_version", "event_keys", "dyad_days", "actor_keys"}


def check_store_tables() -> None:
    """Refuse to load into a store schema with tables this loader does not know how to fill.

    A new store table would otherwise be left empty without a word; failing loudly here (and in
    the tests) is what keeps the Spark path in step with the store.
    """
    known = {t.name for t in TB.TABLES.values()} | _DERIVED
    unknown = sorted(set(S.metadata.tables) - known)
    if unknown:
        raise LoadError(f"the store has tables marsad load does not fill yet ({', '.join(unknown)}); "
                        "this marsad's Spark support is out of date")


def read_manifest(directory: str) -> dict[str, Any]:
    """The Spark run's summary.json, checked: a complete output in a layout this marsad reads."""
    fs, root = _open(directory)
    info = fs.get_file_info(root)
    if info.type == pafs.FileType.NotFound:
        raise LoadError(f"{directory}: no such directory")
    if info.type != pafs.FileType.Directory:
        raise LoadError(f"{directory}: not a directory (want the --out folder of marsad spark analyze)")
    try:
        with fs.open_input_stream(f"{root}/{TB.SUMMARY_FILE}") as fh:
            manifest = json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        raise LoadError(f"{directory}: no {TB.SUMMARY_FILE}: not the output of marsad spark analyze, "
                        "or the run did not finish") from None
    except (OSError, ValueError) as exc:
        raise LoadError(f"{directory}/{TB.SUMMARY_FILE}: unreadable ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != TB.FORMAT:
        raise LoadError(f"{directory}: {TB.SUMMARY_FILE} is not a marsad Spark summary")
    if manifest.get("layout_version") != TB.LAYOUT_VERSION:
        raise LoadError(f"{directory}: written in layout {manifest.get('layout_version')}, this marsad reads "
                        f"layout {TB.LAYOUT_VERSION}; rerun marsad spark analyze")
    return manifest


class _Tables:
    """The output's tables as pyarrow datasets, checked against the store's columns."""

    def __init__(self, directory: str) -> None:
        self.fs, self.root = _open(directory)
        self.sets: dict[str, ds.Dataset] = {}
        for name in TB.TABLES:
            path = f"{self.root}/{name}"
            if self.fs.get_file_info(path).type != pafs.FileType.Directory:
                raise LoadError(f"{directory}: table {name} is missing")
            part = "hive" if name in TB.ARTICLE_TABLES else None
            d = ds.dataset(path, format="parquet", filesystem=self.fs, partitioning=part)
            have = [f for f in d.schema.names if f != TB.BUCKET]
            want = TB.store_columns(name)
            if sorted(have) != sorted(want) and self._has_files(d):
                raise LoadError(f"{directory}: table {name} has columns {', '.join(have)}; this store wants "
                                f"{', '.join(want)} (another marsad version?): rerun marsad spark analyze")
            self.sets[name] = d

    @staticmethod
    def _has_files(d: ds.Dataset) -> bool:
        return bool(d.files)

    def buckets(self) -> list[int]:
        out = set()
        for frag in self.sets["articles"].get_fragments():
            keys = ds.get_partition_keys(frag.partition_expression)
            if TB.BUCKET in keys:
                out.add(int(keys[TB.BUCKET]))
        return sorted(out)

    def rows(self, name: str, bucket: int | None = None, columns: Sequence[str] | None = None) -> Iterator[dict[str, Any]]:
        d = self.sets[name]
        if not d.files:
            return
        cols = list(columns or TB.store_columns(name))
        flt = (ds.field(TB.BUCKET) == bucket) if bucket is not None else None
        for batch in d.to_batches(columns=cols, filter=flt, batch_size=_ROWS):
            yield from batch.to_pylist()


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _insert(conn: Connection, table: str, cols: Sequence[str], rows: Iterable[dict[str, Any]],
            ignore_existing: bool = False) -> int:
    """executemany through the driver, in chunks (the store's own bulk path does the same)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    names = ", ".join(f'"{c}"' for c in cols)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join([mark] * len(cols))})"
    if ignore_existing:
        sql += " ON CONFLICT DO NOTHING"
    n = 0
    buf: list[tuple[Any, ...]] = []
    for r in rows:
        buf.append(tuple(r[c] for c in cols))
        if len(buf) >= _ROWS:
            conn.exec_driver_sql(sql, buf)
            n += len(buf)
            buf = []
    if buf:
        conn.exec_driver_sql(sql, buf)
        n += len(buf)
    return n


def load(directory: str, store: Any, progress: Callable[[str], None] | None = None) -> LoadSummary:
    """Load a Spark output into ``store`` (idempotent, resumable); returns what was written."""
    t0 = time.monotonic()
    say = progress or (lambda _m: None)
    check_store_tables()
    manifest = read_manifest(directory)
    tables = _Tables(directory)
    at = str(manifest.get("ingested_at") or "")
    s = LoadSummary()
    a = S.articles
    with store.read() as conn:
        stored = int(conn.scalar(select(func.count()).select_from(a)) or 0)

    # 1. what the store already has: skipped articles, conflicts, clusters that follow stored ones
    skip: set[str] = set()
    conflicts: list[dict[str, Any]] = []
    remap: dict[str, str] = {}
    touched: set[str] = set()
    if stored:
        batch: list[dict[str, Any]] = []
        for row in tables.rows("articles", columns=["id", "text_hash", "cluster_id", "source", "url"]):
            batch.append(row)
            if len(batch) >= _CHUNK:
                _compare(store, batch, at, skip, conflicts, remap, touched)
                batch = []
        if batch:
            _compare(store, batch, at, skip, conflicts, remap, touched)
    touched = {remap.get(c, c) for c in touched}
    s.already_stored = len(skip)
    s.conflicts = len(conflicts)

    # 2. actors (first writer wins, as in the store)
    with store.transaction() as conn:
        _insert(conn, "actors", TB.store_columns("actors"), tables.rows("actors"), ignore_existing=True)

    # 3. articles and their rows, one bucket per transaction
    buckets = tables.buckets()
    s.buckets = len(buckets)
    for n, b in enumerate(buckets, 1):
        with store.transaction() as conn:
            arts = [r for r in tables.rows("articles", b) if r["id"] not in skip]
            if stored and arts:  # written by another process meanwhile?
                present = set()
                for chunk in _chunks([r["id"] for r in arts]):
                    present.update(conn.scalars(select(a.c.id).where(a.c.id.in_(chunk))))
                s.already_stored += len(present)
                arts = [r for r in arts if r["id"] not in present]
            if not arts:
                continue
            ids = {r["id"] for r in arts}
            for r in arts:
                r["cluster_id"] = remap.get(r["cluster_id"], r["cluster_id"])
            _insert(conn, "articles", TB.store_columns("articles"), arts)
            _index_fulltext(conn, store.dialect, arts)
            for name in TB.ARTICLE_TABLES:
                if name == "articles":
                    continue
                rows = (r for r in tables.rows(name, b) if r["article_id"] in ids)
                if name in ("quotes", "events"):
                    rows = (_follow(r, remap) for r in rows)
                k = _insert(conn, TB.TABLES[name].name, TB.store_columns(name), rows)
                if name == "events":
                    s.events += k
                elif name == "quotes":
                    s.quotes += k
            s.articles += len(arts)
        say(f"bucket {n}/{len(buckets)}: {s.articles} articles loaded")

    # 4. clusters, and the store's views derived from events (event_keys, the timeline rollup,
    # per-actor keys...): recomputed by the store's own refresh, so a load can never disagree
    # with what ingest would have written, whatever views the store keeps
    done = 0

    def clusters_batch(rows: list[dict[str, Any]], shared: list[str]) -> None:
        nonlocal done
        with store.transaction() as conn:
            for c in _chunks([r["id"] for r in rows]):
                conn.execute(delete(S.clusters).where(S.clusters.c.id.in_(c)))
            s.clusters += _insert(conn, "clusters", TB.store_columns("clusters"), rows)
            if shared:  # clusters shared with articles stored before: recomputed from the store
                store._refresh_clusters(conn, shared)
                s.clusters += len(shared)
            store._refresh_event_keys(conn, [(r["id"], "") for r in rows] + [(c, "") for c in shared])
        done += len(rows) + len(shared)
        say(f"clusters: {done} done")

    batch = []
    for r in tables.rows("clusters"):
        if r["id"] not in touched and r["id"] not in remap:
            batch.append(r)
            if len(batch) >= 20_000:
                clusters_batch(batch, [])
                batch = []
    clusters_batch(batch, sorted(touched))
    with store.transaction() as conn:
        # 5. the Spark run's bad items, once
        errs = list(tables.rows("errors"))
        seen = {(r.source, r.item, r.reason) for r in conn.execute(
            select(S.ingest_errors.c.source, S.ingest_errors.c.item, S.ingest_errors.c.reason)
            .where(S.ingest_errors.c.time == at))} if errs else set()
        new_errs = [r for r in errs if (r["source"], r["item"], r["reason"]) not in seen]
        s.errors = _insert(conn, "ingest_errors", TB.store_columns("errors"), new_errs)
        if conflicts:
            _insert(conn, "ingest_errors", ["source", "item", "reason", "time"], conflicts)
    s.seconds = time.monotonic() - t0
    return s


def _follow(row: dict[str, Any], remap: dict[str, str]) -> dict[str, Any]:
    cid = row["cluster_id"]
    if cid in remap:
        row["cluster_id"] = remap[cid]
    return row


def _compare(store: Any, batch: list[dict[str, Any]], at: str, skip: set[str], conflicts: list[dict[str, Any]],
             remap: dict[str, str], touched: set[str]) -> None:
    """Sort a batch of the output's articles against the store (see the module docstring)."""
    a = S.articles
    with store.read() as conn:
        have = {r.id: r for r in conn.execute(select(a.c.id, a.c.text_hash, a.c.cluster_id, a.c.ingested_at)
                                              .where(a.c.id.in_([x["id"] for x in batch])))}
    for x in batch:
        old = have.get(x["id"])
        if old is None:
            continue
        skip.add(x["id"])
        if old.text_hash != x["text_hash"]:
            conflicts.append({"source": x["source"] or x["url"], "item": x["id"], "time": now_iso(),
                              "reason": "id conflict: a different text under an existing article id; kept the first"})
            continue
        ours = old.ingested_at == at and old.cluster_id == x["cluster_id"]
        if ours:
            continue
        stored_cluster = old.cluster_id or x["id"]
        if stored_cluster != x["cluster_id"]:
            prev = remap.get(x["cluster_id"])
            remap[x["cluster_id"]] = min(prev, stored_cluster) if prev else stored_cluster
        touched.add(x["cluster_id"])


def _index_fulltext(conn: Connection, dialect: str, arts: list[dict[str, Any]]) -> None:
    """Full-text rows for new articles (the store's own body: normalised title + text)."""
    a = S.articles
    doc: dict[str, int] = {}
    for chunk in _chunks([r["id"] for r in arts]):
        doc.update({r.id: r.doc_no for r in conn.execute(select(a.c.id, a.c.doc_no).where(a.c.id.in_(chunk)))})
    rows = [(doc[r["id"]], fulltext_body(r["title"], r["text"])) for r in arts]
    if dialect == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {S.SQLITE_FTS_TABLE}(rowid, body) VALUES (?, ?)", rows)
    elif dialect == "postgresql":
        conn.exec_driver_sql(f"INSERT INTO {S.PG_FTS_TABLE} (doc_no, fts) VALUES (%s, to_tsvector('simple', %s))",
                             rows)
