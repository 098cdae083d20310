"""What runs in Spark's Python workers: files → items, items → analysed rows, and the grouped steps.

Every function here takes and yields pyarrow RecordBatches (the ``mapInArrow`` contract) and
imports no pyspark, so the tests call them directly too.  The per-item work is
:mod:`marsad.ingest`'s own worker function, so an article comes out of Spark exactly as it comes
out of ``marsad ingest``; resources (dictionaries, NER model) are loaded once per Python worker
process and kept in a module-level cache, and Spark reuses its Python workers across tasks.
"""

from __future__ import annotations

import bz2
import dataclasses
import io
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import numpy as np
import pyarrow as pa

from marsad.spark.tables import (
    ARTICLE_LATE,
    CHILD_TABLES,
    ITEM_SCHEMA,
    LATE_COLUMNS,
    arrow_schema,
    staged_schema,
)

#: Bits of an order key below the file number: positions up to 1 TiB into a file.
POS_BITS = 40
#: Rows per output batch of the analysis (keeps a worker's memory flat on large partitions).
ANALYSIS_BATCH = 64
STAGED = staged_schema()


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file as the driver listed it: its number in input order and how to read it."""

    file_no: int
    path: str  # as Spark's binaryFile source reports it (Hadoop Path.toString())
    name: str  # as shown in errors: the path without a file: scheme
    kind: str  # a marsad.sources kind, or "parquet"
    size: int
    explicit: bool  # given on the command line (not found in a folder)
    codec: str | None = None  # gzip/bz2 for compressed JSONL

    @property
    def split_lines(self) -> bool:
        """Read by Spark's text source in splits (uncompressed JSONL), not whole."""
        return self.kind == "jsonl" and self.codec is None


def okey(file_no: int, pos: int) -> int:
    """The order key of an item: input order, as ``marsad ingest`` reads the same inputs."""
    if pos >= 1 << POS_BITS:
        raise ValueError(f"position {pos} too far into file {file_no}")
    return (file_no << POS_BITS) | pos


# -- reading ------------------------------------------------------------------------------
def _item_row(item: Any, key: int, file_no: int, block: int = -1, line: int = -1) -> dict[str, Any]:
    from marsad.ingest import _raw_hash

    row: dict[str, Any] = {"okey": key, "file_no": file_no, "block": block, "line": line, "where": item.where,
                           "error": item.error}
    art = item.article
    if art is not None:
        if not art.id:
            art = art.with_id()
        row.update(id=art.id, text=art.text, title=art.title, published=art.published, url=art.url,
                   source=art.source, language=art.language, html=item.html, warnings=list(item.warnings),
                   crawl_date=item.crawl_date, raw_hash=_raw_hash(art.text))
    return row


def _error(where: str, reason: str) -> Any:
    from marsad.sources import Item

    return Item(where, error=reason)


def file_items(f: InputFile, data: bytes) -> Iterator[Any]:
    """The items of one whole file, as marsad.sources reads it from disk."""
    from marsad.sources import _bytes_items, _feed_list

    if f.kind == "parquet":
        yield from parquet_items(data, f.name)
    elif f.kind == "jsonl":
        yield from compressed_jsonl_items(data, f.name, f.codec)
    else:
        base = f.name.rsplit("/", 1)[-1].lower()
        if f.kind == "text" and (f.explicit or base == "feeds.txt") and _feed_list(data):
            yield _error(f.name, "a list of feed URLs: the Spark job reads files only (marsad ingest fetches feeds)")
            return
        yield from _bytes_items(f.kind, data, f.name)


def compressed_jsonl_items(data: bytes, where: str, codec: str | None) -> Iterator[Any]:
    """A .jsonl.gz / .jsonl.bz2 file, line by line; a damaged stream ends with an error item
    after every line that could be recovered before the damage."""
    from marsad.sources.records import jsonl_items

    n = 0
    damage: list[str] = []

    def lines() -> Iterator[bytes]:
        nonlocal n
        for raw in _decompressed_lines(data, codec or "gzip", damage):
            n += 1
            yield raw

    yield from jsonl_items(lines(), where)
    if damage:
        yield _error(f"{where}:{n + 1}", f"damaged {codec} stream after line {n}: {damage[0]}")


def _decompressed_lines(data: bytes, codec: str, damage: list[str]) -> Iterator[bytes]:
    """Lines of a gzip (multi-member too) or bz2 stream, decoded as far as it is intact.

    Decoded chunk by chunk, so a cut or corrupt file still gives every line before the damage
    (gzip.GzipFile's buffered reader raises before handing them out); the reason goes to ``damage``.
    """
    def new() -> Any:
        return zlib.decompressobj(wbits=31) if codec == "gzip" else bz2.BZ2Decompressor()

    dec, fed, pending, step = new(), False, b"", 1 << 16
    try:
        for off in range(0, len(data), step):
            chunk = data[off:off + step]
            while chunk:
                pending += dec.decompress(chunk)
                fed = True
                *done, pending = pending.split(b"\n")
                for ln in done:
                    yield ln + b"\n"
                if dec.eof:  # the member ended: the rest is the next member (or padding)
                    chunk = dec.unused_data
                    dec, fed = new(), False
                    if not chunk.strip(b"\0"):
                        chunk = b""
                else:
                    chunk = b""
        if fed:
            damage.append("the file ends inside a compressed stream (truncated)")
    except (zlib.error, OSError, EOFError, ValueError) as exc:
        damage.append(str(exc) or type(exc).__name__)
    if pending and not damage:  # a cut line is part of the damage, not a record
        yield pending


def parquet_items(data: bytes, where: str) -> Iterator[Any]:
    """Rows of a Parquet file as records (the same field names as JSON records)."""
    import pyarrow.parquet as pq

    from marsad.sources import record_item

    i = 0
    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        for batch in pf.iter_batches(batch_size=1024):
            for rec in batch.to_pylist():
                yield record_item(rec, f"{where}[{i}]")
                i += 1
    except (pa.ArrowException, OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        yield _error(f"{where}[{i}]" if i else where, f"unreadable Parquet{' after row ' + str(i) if i else ''}: "
                                                      f"{reason[:200]}")


def read_whole_files(batches: Iterable[pa.RecordBatch], files: dict[str, InputFile]) -> Iterator[pa.RecordBatch]:
    """binaryFile rows (path, content) → item rows.  Never raises for bad content."""
    for batch in batches:
        for path, data in zip(batch.column("path").to_pylist(), batch.column("content").to_pylist(), strict=True):
            f = files[path]
            rows: list[dict[str, Any]] = []
            k = 0
            try:
                for item in file_items(f, data):
                    rows.append(_item_row(item, okey(f.file_no, k), f.file_no))
                    k += 1
            except Exception as exc:  # a bug in a reader must not cost the other files
                rows.append(_item_row(_error(f.name, _internal("reading", exc)), okey(f.file_no, k), f.file_no))
            for i in range(0, len(rows), 1024):
                yield pa.RecordBatch.from_pylist(rows[i:i + 1024], schema=ITEM_SCHEMA)


def read_jsonl_lines(batches: Iterable[pa.RecordBatch], files: dict[str, InputFile]) -> Iterator[pa.RecordBatch]:
    """Text-source rows (value as bytes, file path, split start) → item rows.

    Lines arrive in file order within a split, so a line's position is the split's byte offset
    plus its index in the split: ordered like the lines, unique, and known without a second
    pass.  Line numbers are exact for the first split of a file; the job fixes up the others'
    error locations afterwards.
    """
    from marsad.sources.records import jsonl_items

    seen: dict[tuple[str, int], int] = {}
    by_uri: dict[str, InputFile] = {}
    for batch in batches:
        rows: list[dict[str, Any]] = []
        for raw, uri, block in zip(batch.column("value").to_pylist(), batch.column("file_path").to_pylist(),
                                   batch.column("file_block_start").to_pylist(), strict=True):
            f = by_uri.get(uri)
            if f is None:
                f = by_uri[uri] = files[unquote(uri)]
            k = seen.get((uri, block), 0)
            seen[(uri, block)] = k + 1
            where = f"{f.name}:{k + 1}" if block == 0 else f"{f.name}:@{block}+{k + 1}"
            try:
                items = list(jsonl_items([raw], f.name))
            except Exception as exc:
                items = [_error(where, _internal("reading", exc))]
            for item in items:
                rows.append(_item_row(dataclasses.replace(item, where=where), okey(f.file_no, block + k), f.file_no,
                                      block, k + 1))
        yield pa.RecordBatch.from_pylist(rows, schema=ITEM_SCHEMA)
    # one marker per split: how many lines it held (no id, no error, okey -1)
    markers = [{"okey": -1, "file_no": by_uri[uri].file_no, "block": block, "line": n}
               for (uri, block), n in seen.items()]
    yield pa.RecordBatch.from_pylist(markers, schema=ITEM_SCHEMA)


def _internal(what: str, exc: BaseException) -> str:
    msg = str(exc).splitlines()[0] if str(exc) else ""
    return f"internal error while {what} ({type(exc).__name__}: {msg}); please report it"


# -- analysis -----------------------------------------------------------------------------
_READY: dict[str, Any] = {}
#: Starts the message of a worker whose marsad differs from the driver's (the job reports it).
MISMATCH = "marsad on this executor differs from the driver's"


def fingerprint() -> dict[str, Any]:
    """What must be the same on the driver and every executor for the same results."""
    import marsad

    try:
        from marsad.ner import model_path

        model = model_path()
    except ImportError:
        model = None
    return {"marsad": marsad.__version__, "ner_model_bytes": model.stat().st_size if model else None}


def _ensure_resources(actor_files: Sequence[str], force_language: bool, expect: dict[str, Any] | None = None) -> None:
    """Load dictionaries and the NER model once per Python worker process.

    With ``expect`` (the driver's :func:`fingerprint`), refuse to run in an environment that would
    give other results: another marsad version, or no NER model (a package shipped as a zip).
    """
    from marsad import ingest

    key = (tuple(actor_files), force_language)
    if _READY.get("key") == key:
        return
    if expect is not None and fingerprint() != expect:
        raise RuntimeError(f"{MISMATCH}: {fingerprint()} here, {expect} on the driver; ship the driver's "
                           "environment to the executors (scripts/spark-submit.sh packs it as a venv archive)")
    paths = list(actor_files)
    if paths:
        import os

        from pyspark import SparkFiles  # shipped with SparkContext.addFile by the driver

        paths = [p if os.path.exists(p) else SparkFiles.get(os.path.basename(p)) for p in paths]
    ingest._init_worker(paths, force_language)
    _READY["key"] = key


def analyse_items(batches: Iterable[pa.RecordBatch], actor_files: Sequence[str] = (), force_language: bool = False,
                  ingested_at: str = "", expect: dict[str, Any] | None = None) -> Iterator[pa.RecordBatch]:
    """Item rows → staged rows: the article's store row and its child rows, or the error."""
    _ensure_resources(actor_files, force_language, expect)
    for batch in batches:
        rows = batch.to_pylist()
        for i in range(0, len(rows), ANALYSIS_BATCH):
            out = [analyse_row(r, ingested_at) for r in rows[i:i + ANALYSIS_BATCH]]
            yield pa.RecordBatch.from_pylist(out, schema=STAGED)


def analyse_row(r: dict[str, Any], ingested_at: str) -> dict[str, Any]:
    """One item through ingest's worker function (clean, analyse, sign) into store rows."""
    from marsad.ingest import Job, _one
    from marsad.model import Article
    from marsad.store import StoredArticle
    from marsad.store.rows import article_rows

    base = {"okey": r["okey"], "where": r["where"], "id": r["id"]}
    try:
        art = Article(text=r["text"], id=r["id"], title=r["title"], published=r["published"], url=r["url"],
                      source=r["source"], language=r["language"])
        res = _one(Job(r["where"], art, bool(r["html"]), tuple(r["warnings"] or ()), r["crawl_date"], None))
        if res.status == "error" or res.analysis is None:
            return {**base, "status": "error", "error": res.error or "failed"}
        item = StoredArticle.from_analysis(res.analysis, status=res.status, minhash=res.signature,
                                           ingested_at=ingested_at, text_hash=res.text_hash)
        rows = article_rows(item, text_hash=res.text_hash)
    except Exception as exc:  # never lose the partition to one article
        return {**base, "status": "error", "error": _internal("analysing", exc)}
    out = {**base, "status": res.status, "error": None, "text_hash": res.text_hash, "minhash": res.signature,
           "article": {k: v for k, v in rows.article.items() if k not in ARTICLE_LATE}}
    for t in CHILD_TABLES:
        out[t] = [{k: v for k, v in row.items() if k not in LATE_COLUMNS} for row in getattr(rows, t)]
    return out


# -- grouped steps over sorted partitions -----------------------------------------------------
def sorted_groups(batches: Iterable[pa.RecordBatch], key: str | Callable[[dict[str, Any]], Any]
                  ) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
    """Groups of consecutive rows with the same key, across batch boundaries.

    For a partition sorted by the key (``repartition(key).sortWithinPartitions(key)``): one
    Python call per batch instead of one per group, which matters with millions of groups.
    """
    get = (lambda r: r[key]) if isinstance(key, str) else key
    cur: Any = object()
    rows: list[dict[str, Any]] = []
    for batch in batches:
        for r in batch.to_pylist():
            k = get(r)
            if rows and k != cur:
                yield cur, rows
                rows = []
            cur = k
            rows.append(r)
    if rows:
        yield cur, rows


RESOLVED = pa.schema([("okey", pa.int64()), ("final_id", pa.string()), ("conflict", pa.bool_())])


def resolve_ids(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Articles sharing an id (sorted by id, then input order) → the id each is stored under.

    ``marsad ingest``'s rule: the same text again is already stored (final_id null); a
    different text under a used id is an id conflict, stored as ``id~<text hash>``.
    """
    out: list[dict[str, Any]] = []
    for aid, rows in sorted_groups(batches, "id"):
        run: dict[str, str] = {}
        for r in sorted(rows, key=lambda r: r["okey"]):
            h = r["text_hash"]
            prev = run.get(aid)
            if prev is None:
                run[aid] = h
                out.append({"okey": r["okey"], "final_id": aid, "conflict": False})
            elif prev == h:
                out.append({"okey": r["okey"], "final_id": None, "conflict": False})
            else:
                new = f"{aid}~{h[:8]}"
                if new in run:
                    out.append({"okey": r["okey"], "final_id": None, "conflict": True})
                else:
                    run[new] = h
                    out.append({"okey": r["okey"], "final_id": new, "conflict": True})
        if len(out) >= 4096:
            yield pa.RecordBatch.from_pylist(out, schema=RESOLVED)
            out = []
    yield pa.RecordBatch.from_pylist(out, schema=RESOLVED)


# -- dedup ----------------------------------------------------------------------------------
SIGNATURES = pa.schema([("okey", pa.int64()), ("exact", pa.binary()), ("n_shingles", pa.int32()),
                        ("hv", pa.binary()), ("bands", pa.list_(pa.binary()))])


def band_ranges() -> list[tuple[int, int]]:
    """The LSH bands of marsad.dedup's index (same threshold, same permutations → same b and r)."""
    from datasketch import MinHashLSH

    from marsad import dedup

    return [tuple(x) for x in MinHashLSH(threshold=dedup.MIN_JACCARD, num_perm=dedup.NUM_PERM).hashranges]


def decode_signatures(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """(okey, minhash) → the exact hash, the shingle count, the values and the LSH band keys."""
    from marsad.dedup import Signature

    ranges = band_ranges()
    for batch in batches:
        out = []
        for key, blob in zip(batch.column("okey").to_pylist(), batch.column("minhash").to_pylist(), strict=True):
            sig = Signature.from_bytes(blob)
            hv = sig.hashvalues.astype("<u4")
            bands = [hv[a:b].tobytes() for a, b in ranges] if sig.n_shingles else []
            out.append({"okey": key, "exact": sig.exact, "n_shingles": sig.n_shingles, "hv": hv.tobytes(),
                        "bands": bands})
        yield pa.RecordBatch.from_pylist(out, schema=SIGNATURES)


EDGES = pa.schema([("i", pa.int64()), ("j", pa.int64()), ("sim", pa.float64()), ("exact", pa.bool_())])


def verify_pairs(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """LSH candidate pairs → the pairs marsad.dedup calls near duplicates, with their similarity."""
    from marsad.dedup import NUM_PERM, is_duplicate

    for batch in batches:
        d = batch.to_pydict()
        out: dict[str, list[Any]] = {"i": [], "j": [], "sim": [], "exact": []}
        for i, j, a, b, na, nb in zip(d["i"], d["j"], d["hv_i"], d["hv_j"], d["n_i"], d["n_j"], strict=True):
            sim = float(np.count_nonzero(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4"))) / NUM_PERM
            if is_duplicate(sim, na, nb):
                out["i"].append(i)
                out["j"].append(j)
                out["sim"].append(sim)
                out["exact"].append(False)
        yield pa.RecordBatch.from_pydict(out, schema=EDGES)


ASSIGNED = pa.schema([("okey", pa.int64()), ("cluster_id", pa.string()), ("kind", pa.string()),
                      ("similarity", pa.float64())])


def replay_components(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Rows of components (members and edges, sorted by component) → each member's cluster."""
    from marsad.spark.replay import Member, replay

    out: list[dict[str, Any]] = []
    for _, rows in sorted_groups(batches, "comp"):
        members = [Member(r["okey"], r["fid"], r["rep"]) for r in rows if r["fid"] is not None]
        edges = [(r["i"], r["j"], r["sim"]) for r in rows if r["fid"] is None]
        out.extend({"okey": a.okey, "cluster_id": a.cluster_id, "kind": a.kind, "similarity": a.similarity}
                   for a in replay(members, edges))
        if len(out) >= 4096:
            yield pa.RecordBatch.from_pylist(out, schema=ASSIGNED)
            out = []
    yield pa.RecordBatch.from_pylist(out, schema=ASSIGNED)


# -- derived tables -----------------------------------------------------------------------------
def event_keys(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Event mentions sorted by cluster → the store's event_keys rows (its own function)."""
    from marsad.store.rows import event_key_rows

    schema = arrow_schema("event_keys")
    out: list[dict[str, Any]] = []
    for _, rows in sorted_groups(batches, "cluster_id"):
        rows.sort(key=lambda r: (r["article_id"], r["idx"]))
        out.extend(event_key_rows(rows, {r["article_id"]: r["outlet"] for r in rows}))
        if len(out) >= 4096:
            yield pa.RecordBatch.from_pylist(out, schema=schema)
            out = []
    yield pa.RecordBatch.from_pylist(out, schema=schema)


def json_lists(batches: Iterable[pa.RecordBatch], column: str) -> Iterator[pa.RecordBatch]:
    """Replace a list<string> column by its JSON text, as the store writes lists (json.dumps)."""
    import json

    for batch in batches:
        d = batch.to_pydict()
        d[column] = [json.dumps(v, ensure_ascii=False) if v is not None else None for v in d[column]]
        fields = [pa.field(column, pa.string()) if f.name == column else f for f in batch.schema]
        yield pa.RecordBatch.from_pydict(d, schema=pa.schema(fields))
