"""The layout of a Spark output directory: which tables, which columns, which types.

Every table has exactly the columns of the store table of the same name (minus the store's own
autoincrement keys), in the same order, with the Arrow type of the column's SQL type, so
``marsad load`` is a bulk insert and a change to the store's schema changes the Spark output
with it.  Tables about articles are written partitioned by ``bucket`` (a hash of the article
id): all rows of one article sit in one bucket, so the loader can write bucket by bucket, each in
one transaction, and a load interrupted at any point can be resumed.

    OUT/summary.json            counts, timings, and the layout (written last: marks a complete output)
    OUT/articles/bucket=N/*.parquet, article_actors/, mentions/, quotes/, events/, times/, signatures/
    OUT/actors/*.parquet, clusters/, event_keys/, errors/   (errors: the store's ingest_errors)
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlalchemy import Boolean, Float, Integer, LargeBinary, String, Table, Text

from marsad.store import schema as S

#: Identifies a Spark output (summary.json ``format``); bumped when the layout changes.
FORMAT = "marsad-spark"
LAYOUT_VERSION = 1
SUMMARY_FILE = "summary.json"
BUCKET = "bucket"

#: Output directory → store table.
TABLES: dict[str, Table] = {
    "articles": S.articles, "article_actors": S.article_actors, "mentions": S.mentions,
    "quotes": S.quotes, "events": S.events, "times": S.times, "signatures": S.signatures,
    "actors": S.actors, "clusters": S.clusters, "event_keys": S.event_keys, "errors": S.ingest_errors,
}
#: Tables whose rows belong to one article (partitioned by bucket, loaded per bucket).
ARTICLE_TABLES = ("articles", "article_actors", "mentions", "quotes", "events", "times", "signatures")
#: Per-article child rows as the workers produce them (``marsad.store.rows.ArticleRows`` attributes).
CHILD_TABLES = ("actors", "article_actors", "mentions", "quotes", "events", "times")
#: Columns the job fills in after deduplication, not the workers.
LATE_COLUMNS = ("article_id", "cluster_id")


def _arrow_type(sql_type: Any) -> pa.DataType:
    if isinstance(sql_type, Boolean):
        return pa.bool_()
    if isinstance(sql_type, Integer):
        return pa.int32()
    if isinstance(sql_type, Float):
        return pa.float64()
    if isinstance(sql_type, LargeBinary):
        return pa.binary()
    if isinstance(sql_type, (String, Text)):
        return pa.string()
    raise TypeError(f"no Arrow type for {sql_type!r}")


def store_columns(name: str) -> list[str]:
    """Columns of an output table: the store table's, without its autoincrement key."""
    return [c.name for c in TABLES[name].columns if not (c.primary_key and c.autoincrement is True)]


def arrow_schema(name: str, drop: tuple[str, ...] = ()) -> pa.Schema:
    """Arrow schema of an output table (optionally without some columns)."""
    t = TABLES[name]
    return pa.schema([pa.field(c, _arrow_type(t.c[c].type)) for c in store_columns(name) if c not in drop])


def _struct(name: str, drop: tuple[str, ...]) -> pa.StructType:
    return pa.struct(list(arrow_schema(name, drop)))


#: What reading a source yields: one row per item (an article, or a located error).
ITEM_SCHEMA = pa.schema([
    ("okey", pa.int64()),  # the item's place in the input: file number << 40 | position in the file
    ("file_no", pa.int32()),
    ("block", pa.int64()),  # JSONL read in splits: byte offset of the split; -1 otherwise
    ("line", pa.int64()),  # JSONL read in splits: line number within the split
    ("where", pa.string()),
    ("error", pa.string()),
    ("id", pa.string()),
    ("text", pa.string()),
    ("title", pa.string()),
    ("published", pa.string()),
    ("url", pa.string()),
    ("source", pa.string()),
    ("language", pa.string()),
    ("html", pa.bool_()),
    ("warnings", pa.list_(pa.string())),
    ("crawl_date", pa.string()),
    ("raw_hash", pa.string()),
])

#: Columns of an article row that the job, not the worker, fills in.
ARTICLE_LATE = ("id", "cluster_id", "ingested_at")


def staged_schema() -> pa.Schema:
    """What the analysis stage writes per item: the article's row and its child rows, nested."""
    return pa.schema([
        ("okey", pa.int64()),
        ("where", pa.string()),
        ("id", pa.string()),  # the input's id (before an id conflict renames it)
        ("status", pa.string()),  # ok | not_analysed | error
        ("error", pa.string()),
        ("text_hash", pa.string()),
        ("minhash", pa.binary()),
        ("article", _struct("articles", ARTICLE_LATE)),
        *[(t, pa.list_(_struct(t, LATE_COLUMNS))) for t in CHILD_TABLES],
    ])
