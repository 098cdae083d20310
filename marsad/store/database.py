"""Opening a store (SQLite file or PostgreSQL URL) and writing articles into it.

The write API is what ingest, the Spark ``load`` and the web "analyse and store" path call:
``write_articles`` (one transaction per call, idempotent on article id), ``known_ids``,
``assign_clusters``, ``log_error``, ``iter_signatures`` and ``counts``.  Reads go through
:mod:`marsad.queries`, which uses :attr:`Store.engine` and the tables of :mod:`.schema`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import QueuePool

from marsad.store import schema as S
from marsad.store.rows import (
    KEY_SOURCE_COLUMNS,
    ArticleRows,
    StoredArticle,
    actor_key_rows,
    article_rows,
    dyad_day_deltas,
    event_key_rows,
    fulltext_body,
    now_iso,
)

DEFAULT_PATH = "marsad.db"
#: Seconds a writer waits for another process's lock before giving up (SQLite).
DEFAULT_TIMEOUT = 10.0
_CHUNK = 500  # ids per IN (...) list: under SQLite's variable limit, small for PostgreSQL


class StoreError(Exception):
    """The store cannot be used: locked, from a newer schema, unreachable, not a database."""


def default_location() -> str:
    return os.environ.get("MARSAD_DB") or DEFAULT_PATH


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _describe(exc: BaseException) -> str:
    """A one-line, user-facing reason for a database error."""
    orig = getattr(exc, "orig", None) or exc
    msg = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = msg.lower()
    if "database is locked" in low or "database table is locked" in low:
        return "database is locked by another process"
    if "file is not a database" in low or "file is encrypted" in low:
        return "not a marsad database (the file is not SQLite)"
    if "unable to open database" in low:
        return "cannot open the database file"
    if "readonly" in low or "read-only" in low:
        return "the store is read-only"
    return msg


@contextmanager
def _errors(what: str) -> Iterator[None]:
    """Turn driver errors into StoreError with one clear line."""
    try:
        yield
    except StoreError:
        raise
    except (OperationalError, DBAPIError, sqlite3.Error) as exc:
        raise StoreError(f"{what}: {_describe(exc)}") from exc


class Store:
    """A marsad event store.  Create with :func:`open_store`."""

    def __init__(self, engine: Engine, location: str, readonly: bool) -> None:
        self.engine = engine
        self.location = location
        self.readonly = readonly
        self.dialect = engine.dialect.name

    # -- lifecycle --------------------------------------------------------------------
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.location!r}, {self.dialect})"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for queries; driver errors become StoreError."""
        with _errors(f"cannot read the store {self.location}"), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE)."""
        if self.readonly:
            raise StoreError(f"the store {self.location} was opened read-only")
        with _errors(f"cannot write to the store {self.location}"), self.engine.connect() as conn:
            conn.execution_options(marsad_write=True)
            with conn.begin():
                yield conn

    # -- write API --------------------------------------------------------------------
    def write_articles(self, items: Iterable[StoredArticle]) -> int:
        """Write articles (and their analyses) in one transaction; return how many were written.

        Idempotent on article id: re-writing an id with the same text (same ``text_hash``)
        replaces its metadata and analysis rows, keeping its cluster.  A *different* text
        under an existing id is not written: the first text is kept and a conflict is
        recorded in ``ingest_errors`` (ids are hashes of URL or text, so this means a URL
        whose page changed; give the new version another id to keep both).  Within one call
        the first item with an id wins in the same way.
        """
        batch: list[StoredArticle] = []
        seen: dict[str, str] = {}
        hashes: dict[int, str] = {}  # computed once per item
        conflicts: list[dict[str, Any]] = []
        for it in items:
            if not it.id:
                raise ValueError("StoredArticle without an id")
            h = hashes[id(it)] = it.resolved_hash()
            if it.id in seen:
                if seen[it.id] != h:
                    conflicts.append(_conflict(it))
                    continue
                batch = [b for b in batch if b.id != it.id]  # same text again: the later wins
            seen[it.id] = h
            batch.append(it)
        written = 0
        with self.transaction() as conn:
            existing: dict[str, tuple[str, str | None, str | None, int]] = {}
            ids = [b.id for b in batch]
            a = S.articles
            for chunk in _chunks(ids):
                for row in conn.execute(select(a.c.id, a.c.text_hash, a.c.cluster_id, a.c.title, a.c.doc_no)
                                        .where(a.c.id.in_(chunk))):
                    existing[row.id] = (row.text_hash, row.cluster_id, row.title, row.doc_no)
            new: list[ArticleRows] = []
            replaced: list[ArticleRows] = []
            retitled: list[tuple[int, str | None, str | None, str]] = []  # doc_no, old title, new title, text
            for it in batch:
                old = existing.get(it.id)
                if old is not None and old[0] != hashes[id(it)]:
                    conflicts.append(_conflict(it))
                    continue
                rows = article_rows(it, cluster_id=old[1] if old else None, text_hash=hashes[id(it)])
                if self.dialect == "postgresql":
                    _no_nul(rows)
                if old is None:
                    new.append(rows)
                else:
                    replaced.append(rows)
                    if old[2] != rows.article["title"]:
                        retitled.append((old[3], old[2], rows.article["title"], rows.article["text"]))
            stale_keys: set[tuple[str, str]] = set()
            if replaced:
                rids = [r.article["id"] for r in replaced]
                for chunk in _chunks(rids):
                    stale_keys.update((r.cluster_id, r.sig) for r in conn.execute(
                        select(S.events.c.cluster_id, S.events.c.sig).where(S.events.c.article_id.in_(chunk))))
                    for t in S.ANALYSIS_TABLES:
                        conn.execute(delete(t).where(t.c.article_id.in_(chunk)))
                # a re-write without a MinHash keeps the stored one
                sids = [r.article["id"] for r in replaced if r.signature]
                for chunk in _chunks(sids):
                    conn.execute(delete(S.signatures).where(S.signatures.c.article_id.in_(chunk)))
                upd = {k for k in replaced[0].article if k not in ("id", "cluster_id")}
                stmt = (update(a).where(a.c.id == bindparam("b_id"))
                        .values({k: bindparam(f"b_{k}") for k in upd}))
                conn.execute(stmt, [{f"b_{k}": v for k, v in r.article.items() if k in upd or k == "id"}
                                    for r in replaced])
            if new:
                _bulk_insert(conn, a, [r.article for r in new])
            self._write_children(conn, new + replaced)
            self._update_event_keys(conn, new, replaced, stale_keys)
            self._index_fulltext(conn, new, retitled)
            # articles written straight into a duplicate cluster (ingest decides clusters before
            # writing, so that article and cluster land in one transaction)
            joined = sorted({r.article["cluster_id"] for r in new if r.article["cluster_id"]})
            if joined:
                self._refresh_clusters(conn, joined)
            if conflicts:
                conn.execute(insert(S.ingest_errors), conflicts)
            written = len(new) + len(replaced)
        return written

    def _write_children(self, conn: Connection, rows: list[ArticleRows]) -> None:
        actor_rows: dict[str, dict[str, Any]] = {}
        for r in rows:
            for ar in r.actors:
                actor_rows.setdefault(ar["id"], ar)
        if actor_rows:
            ids = list(actor_rows)
            have: set[str] = set()
            for chunk in _chunks(ids):
                have.update(conn.scalars(select(S.actors.c.id).where(S.actors.c.id.in_(chunk))))
            fresh = [v for k, v in actor_rows.items() if k not in have]
            if fresh:
                _bulk_insert(conn, S.actors, fresh)
        for table, attr in ((S.article_actors, "article_actors"), (S.mentions, "mentions"),
                            (S.quotes, "quotes"), (S.events, "events"), (S.times, "times")):
            batch = [x for r in rows for x in getattr(r, attr)]
            if batch:
                _bulk_insert(conn, table, batch)
        sigs = [r.signature for r in rows if r.signature]
        if sigs:
            _bulk_insert(conn, S.signatures, sigs)

    def _update_event_keys(self, conn: Connection, new: list[ArticleRows], replaced: list[ArticleRows],
                           stale: set[tuple[str, str]]) -> None:
        """Keep ``event_keys`` in step with the mentions just written.

        The usual ingest case, a new article in no cluster yet, owns its keys alone: they are
        computed from the rows in memory.  Everything else (re-analysed articles, articles
        written into an existing cluster) is recomputed from the stored mentions.
        """
        fresh: list[dict[str, Any]] = []
        outlet: dict[str, str | None] = {}
        touched = set(stale)
        cids = {r.article["id"]: (r.article["cluster_id"] or r.article["id"]) for r in new}
        shared: set[str] = set()
        ev = S.events
        ids = [aid for aid, cid in cids.items() if cid == aid]
        for chunk in _chunks(ids):  # a cluster already named after a new article's id?
            shared.update(conn.scalars(select(ev.c.cluster_id).distinct().where(
                ev.c.cluster_id.in_(chunk), ev.c.article_id.not_in(chunk))))
        for r in new:
            aid = r.article["id"]
            if cids[aid] == aid and aid not in shared:
                fresh.extend(r.events)
                outlet[aid] = r.article["source"]
            else:
                touched.update((e["cluster_id"], e["sig"]) for e in r.events)
        for r in replaced:
            touched.update((e["cluster_id"], e["sig"]) for e in r.events)
        if fresh:
            keys = event_key_rows(fresh, outlet)
            _bulk_insert(conn, S.event_keys, keys)
            _bulk_insert(conn, S.actor_keys, actor_key_rows(fresh, keys))
            _add_dyad_days(conn, dyad_day_deltas(keys))
        if touched:
            self._refresh_event_keys(conn, sorted(touched))

    def _refresh_event_keys(self, conn: Connection, keys: list[tuple[str, str]]) -> None:
        """Recompute the event_keys rows of the clusters of ``keys`` from the stored mentions
        (whole clusters: ``cluster_id IN (...)`` uses the index, a row-value IN would scan)."""
        ev, ek, a = S.events, S.event_keys, S.articles
        cols = [ev.c[c] for c in KEY_SOURCE_COLUMNS] + [a.c.source.label("outlet")]
        clusters = sorted({c for c, _ in keys})
        for chunk in _chunks(clusters, 300):
            before = conn.execute(select(ek).where(ek.c.cluster_id.in_(chunk))).mappings().all()
            conn.execute(delete(ek).where(ek.c.cluster_id.in_(chunk)))
            conn.execute(delete(S.actor_keys).where(S.actor_keys.c.cluster_id.in_(chunk)))
            rows = conn.execute(select(*cols).select_from(ev.join(a, a.c.id == ev.c.article_id))
                                .where(ev.c.cluster_id.in_(chunk))).mappings().all()
            after = event_key_rows(rows, {r["article_id"]: r["outlet"] for r in rows}) if rows else []
            _bulk_insert(conn, ek, after)
            _bulk_insert(conn, S.actor_keys, actor_key_rows(rows, after))
            _add_dyad_days(conn, dyad_day_deltas(after, before))

    def _refresh_actor_keys(self, conn: Connection, cluster_ids: list[str]) -> None:
        """Recompute the actor_keys rows of whole clusters from the stored mentions and event_keys
        (for loaders that write event_keys themselves, as the Spark load does)."""
        ev, ek = S.events, S.event_keys
        cols = [ev.c[c] for c in KEY_SOURCE_COLUMNS]
        for chunk in _chunks(sorted(set(cluster_ids)), 300):
            conn.execute(delete(S.actor_keys).where(S.actor_keys.c.cluster_id.in_(chunk)))
            rows = conn.execute(select(*cols).where(ev.c.cluster_id.in_(chunk))).mappings().all()
            keys = conn.execute(select(ek.c.cluster_id, ek.c.sig, ek.c.day, ek.c.month)
                                .where(ek.c.cluster_id.in_(chunk))).mappings().all()
            _bulk_insert(conn, S.actor_keys, actor_key_rows(rows, keys))

    def rebuild_event_keys(self) -> int:
        """Recompute the whole deduplicated event view from the mentions (after an upgrade)."""
        with self.transaction() as conn:
            n = self._rebuild_event_keys(conn)
        return n

    def _rebuild_event_keys(self, conn: Connection) -> int:
        ev, ek, a = S.events, S.event_keys, S.articles
        conn.execute(delete(ek))
        conn.execute(delete(S.actor_keys))
        cols = [ev.c[c] for c in KEY_SOURCE_COLUMNS] + [a.c.source.label("outlet")]
        res = conn.execute(select(*cols).select_from(ev.join(a, a.c.id == ev.c.article_id))
                           .order_by(ev.c.cluster_id, ev.c.sig).execution_options(yield_per=5000)).mappings()
        n = 0
        buf: list[Any] = []
        for part in res.partitions(5000):
            buf.extend(part)
            last = (buf[-1]["cluster_id"], buf[-1]["sig"])
            done = [r for r in buf if (r["cluster_id"], r["sig"]) != last]  # the last key may continue
            buf = buf[len(done):]
            if done:
                rows = event_key_rows(done, {r["article_id"]: r["outlet"] for r in done})
                _bulk_insert(conn, ek, rows)
                _bulk_insert(conn, S.actor_keys, actor_key_rows(done, rows))
                n += len(rows)
        if buf:
            rows = event_key_rows(buf, {r["article_id"]: r["outlet"] for r in buf})
            _bulk_insert(conn, ek, rows)
            _bulk_insert(conn, S.actor_keys, actor_key_rows(buf, rows))
            n += len(rows)
        self._rebuild_dyad_days(conn)
        return n

    def _rebuild_dyad_days(self, conn: Connection) -> None:
        """The timeline rollup from scratch, summed in SQL from event_keys."""
        ek, dd = S.event_keys, S.dyad_days
        conn.execute(delete(dd))
        res = conn.execute(select(ek.c.source_country_key, ek.c.target_country_key, ek.c.day, ek.c.mode,
                                  ek.c.n_mentions, ek.c.goldstein, ek.c.quad_class)
                           .where(ek.c.day.is_not(None)).execution_options(yield_per=20000)).mappings()
        cells: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for part in res.partitions(20000):
            for d in dyad_day_deltas(part):
                k = (d["source_country_key"], d["target_country_key"], d["day"], d["mode"])
                if k in cells:
                    for f in S.DYAD_DAY_SUMS:
                        cells[k][f] += d[f]
                else:
                    cells[k] = d
        _bulk_insert(conn, dd, list(cells.values()))

    def _index_fulltext(self, conn: Connection, new: list[ArticleRows],
                        retitled: list[tuple[int, str | None, str | None, str]]) -> None:
        if not new and not retitled:
            return
        a = S.articles
        doc_nos: dict[str, int] = {}
        ids = [r.article["id"] for r in new]
        for chunk in _chunks(ids):
            for row in conn.execute(select(a.c.id, a.c.doc_no).where(a.c.id.in_(chunk))):
                doc_nos[row.id] = row.doc_no
        adds = [(doc_nos[r.article["id"]], fulltext_body(r.article["title"], r.article["text"])) for r in new]
        if self.dialect == "sqlite":
            t = S.SQLITE_FTS_TABLE
            dels = [(d, fulltext_body(old, text)) for d, old, _, text in retitled]
            if dels:
                conn.exec_driver_sql(f"INSERT INTO {t}({t}, rowid, body) VALUES ('delete', ?, ?)", dels)
            adds += [(d, fulltext_body(newt, text)) for d, _, newt, text in retitled]
            conn.exec_driver_sql(f"INSERT INTO {t}(rowid, body) VALUES (?, ?)", adds)
        elif self.dialect == "postgresql":
            t = S.PG_FTS_TABLE
            adds += [(d, fulltext_body(newt, text)) for d, _, newt, text in retitled]
            conn.exec_driver_sql(
                f"INSERT INTO {t} (doc_no, fts) VALUES (%s, to_tsvector('simple', %s)) "
                "ON CONFLICT (doc_no) DO UPDATE SET fts = EXCLUDED.fts", adds)

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of ``ids`` are already stored (for resumable ingest)."""
        wanted = list(dict.fromkeys(ids))
        out: set[str] = set()
        with self.read() as conn:
            for chunk in _chunks(wanted):
                out.update(conn.scalars(select(S.articles.c.id).where(S.articles.c.id.in_(chunk))))
        return out

    def assign_clusters(self, mapping: dict[str, str]) -> int:
        """Put articles into duplicate clusters (article id → cluster id); return articles moved.

        Events and quotes follow their article, so queries count a story once per cluster.
        The ``clusters`` table is recomputed for every cluster that gained or lost members.
        """
        if not mapping:
            return 0
        a = S.articles
        with self.transaction() as conn:
            ids = list(mapping)
            old: dict[str, str | None] = {}
            for chunk in _chunks(ids):
                for row in conn.execute(select(a.c.id, a.c.cluster_id).where(a.c.id.in_(chunk))):
                    old[row.id] = row.cluster_id
            moves = [(aid, cid) for aid, cid in mapping.items() if aid in old and old[aid] != cid]
            if not moves:
                return 0
            params = [{"b_id": aid, "b_cid": cid} for aid, cid in moves]
            moved = [aid for aid, _ in moves]
            touched: set[tuple[str, str]] = set()
            for chunk in _chunks(moved):
                touched.update((r.cluster_id, r.sig) for r in conn.execute(
                    select(S.events.c.cluster_id, S.events.c.sig).where(S.events.c.article_id.in_(chunk))))
            conn.execute(update(a).where(a.c.id == bindparam("b_id")).values(cluster_id=bindparam("b_cid")),
                         params)
            for t in (S.events, S.quotes):
                conn.execute(update(t).where(t.c.article_id == bindparam("b_id"))
                             .values(cluster_id=bindparam("b_cid")), params)
            for chunk in _chunks(moved):
                touched.update((r.cluster_id, r.sig) for r in conn.execute(
                    select(S.events.c.cluster_id, S.events.c.sig).where(S.events.c.article_id.in_(chunk))))
            if touched:
                self._refresh_event_keys(conn, sorted(touched))
            touched = {cid for _, cid in moves} | {old[aid] for aid, _ in moves if old[aid]}
            self._refresh_clusters(conn, sorted(touched))
        return len(moves)

    def _refresh_clusters(self, conn: Connection, cluster_ids: list[str]) -> None:
        a, c = S.articles, S.clusters
        for chunk in _chunks(cluster_ids):
            conn.execute(delete(c).where(c.c.id.in_(chunk)))
            members: dict[str, list[tuple[str | None, str | None]]] = {}
            for row in conn.execute(select(a.c.cluster_id, a.c.source, a.c.published)
                                    .where(a.c.cluster_id.in_(chunk))):
                members.setdefault(row.cluster_id, []).append((row.source, row.published))
            rows = []
            for cid, ms in members.items():
                sources = sorted({s for s, _ in ms if s})
                dates = sorted(p for _, p in ms if p)
                rows.append({"id": cid, "size": len(ms), "n_sources": len(sources),
                             "sources": json.dumps(sources, ensure_ascii=False),
                             "first_published": dates[0] if dates else None,
                             "last_published": dates[-1] if dates else None})
            if rows:
                conn.execute(insert(c), rows)

    def log_error(self, source: str | None, item: str | None, reason: str) -> None:
        """Record a bad input item (it was reported and skipped)."""
        with self.transaction() as conn:
            conn.execute(insert(S.ingest_errors), [{"source": source, "item": item, "reason": reason,
                                                    "time": now_iso()}])

    def iter_signatures(self, batch: int = 5000) -> Iterator[tuple[str, bytes]]:
        """(article id, MinHash bytes) of every stored article that has one, streamed."""
        sig = S.signatures
        last = ""
        while True:
            with self.read() as conn:
                rows = conn.execute(select(sig.c.article_id, sig.c.minhash).where(sig.c.article_id > last)
                                    .order_by(sig.c.article_id).limit(batch)).all()
            if not rows:
                return
            for r in rows:
                yield r.article_id, bytes(r.minhash)
            last = rows[-1].article_id

    def counts(self) -> dict[str, int]:
        """Rows per table, and articles per status (``articles_ok`` ...)."""
        out: dict[str, int] = {}
        with self.read() as conn:
            for t in (S.articles, S.clusters, S.actors, S.mentions, S.quotes, S.events, S.event_keys, S.times,
                      S.signatures, S.ingest_errors):
                out[t.name] = int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for status, n in conn.execute(select(S.articles.c.status, func.count()).group_by(S.articles.c.status)):
                out[f"articles_{status}"] = int(n)
        return out

    def rebuild_fulltext(self) -> int:
        """Re-index every article (after a change to normalisation); returns articles indexed."""
        a = S.articles
        n = 0
        with self.transaction() as conn:
            if self.dialect == "sqlite":
                t = S.SQLITE_FTS_TABLE
                conn.exec_driver_sql(f"INSERT INTO {t}({t}) VALUES ('delete-all')")
                sql = f"INSERT INTO {t}(rowid, body) VALUES (?, ?)"
            else:
                t = S.PG_FTS_TABLE
                conn.exec_driver_sql(f"DELETE FROM {t}")
                sql = f"INSERT INTO {t} (doc_no, fts) VALUES (%s, to_tsvector('simple', %s))"
            res = conn.execute(select(a.c.doc_no, a.c.title, a.c.text).execution_options(yield_per=1000))
            while True:
                rows = res.fetchmany(1000)
                if not rows:
                    break
                conn.exec_driver_sql(sql, [(r.doc_no, fulltext_body(r.title, r.text)) for r in rows])
                n += len(rows)
        return n


def _no_nul(rows: ArticleRows) -> None:
    """PostgreSQL text cannot hold NUL: write U+FFFD instead (one character for one, so every
    offset still points at the same text; SQLite keeps the NUL)."""
    groups: list[list[dict[str, Any]]] = [[rows.article], rows.actors, rows.article_actors, rows.mentions,
                                          rows.quotes, rows.events, rows.times]
    for group in groups:
        for d in group:
            for k, v in d.items():
                if type(v) is str and "\x00" in v:
                    d[k] = v.replace("\x00", "\ufffd")


def _bulk_insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """executemany through the driver with positional parameters.

    SQLAlchemy's per-row parameter processing costs more than SQLite's own insert at ingest
    volumes (measured: ~40% of write time); all rows of one call have the same keys."""
    if not rows:
        return
    cols = list(rows[0])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f'INSERT INTO {table.name} ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)}) '
           f'VALUES ({", ".join([mark] * len(cols))})')
    get = itemgetter(*cols)
    conn.exec_driver_sql(sql, [get(r) for r in rows] if len(cols) > 1 else [(get(r),) for r in rows])


def _add_dyad_days(conn: Connection, deltas: list[dict[str, Any]]) -> None:
    """Add signed deltas to the dyad_days rollup (an upsert on both SQLite and PostgreSQL)."""
    if not deltas:
        return
    cols = list(deltas[0])
    keys = ("source_country_key", "target_country_key", "day", "mode")
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sums = ", ".join(f"{c} = dyad_days.{c} + excluded.{c}" for c in S.DYAD_DAY_SUMS)
    sql = (f"INSERT INTO dyad_days ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))}) "
           f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sums}")
    get = itemgetter(*cols)
    conn.exec_driver_sql(sql, [get(d) for d in deltas])


def _conflict(it: StoredArticle) -> dict[str, Any]:
    return {"source": it.source or it.url, "item": it.id, "time": now_iso(),
            "reason": "id conflict: a different text under an existing article id; kept the first"}


# -- opening ----------------------------------------------------------------------------
def _is_url(s: str) -> bool:
    return "://" in s


def _sqlite_engine(path: Path, readonly: bool, timeout: float) -> Engine:
    if readonly:
        uri = f"file:{path.resolve()}?mode=ro"
        # QueuePool: a URL without a file name would get SingletonThreadPool (meant for :memory:),
        # which closes connections still in use once more than 5 threads read (a web server)
        eng = create_engine("sqlite+pysqlite://", creator=lambda: sqlite3.connect(
            uri, uri=True, timeout=timeout, check_same_thread=False), poolclass=QueuePool)
    else:
        eng = create_engine(f"sqlite+pysqlite:///{path}", connect_args={"timeout": timeout,
                                                                         "check_same_thread": False})

    @event.listens_for(eng, "connect")
    def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
        # let SQLAlchemy not manage transactions through pysqlite's legacy implicit BEGIN
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA cache_size = -65536")  # 64 MB page cache
        cur.execute("PRAGMA temp_store = MEMORY")
        cur.close()

    @event.listens_for(eng, "begin")
    def _begin(conn: Connection) -> None:
        # readers take a snapshot; writers take the write lock at once, so two writers wait
        # for each other (busy timeout) instead of failing half-way with SQLITE_BUSY
        write = conn.get_execution_options().get("marsad_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write and not readonly else "BEGIN")

    return eng


def _pg_engine(url: str) -> Engine:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    try:
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except ModuleNotFoundError as exc:
        raise StoreError("PostgreSQL needs psycopg 3: pip install 'marsad[postgres]'") from exc


def open_store(url_or_path: str | os.PathLike[str] | None = None, *, readonly: bool = False,
               timeout: float | None = None) -> Store:
    """Open (and, unless ``readonly``, create or upgrade) a store.

    ``url_or_path``: a SQLite file path (default ``$MARSAD_DB`` or ``./marsad.db``), a
    ``sqlite:///`` URL, or a ``postgresql://`` URL (psycopg 3).  Raises StoreError when the
    database is locked, from a newer marsad, not a marsad/SQLite database, or unreachable.
    """
    if timeout is None:
        try:
            timeout = float(os.environ.get("MARSAD_DB_TIMEOUT", DEFAULT_TIMEOUT))
        except ValueError:
            timeout = DEFAULT_TIMEOUT
    loc = str(url_or_path) if url_or_path is not None else default_location()
    if loc.startswith("sqlite:///"):
        loc = loc[len("sqlite:///"):]
    if _is_url(loc) and not loc.startswith(("postgresql", "postgres://")):
        raise StoreError(f"unsupported store URL {loc!r} (want a file path, sqlite:/// or postgresql://)")
    if _is_url(loc):
        engine = _pg_engine(loc)
        shown = engine.url.render_as_string(hide_password=True)
    else:
        path = Path(loc)
        if path.is_dir():
            raise StoreError(f"{path} is a directory, not a store file")
        if readonly and not path.exists():
            raise StoreError(f"no store at {path} (create one with marsad ingest, or pass --db)")
        if not readonly and not path.parent.exists():
            raise StoreError(f"cannot create the store {path}: folder {path.parent} does not exist")
        engine = _sqlite_engine(path, readonly, timeout)
        shown = str(path)
    store = Store(engine, shown, readonly)
    try:
        _prepare(store)
    except StoreError:
        engine.dispose()
        raise
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        raise StoreError(f"cannot open the store {shown}: {_describe(exc)}") from exc
    return store


def _prepare(store: Store) -> None:
    """Check the schema version; create the tables in a new database."""
    with _errors(f"cannot open the store {store.location}"):
        with store.engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            conn.rollback()
        if "schema_version" in names:
            with store.engine.connect() as conn:
                version = conn.scalar(select(func.max(S.schema_version.c.version)))
                conn.rollback()
            if version is not None and version > S.SCHEMA_VERSION:
                raise StoreError(
                    f"the store {store.location} has schema version {version}, newer than this marsad "
                    f"understands ({S.SCHEMA_VERSION}); upgrade marsad to use it")
            if version is not None and version == S.SCHEMA_VERSION:
                return
        elif names - {S.SQLITE_FTS_TABLE} and "articles" not in names:
            raise StoreError(f"{store.location} is a database, but not a marsad store")
        if store.readonly:
            if not names:
                raise StoreError(f"{store.location} is empty: not a marsad store yet")
            raise StoreError(f"the store {store.location} needs an upgrade; open it once without read-only")
        with store.transaction() as conn:
            old = conn.scalar(select(func.max(S.schema_version.c.version))) if "schema_version" in names else None
            S.metadata.create_all(conn)
            S.create_fulltext(conn)
            if old is not None and old < S.SCHEMA_VERSION:
                _migrate(store, conn, old)
            conn.execute(insert(S.schema_version), [{"version": S.SCHEMA_VERSION, "created_at": now_iso()}])


def _migrate(store: Store, conn: Connection, version: int) -> None:
    """Upgrade a store written by an older marsad (new tables were made by create_all)."""
    if version < 8 and "confidence" not in {c["name"] for c in inspect(conn).get_columns("events")}:
        # v8: events.confidence (a new nullable column; older rows keep NULL)
        kind = S.events.c.confidence.type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE events ADD COLUMN confidence {kind}")
    if version < 2:
        # v2: the deduplicated event view (event_keys) and new indexes on events
        for name in ("ix_events_target_day", "ix_events_day", "ix_events_type_day"):
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        for t in S.metadata.sorted_tables:
            for idx in t.indexes:
                idx.create(conn, checkfirst=True)
    if version < 3:
        # v3: wider covering indexes on event_keys, an index for article counts by status
        for name in ("ix_event_keys_dyad", "ix_event_keys_target", "ix_event_keys_day"):
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        for t in (S.event_keys, S.articles):
            for idx in t.indexes:
                idx.create(conn, checkfirst=True)
    if version < 5:
        # v5: index changes for stats and period dyads
        for name in ("ix_event_keys_type_day", "ix_dyad_days_day"):
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        for t in (S.event_keys, S.dyad_days):
            for idx in t.indexes:
                idx.create(conn, checkfirst=True)
    if version < 6:
        # v6: quote indexes by speaker and day
        for name in ("ix_quotes_speaker", "ix_quotes_speaker_country"):
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
        for idx in S.quotes.indexes:
            idx.create(conn, checkfirst=True)
    if version < 7:
        # v7: quotes by day
        for idx in S.quotes.indexes:
            idx.create(conn, checkfirst=True)
    if version < 6:
        # v2 event_keys, v4 the timeline rollup (dyad_days), v6 per-actor event keys
        # (actor_keys): all derived from the mentions in one pass
        store._rebuild_event_keys(conn)
