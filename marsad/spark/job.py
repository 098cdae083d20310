"""The Spark job: inputs → items → analysis → dedup → the store's tables as Parquet.

Run it through the CLI (``marsad spark analyze INPUT... --out DIR --master local[2]``) or on a
cluster (``spark-submit marsad/spark/job.py INPUT... --out DIR``, see scripts/spark-submit.sh).

The stages, each materialised under ``OUT/_work`` so that a lost executor costs a stage, not
the job:

1. **list** (driver): inputs in ``marsad ingest``'s order (arguments in turn, folders walked
   sorted); every file gets a number, every item an order key ``file << 40 | position``.
2. **read**: uncompressed JSONL through Spark's text source, in splits; every other format whole
   (binaryFile) through marsad.sources' own readers.  Bad records and files become error rows.
3. **analyse**: repeated records are skipped as ingest skips them, the rest is spread over the
   executors and run through ingest's worker function (resources loaded once per worker).
4. **dedup**: ids reused with another text are renamed as ingest renames them; MinHash LSH by
   banding + grouping, pairs verified with marsad.dedup's rule, connected components (on the
   driver when small, by label propagation otherwise), and ingest's cluster decisions replayed
   per component (:mod:`.replay`): the clusters of a single-machine run, with the same ids.
5. **write**: the tables of :mod:`.tables`, then ``summary.json``.
"""

from __future__ import annotations

if __name__ == "__main__":  # spark-submit marsad/spark/job.py: this folder must not shadow top-level modules
    import os as _os
    import sys as _sys

    _here = _os.path.dirname(_os.path.abspath(__file__))
    _sys.path[:] = [p for p in _sys.path if _os.path.abspath(p or ".") != _here]

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from marsad.spark import tables as TB
from marsad.spark import worker as W

#: binaryFile reads a file into one value: Spark's limit is a Java array.
MAX_WHOLE_FILE = 2**31 - 1 - 64
#: Articles per analysis task: ~10 s of work, small enough to balance, large enough to amortise.
ARTICLES_PER_TASK = 400


class JobError(Exception):
    """The job cannot run (bad options, output exists, nothing readable): one line for the user."""

    def __init__(self, message: str, code: int = 3) -> None:
        super().__init__(message)
        self.code = code  # the CLI's exit code: 2 usage, 3 input


@dataclass
class JobOptions:
    inputs: Sequence[str]
    out: str
    actor_files: tuple[str, ...] = ()
    analyse_all_languages: bool = False
    partitions: int | None = None  # analysis tasks (default: one per ARTICLES_PER_TASK articles)
    overwrite: bool = False
    keep_work: bool = False
    #: Connected components on the driver when there are at most this many duplicate edges.
    driver_edges: int = 2_000_000
    #: Articles per bucket of the article tables (one store transaction each in marsad load).
    bucket_articles: int = 5000


@dataclass
class JobSummary:
    """ingest's Summary fields, plus what the Spark run looked like."""

    read: int = 0
    new: int = 0
    duplicates: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    already_stored: int = 0
    not_arabic: int = 0
    errors: int = 0
    id_conflicts: int = 0
    events: int = 0
    quotes: int = 0
    clusters: int = 0
    seconds: float = 0.0
    files: int = 0
    master: str = ""
    cores: int = 0
    analysis_tasks: int = 0
    buckets: int = 0
    candidate_pairs: int = 0
    duplicate_edges: int = 0
    components: str = ""  # driver | distributed
    stage_seconds: dict[str, float] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["seconds"] = round(self.seconds, 3)
        d["articles_per_second"] = round(self.rate, 1)
        d["stage_seconds"] = {k: round(v, 3) for k, v in self.stage_seconds.items()}
        return d


# -- session ----------------------------------------------------------------------------------
def build_session(master: str | None = None, conf: Sequence[tuple[str, str]] = (), app: str = "marsad") -> SparkSession:
    """A session for the job.  In local mode the workers run this very Python (and its marsad)."""
    b = SparkSession.builder.appName(app)
    settings = dict(conf)
    if master:
        b = b.master(master)
    if (master or "").startswith("local"):
        # workers run this Python (the environment marsad is installed in), unless told otherwise
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        settings.setdefault("spark.driver.memory", "2g")
        settings.setdefault("spark.ui.enabled", "false")
    settings.setdefault("spark.sql.execution.arrow.pyspark.enabled", "true")
    for k, v in settings.items():
        b = b.config(k, v)
    spark = b.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("MARSAD_SPARK_LOG", "ERROR"))
    return spark


def spark_schema(schema: pa.Schema) -> T.StructType:
    """The Spark type of an Arrow schema (the types our tables use)."""
    return T.StructType([T.StructField(f.name, _spark_type(f.type), True) for f in schema])


def _spark_type(t: pa.DataType) -> T.DataType:
    if pa.types.is_string(t):
        return T.StringType()
    if pa.types.is_int32(t):
        return T.IntegerType()
    if pa.types.is_int64(t):
        return T.LongType()
    if pa.types.is_float64(t):
        return T.DoubleType()
    if pa.types.is_boolean(t):
        return T.BooleanType()
    if pa.types.is_binary(t):
        return T.BinaryType()
    if pa.types.is_list(t):
        return T.ArrayType(_spark_type(t.value_type), True)
    if pa.types.is_struct(t):
        return T.StructType([T.StructField(f.name, _spark_type(f.type), True) for f in t])
    raise TypeError(f"no Spark type for {t}")


# -- file system (through Hadoop, so any file system Spark reads) -----------------------------
class _FS:
    def __init__(self, spark: SparkSession) -> None:
        self.jvm = spark._jvm  # type: ignore[attr-defined]
        self.conf = spark._jsc.hadoopConfiguration()  # type: ignore[attr-defined]

    def path(self, p: str) -> Any:
        return self.jvm.org.apache.hadoop.fs.Path(p)

    def fs(self, p: str) -> Any:
        return self.path(p).getFileSystem(self.conf)

    def exists(self, p: str) -> bool:
        return bool(self.fs(p).exists(self.path(p)))

    def is_empty_dir(self, p: str) -> bool:
        fs = self.fs(p)
        st = fs.getFileStatus(self.path(p))
        return bool(st.isDirectory()) and len(fs.listStatus(self.path(p))) == 0

    def delete(self, p: str) -> None:
        self.fs(p).delete(self.path(p), True)

    def write_text(self, p: str, text: str) -> None:
        out = self.fs(p).create(self.path(p), True)
        try:
            out.write(bytearray(text.encode("utf-8")))
        finally:
            out.close()

    def qualified(self, p: str) -> str:
        return str(self.fs(p).makeQualified(self.path(p)).toString())


def _display(path: str) -> str:
    return path[len("file:"):] if path.startswith("file:/") else path


def _walk_key(path: str) -> tuple[tuple[int, str], ...]:
    """os.walk order as marsad.sources walks a folder: a folder's files (sorted), then its subfolders."""
    parts = path.split("/")
    return (*((1, p) for p in parts[:-1]), (0, parts[-1]))


def file_kind(name: str, explicit: bool) -> tuple[str | None, str | None]:
    """(kind, codec) of a file by name: marsad.sources' kinds, plus Parquet and compressed JSONL."""
    from marsad.sources import kind_of

    low = name.lower()
    if low.endswith(".parquet"):
        return "parquet", None
    for ext, codec in ((".gz", "gzip"), (".bz2", "bz2")):
        if low.endswith((".jsonl" + ext, ".ndjson" + ext)):
            return "jsonl", codec
    kind = kind_of(name)
    if kind is None and explicit:
        kind = "text"  # as marsad ingest reads a file given by name
    return kind, None


def list_inputs(spark: SparkSession, inputs: Sequence[str]) -> tuple[list[W.InputFile], list[tuple[str, str]]]:
    """Every input file in ingest's order, and the inputs that could not be listed (where, reason)."""
    from marsad.reader import MAX_BYTES
    from marsad.sources import MAX_STRUCTURED

    fs = _FS(spark)
    found: list[tuple[str, int, bool]] = []  # path, size, explicit
    errors: list[tuple[str, str]] = []
    for inp in inputs:
        try:
            statuses = fs.fs(inp).globStatus(fs.path(inp))
        except Exception as exc:
            errors.append((inp, f"cannot list: {_java_message(exc)}"))
            continue
        if not statuses:
            errors.append((inp, "no such file or directory"))
            continue
        for st in sorted(statuses, key=lambda s: _walk_key(str(s.getPath().toString()))):
            p = str(st.getPath().toString())
            if st.isDirectory():
                found.extend((q, n, False) for q, n in _list_folder(spark, p))
            else:
                found.append((p, int(st.getLen()), True))
    files: list[W.InputFile] = []
    seen: set[str] = set()
    for p, size, explicit in found:
        if p in seen:  # a file named twice is read once (ingest would read it again: all repeats)
            continue
        seen.add(p)
        name = p.rsplit("/", 1)[-1]
        kind, codec = file_kind(name, explicit)
        if kind is None:
            continue
        shown = _display(p)
        limit = MAX_STRUCTURED if kind in ("json", "csv") else MAX_BYTES if kind in ("text", "html") else None
        if limit is not None and size > limit:
            errors.append((shown, f"{size // (1024 * 1024)} MB is larger than the {limit // (1024 * 1024)} MB "
                                  "limit for this kind of file"))
            continue
        if not (kind == "jsonl" and codec is None) and size > MAX_WHOLE_FILE:
            errors.append((shown, f"{size // (1024 * 1024)} MB is too large to read whole on Spark (2 GB at most): "
                                  "split it, or convert it to JSONL"))
            continue
        files.append(W.InputFile(len(files), p, shown, kind, size, explicit, codec))
    if len(files) >= 1 << (63 - W.POS_BITS):
        raise JobError(f"{len(files)} input files: more than this job numbers; merge some")
    return files, errors


def _list_folder(spark: SparkSession, folder: str) -> list[tuple[str, int]]:
    """Files under a folder, walked like marsad.sources walks it (hidden files and folders skipped).

    Spark lists (in parallel for large trees); its listing also skips names starting with ``_``.
    """
    df = (spark.read.format("binaryFile").option("recursiveFileLookup", "true")
          .load(folder).select("path", "length"))
    root = folder.rstrip("/") + "/"
    out = []
    for r in df.collect():
        rel = r.path[len(root):] if r.path.startswith(root) else r.path.rsplit("/", 1)[-1]
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        out.append((r.path, int(r.length)))
    return sorted(out, key=lambda x: _walk_key(x[0]))


def _java_message(exc: BaseException) -> str:
    java = getattr(exc, "java_exception", None)
    msg = str(java.getMessage()) if java is not None else str(exc)
    return (msg.strip().splitlines() or [type(exc).__name__])[0]


# -- the job -----------------------------------------------------------------------------------
class _Clock:
    def __init__(self, summary: JobSummary, progress: Callable[[str], None] | None) -> None:
        self.s = summary
        self.progress = progress or (lambda _msg: None)
        self.t = time.monotonic()

    def stage(self, name: str) -> None:
        now = time.monotonic()
        self.s.stage_seconds[name] = now - self.t
        self.t = now
        self.progress(f"{name}: {self.s.stage_seconds[name]:.1f} s")


def run(spark: SparkSession, opts: JobOptions, progress: Callable[[str], None] | None = None) -> JobSummary:
    """Run the job; returns (and writes to OUT/summary.json) what happened."""
    from marsad.store.rows import now_iso

    t0 = time.monotonic()
    s = JobSummary(master=spark.sparkContext.master, cores=spark.sparkContext.defaultParallelism)
    clock = _Clock(s, progress)
    fs = _FS(spark)
    out = opts.out.rstrip("/")
    work = f"{out}/_work"
    replace = fs.exists(out) and not fs.is_empty_dir(out)
    if replace and not opts.overwrite:
        raise JobError(f"{_display(fs.qualified(out))} exists; pass --overwrite to replace it", 2)
    if not opts.inputs:
        raise JobError("no inputs")
    ingested_at = now_iso()
    actor_files = _ship_actor_files(spark, opts.actor_files)

    # 1-2. list and read
    files, list_errors = list_inputs(spark, opts.inputs)
    s.files = len(files)
    if not files and list_errors:
        raise JobError(f"{list_errors[0][0]}: {list_errors[0][1]}" if len(list_errors) == 1
                       else f"none of the {len(list_errors)} inputs can be read ({list_errors[0][0]}: {list_errors[0][1]})")
    if replace:  # only now: a run that cannot start leaves the earlier output alone
        fs.delete(out)
    clock.stage("list")
    items = _read(spark, files)
    items.write.parquet(f"{work}/items")
    items = spark.read.parquet(f"{work}/items")
    clock.stage("read")

    # 3. analyse (a record repeated word for word under its id is read, not analysed: as ingest)
    real = items.filter(F.col("id").isNotNull() | F.col("error").isNotNull())
    arts = items.filter(F.col("id").isNotNull())
    w = Window.partitionBy("id").orderBy("okey")
    repeats = (arts.select("okey", "id", "raw_hash")
               .withColumn("first_raw", F.first("raw_hash").over(w)).withColumn("n", F.row_number().over(w))
               .filter((F.col("n") > 1) & (F.col("raw_hash") == F.col("first_raw"))).select("okey"))
    to_analyse = arts.join(repeats, "okey", "left_anti")
    n_analyse = to_analyse.count()
    s.analysis_tasks = opts.partitions or max(2 * s.cores, math.ceil(n_analyse / ARTICLES_PER_TASK))
    analyse = partial(W.analyse_items, actor_files=actor_files, force_language=opts.analyse_all_languages,
                      ingested_at=ingested_at, expect=W.fingerprint())
    staged = (to_analyse.repartition(s.analysis_tasks, "okey")
              .mapInArrow(analyse, spark_schema(W.STAGED)))
    try:
        staged.write.parquet(f"{work}/staged")
    except Exception as exc:  # an executor without the driver's marsad: say so in one line
        msg = str(exc)
        if W.MISMATCH in msg:
            raise JobError(msg[msg.index(W.MISMATCH):].splitlines()[0]) from None
        raise
    staged = spark.read.parquet(f"{work}/staged")
    clock.stage("analyse")

    # 4. ids and duplicate clusters
    ok = staged.filter(F.col("status") != "error")
    kept, n_conflicts = _resolve_ids(spark, ok, work)
    s.id_conflicts = n_conflicts
    assigned = _dedup(spark, kept, opts, s, work)
    n_kept = kept.count()
    s.buckets = max(1, math.ceil(n_kept / max(1, opts.bucket_articles)))
    resolved = (kept.select("okey", "fid").join(assigned, "okey", "left")
                .select("okey", "fid", F.coalesce("cluster_id", "fid").alias("cluster_id"),
                        F.coalesce("kind", F.lit("new")).alias("kind"),
                        F.pmod(F.xxhash64("okey"), F.lit(s.buckets)).cast("int").alias(TB.BUCKET)))
    resolved.write.parquet(f"{work}/resolved")
    resolved = spark.read.parquet(f"{work}/resolved")
    clock.stage("dedup")

    # 5. tables
    final = ok.join(resolved, "okey")
    _write_tables(spark, final, out, ingested_at, s)
    err_rows = _errors(spark, items, staged, files, list_errors, ingested_at)
    err_rows.coalesce(1).write.parquet(f"{out}/errors")
    clock.stage("write")

    # the summary, from what was written
    n_errors = spark.read.parquet(f"{out}/errors").count()
    counts = resolved.groupBy("kind").count().collect()
    kinds = {r["kind"]: r["count"] for r in counts}
    s.read = real.count() + len(list_errors)
    s.new = n_kept
    s.exact_duplicates = kinds.get("exact", 0)
    s.near_duplicates = kinds.get("near", 0)
    s.duplicates = s.exact_duplicates + s.near_duplicates
    s.errors = n_errors
    s.already_stored = s.read - s.errors - s.new
    s.tables["errors"] = n_errors
    s.events, s.quotes = s.tables.get("events", 0), s.tables.get("quotes", 0)
    s.clusters = s.tables.get("clusters", 0)
    s.not_arabic = spark.read.parquet(f"{out}/articles").filter(F.col("status") == "not_analysed").count()
    if not opts.keep_work:
        fs.delete(work)
    s.seconds = time.monotonic() - t0
    manifest = {"format": TB.FORMAT, "layout_version": TB.LAYOUT_VERSION, "ingested_at": ingested_at,
                "inputs": list(opts.inputs), "summary": s.to_dict()}
    from marsad.store import SCHEMA_VERSION

    manifest["store_schema_version"] = SCHEMA_VERSION
    fs.write_text(f"{out}/{TB.SUMMARY_FILE}", json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    return s


def _ship_actor_files(spark: SparkSession, paths: Sequence[str]) -> tuple[str, ...]:
    """Actor dictionaries go to every executor with the job (SparkContext.addFile)."""
    names = []
    for p in paths:
        if not os.path.exists(p):
            raise JobError(f"{p}: no such file")
        spark.sparkContext.addFile(os.path.abspath(p))
        names.append(os.path.abspath(p))
    if names:  # check them here: a bad dictionary must not fail every task
        from marsad.resources import load_resources

        load_resources(names)
    return tuple(names)


def _read(spark: SparkSession, files: list[W.InputFile]) -> DataFrame:
    """Items of every file (article or error rows), plus one marker row per JSONL split."""
    schema = spark_schema(TB.ITEM_SCHEMA)
    parts: list[DataFrame] = []
    whole = [f for f in files if not f.split_lines]
    split = [f for f in files if f.split_lines]
    if whole:
        by_path = {f.path: f for f in whole}
        df = spark.read.format("binaryFile").load([f.path for f in whole]).select("path", "content")
        parts.append(df.mapInArrow(partial(W.read_whole_files, files=by_path), schema))
    if split:
        by_path = {f.path: f for f in split}
        df = (spark.read.format("text").option("lineSep", "\n").load([f.path for f in split])
              .select(F.col("value").cast("binary").alias("value"), "_metadata.file_path", "_metadata.file_block_start"))
        parts.append(df.mapInArrow(partial(W.read_jsonl_lines, files=by_path), schema))
    if not parts:
        return spark.createDataFrame([], schema)
    items = parts[0]
    for p in parts[1:]:
        items = items.unionByName(p)
    return items


def _resolve_ids(spark: SparkSession, ok: DataFrame, work: str) -> tuple[DataFrame, int]:
    """Articles to store, with the id each is stored under (``fid``), and the number of id conflicts."""
    multi = ok.groupBy("id").count().filter(F.col("count") > 1).select("id")
    res = (ok.select("okey", "id", "text_hash").join(multi, "id")
           .repartition("id").sortWithinPartitions("id", "okey")
           .mapInArrow(W.resolve_ids, spark_schema(W.RESOLVED)))
    res.write.parquet(f"{work}/ids")
    res = spark.read.parquet(f"{work}/ids").withColumn("renamed", F.lit(True))
    n_conflicts = res.filter("conflict").count()
    kept = (ok.select("okey", "id", "minhash").join(res, "okey", "left")
            .filter(F.col("renamed").isNull() | F.col("final_id").isNotNull())
            .select("okey", F.coalesce("final_id", "id").alias("fid"), "minhash"))
    return kept, n_conflicts


def _dedup(spark: SparkSession, kept: DataFrame, opts: JobOptions, s: JobSummary, work: str) -> DataFrame:
    """(okey, cluster_id, kind, similarity) of every article that is, or has, a duplicate."""
    from marsad.spark.replay import Member, UnionFind, replay

    sigs = kept.select("okey", "minhash").mapInArrow(W.decode_signatures, spark_schema(W.SIGNATURES))
    sigs = sigs.withColumn("rep", F.min("okey").over(Window.partitionBy("exact")))
    sigs.write.parquet(f"{work}/sigs")
    sigs = spark.read.parquet(f"{work}/sigs")
    # exact copies: an edge to the first article with the same normalised text
    copies = sigs.filter(F.col("okey") != F.col("rep")).select(
        F.col("rep").alias("i"), F.col("okey").alias("j"), F.lit(1.0).alias("sim"), F.lit(True).alias("exact"))
    # near duplicates among the first articles of each text: pairs that share an LSH band ...
    reps = sigs.filter((F.col("okey") == F.col("rep")) & (F.col("n_shingles") > 0))
    bands = reps.select("okey", F.posexplode("bands").alias("band", "key"))
    x, y = bands.alias("x"), bands.alias("y")
    pairs = (x.join(y, (F.col("x.band") == F.col("y.band")) & (F.col("x.key") == F.col("y.key"))
                    & (F.col("x.okey") < F.col("y.okey")))
             .select(F.col("x.okey").alias("i"), F.col("y.okey").alias("j")).distinct())
    side = reps.select("okey", "hv", "n_shingles")
    cand = (pairs.join(side.toDF("i", "hv_i", "n_i"), "i").join(side.toDF("j", "hv_j", "n_j"), "j")
            .select("i", "j", "hv_i", "hv_j", "n_i", "n_j"))
    cand.write.parquet(f"{work}/candidates")
    cand = spark.read.parquet(f"{work}/candidates")
    s.candidate_pairs = cand.count()
    # ... that marsad.dedup's rule calls duplicates
    near = cand.mapInArrow(W.verify_pairs, spark_schema(W.EDGES))
    near.unionByName(copies).write.parquet(f"{work}/edges")
    edges = spark.read.parquet(f"{work}/edges")
    s.duplicate_edges = edges.count()
    schema = spark_schema(W.ASSIGNED)
    if s.duplicate_edges == 0:
        s.components = "none"
        return spark.createDataFrame([], schema)
    ends = edges.select(F.col("i").alias("okey")).union(edges.select(F.col("j").alias("okey"))).distinct()
    members = ends.join(kept.select("okey", "fid"), "okey").join(sigs.select("okey", "rep"), "okey")
    if s.duplicate_edges <= opts.driver_edges:
        s.components = "driver"
        uf = UnionFind()
        edge_rows = edges.collect()
        for e in edge_rows:
            uf.union(e["i"], e["j"])
        labels = uf.labels()
        comp_members: dict[int, list[Member]] = {}
        for m in members.collect():
            comp_members.setdefault(labels[m["okey"]], []).append(Member(m["okey"], m["fid"], m["rep"]))
        comp_edges: dict[int, list[tuple[int, int, float]]] = {}
        for e in edge_rows:
            if not e["exact"]:
                comp_edges.setdefault(labels[e["i"]], []).append((e["i"], e["j"], e["sim"]))
        out = []
        for comp, ms in comp_members.items():
            out.extend((a.okey, a.cluster_id, a.kind, a.similarity) for a in replay(ms, comp_edges.get(comp, [])))
        return spark.createDataFrame(out, schema)
    s.components = "distributed"
    labels_df = _components(spark, edges.select("i", "j"), work)
    none = {"okey": "long", "fid": "string", "rep": "long", "i": "long", "j": "long", "sim": "double"}

    def cols(*have: str) -> list[Any]:
        return [F.col(c) if c in have else F.lit(None).cast(t).alias(c) for c, t in none.items()]

    rows = (members.join(labels_df, "okey").select("comp", *cols("okey", "fid", "rep"))
            .unionByName(edges.filter(~F.col("exact")).join(labels_df.toDF("i", "comp"), "i")
                         .select("comp", *cols("i", "j", "sim"))))
    return (rows.repartition("comp").sortWithinPartitions("comp", "okey")
            .mapInArrow(W.replay_components, schema))


def _components(spark: SparkSession, edges: DataFrame, work: str, max_rounds: int = 100) -> DataFrame:
    """Connected components by min-label propagation: (okey, comp = smallest okey of its component)."""
    both = edges.union(edges.select(F.col("j").alias("i"), F.col("i").alias("j"))).toDF("src", "dst")
    both.write.parquet(f"{work}/cc_edges")
    both = spark.read.parquet(f"{work}/cc_edges")
    labels = both.groupBy("src").agg(F.least(F.col("src"), F.min("dst")).alias("comp")).toDF("okey", "comp")
    for n in range(max_rounds):
        path = f"{work}/cc_{n % 2}"
        step = (both.join(labels.toDF("src", "lab"), "src").groupBy("dst").agg(F.min("lab").alias("lab"))
                .toDF("okey", "lab"))
        new = (labels.join(step, "okey", "left")
               .select("okey", F.least("comp", F.coalesce("lab", "comp")).alias("comp")))
        new.write.mode("overwrite").parquet(path)
        new = spark.read.parquet(path)
        changed = new.join(labels.toDF("okey", "old"), "okey").filter(F.col("comp") != F.col("old")).count()
        labels = new
        if changed == 0:
            return labels
    raise JobError(f"duplicate clusters did not settle after {max_rounds} rounds of label propagation")


def _write_tables(spark: SparkSession, final: DataFrame, out: str, ingested_at: str, s: JobSummary) -> None:
    """Every table but errors, in the store's column order."""
    final = final.persist(StorageLevel.DISK_ONLY)

    def write(name: str, df: DataFrame, bucketed: bool) -> None:
        cols = TB.store_columns(name)
        if bucketed:
            df.select(*cols, TB.BUCKET).repartition(s.buckets, TB.BUCKET).write.partitionBy(TB.BUCKET) \
                .parquet(f"{out}/{name}")
        else:
            df.select(*cols).write.parquet(f"{out}/{name}")
        s.tables[name] = spark.read.parquet(f"{out}/{name}").count()

    art_fields = [c for c in TB.store_columns("articles") if c not in TB.ARTICLE_LATE]
    write("articles", final.select(
        F.col("fid").alias("id"), *[F.col(f"article.{c}").alias(c) for c in art_fields],
        F.lit(ingested_at).alias("ingested_at"), "cluster_id", TB.BUCKET), True)
    for name in ("article_actors", "mentions", "quotes", "events", "times"):
        df = final.select(F.col("fid").alias("article_id"), "cluster_id", TB.BUCKET,
                          F.explode(name).alias("r")).select("article_id", "cluster_id", TB.BUCKET, "r.*")
        write(name, df, True)
    write("signatures", final.select(F.col("fid").alias("article_id"), "minhash", TB.BUCKET), True)
    # actors: one row per actor id, as first written (by the earliest article)
    cols = TB.store_columns("actors")
    actors = (final.select("okey", F.explode("actors").alias("a"))
              .groupBy(F.col("a.id").alias("aid")).agg(F.min_by("a", "okey").alias("a")).select("a.*"))
    write("actors", actors.select(*cols), False)
    # clusters: size, outlets, first and last publication, as the store computes them
    src, pub = F.col("article.source"), F.col("article.published")
    clusters = (final.groupBy(F.col("cluster_id").alias("id"))
                .agg(F.count(F.lit(1)).cast("int").alias("size"),
                     F.array_sort(F.collect_set(F.when(src != "", src))).alias("sources"),
                     F.min(F.when(pub != "", pub)).alias("first_published"),
                     F.max(F.when(pub != "", pub)).alias("last_published"))
                .withColumn("n_sources", F.size("sources").cast("int")))
    cl_schema = spark_schema(TB.arrow_schema("clusters").set(
        TB.arrow_schema("clusters").get_field_index("sources"), pa.field("sources", pa.string())))
    clusters = clusters.select(*TB.store_columns("clusters")).mapInArrow(
        partial(W.json_lists, column="sources"), cl_schema)
    write("clusters", clusters, False)
    # event_keys: the deduplicated event view, by the store's own function
    ev = (final.select(F.col("fid").alias("article_id"), "cluster_id", F.col("article.source").alias("outlet"),
                       F.explode("events").alias("e"))
          .select("article_id", "cluster_id", "outlet",
                  *[F.col(f"e.{c}").alias(c) for c in _KEY_COLUMNS if c not in ("article_id", "cluster_id")]))
    keys = (ev.repartition("cluster_id").sortWithinPartitions("cluster_id")
            .mapInArrow(W.event_keys, spark_schema(TB.arrow_schema("event_keys"))))
    write("event_keys", keys, False)
    final.unpersist()


def _key_columns() -> tuple[str, ...]:
    from marsad.store.rows import KEY_SOURCE_COLUMNS

    return tuple(KEY_SOURCE_COLUMNS)


_KEY_COLUMNS = _key_columns()


def _errors(spark: SparkSession, items: DataFrame, staged: DataFrame, files: list[W.InputFile],
            list_errors: list[tuple[str, str]], at: str) -> DataFrame:
    """The errors table (the store's ingest_errors columns): every bad input, file, record or article."""
    cols = TB.store_columns("errors")  # source, item, reason, time
    schema = spark_schema(TB.arrow_schema("errors"))
    names = spark.createDataFrame([(f.file_no, f.name) for f in files] or [(-1, "")], "file_no int, source string")
    # error locations in later splits of a JSONL file: count the lines of the splits before
    markers = items.filter(F.col("id").isNull() & F.col("error").isNull())
    starts = (markers.select("file_no", "block", F.col("line").alias("lines"))
              .withColumn("first_line", F.coalesce(F.sum("lines").over(
                  Window.partitionBy("file_no").orderBy("block").rowsBetween(Window.unboundedPreceding, -1)),
                  F.lit(0))))
    located = items.select("okey", "file_no", "block", "line")
    bad_items = items.filter(F.col("error").isNotNull()).select("okey", "file_no", "block", "line", "where",
                                                              F.col("error").alias("reason"))
    bad_arts = (staged.filter(F.col("status") == "error").select("okey", "where", F.col("error").alias("reason"))
                .join(located, "okey"))
    bad = bad_items.unionByName(bad_arts)
    bad = (bad.join(starts.select("file_no", "block", "first_line"), ["file_no", "block"], "left")
           .join(names, "file_no", "left")
           .select("source", F.when(F.col("block") > 0, F.concat(
               F.col("source"), F.lit(":"), (F.col("first_line") + F.col("line")).cast("string")))
               .otherwise(F.col("where")).alias("item"), "reason", F.lit(at).alias("time")))
    listed = spark.createDataFrame([(w, w, r, at) for w, r in list_errors], schema) if list_errors else None
    bad = bad.select(*cols)
    bad = bad.unionByName(listed) if listed is not None else bad
    # one line each, without control characters (a reader may quote raw bytes; PostgreSQL refuses NUL)
    return bad.select(*[_one_line(c, 300 if c == "item" else 500) if c in ("source", "item", "reason") else F.col(c)
                        for c in cols])


def _one_line(col: str, limit: int) -> Any:
    flat = F.trim(F.regexp_replace(F.col(col), r"[\p{Cntrl}\x{2028}\x{2029}]+", " "))
    return F.when(F.length(flat) > limit, F.concat(F.substring(flat, 1, limit - 1), F.lit("…"))) \
        .otherwise(flat).alias(col)


# -- spark-submit entry point -------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> JobOptions:
    p = argparse.ArgumentParser(prog="marsad/spark/job.py", description=__doc__.split("\n\n")[0])
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs on any file system Spark reads")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (Parquet tables + summary.json)")
    p.add_argument("--actors", action="append", default=[], metavar="FILE", help="extra actor dictionary (YAML)")
    p.add_argument("--analyse-all-languages", action="store_true")
    p.add_argument("--partitions", type=int, default=None, help="analysis tasks")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--keep-work", action="store_true", help="keep OUT/_work (intermediate stages)")
    p.add_argument("--driver-edges", type=int, default=JobOptions.driver_edges)
    a = p.parse_args(argv)
    return JobOptions(a.inputs, a.out, tuple(a.actors), a.analyse_all_languages, a.partitions, a.overwrite,
                      a.keep_work, a.driver_edges)


def main(argv: Sequence[str] | None = None) -> int:
    """spark-submit marsad/spark/job.py INPUT... --out DIR: exit 0, or 1 when some items failed."""
    opts = parse_args(argv)
    spark = build_session()
    try:
        s = run(spark, opts, progress=lambda m: print(f"marsad: {m}", file=sys.stderr))
    except JobError as exc:
        print(f"marsad: {exc}", file=sys.stderr)
        return exc.code
    finally:
        spark.stop()
    print(json.dumps(s.to_dict(), ensure_ascii=False))
    return 1 if s.errors else 0


if __name__ == "__main__":
    sys.exit(main())
