"""marsad on Spark: the same articles, events, quotes and clusters as ``marsad ingest``; bad input
counted, not fatal; ``marsad load`` gives a store the CLI queries.

The pure parts (cluster replay, readers) run everywhere.  The Spark tests (marker ``spark``) run
one local[2] session for the module and skip without Java or pyspark (fail under
MARSAD_ALL_TESTS=1).  Inputs are generated here from the team-written example articles.
"""

from __future__ import annotations

import gzip
import importlib.util
import io
import json
import random
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, need
from pg import postgres_server  # noqa: F401  (fixture)

from marsad import dedup
from marsad.cli import main
from marsad.spark import replay as R
from marsad.spark import worker as W
from marsad.spark.tables import ARTICLE_TABLES, TABLES, store_columns


# -- generated corpora ------------------------------------------------------------------------------
def _sentences() -> list[str]:
    out: set[str] = set()
    for p in sorted((EXAMPLES / "articles").glob("0[01]*.txt")):
        body = p.read_text(encoding="utf-8").split("\n", 1)[1]
        out.update(s.strip() for s in re.split(r"(?<=[.!؟])\s+", body) if len(s.split()) >= 6)
    return sorted(out)


def generate(n: int, seed: int) -> list[str]:
    """Texts: new ones, exact copies, edits of earlier ones, and bridges (half of one + half of another)."""
    rng = random.Random(seed)
    sents = _sentences()
    texts: list[list[str]] = []
    for i in range(n):
        r = rng.random()
        if texts and r < 0.12:
            t = list(rng.choice(texts))
        elif texts and r < 0.35:
            t = list(rng.choice(texts))
            t[rng.randrange(len(t))] = rng.choice(sents)
            if len(t) > 4 and rng.random() < 0.5:
                t.pop()
            t.append(f"وأضاف المصدر أن الاتصالات مستمرة حتى الساعة {i}.")
        elif len(texts) >= 2 and r < 0.45:
            a, b = rng.sample(texts, 2)
            t = a[: len(a) // 2 + 1] + b[len(b) // 2:]
        else:
            t = rng.sample(sents, rng.randint(5, 9)) + [f"رقم الخبر {i} في الأرشيف."]
        texts.append(t)
    return ["\n".join(t) for t in texts]


# -- pure: the replay of ingest's cluster decisions ----------------------------------------------
def _spark_like_assignments(texts: list[str], ids: list[str]) -> dict[str, str]:
    """The job's dedup steps without Spark: bands → pairs → verify → components → replay."""
    sigs = [dedup.signature(t).to_bytes() for t in texts]
    dec = pa.Table.from_batches(list(W.decode_signatures([pa.RecordBatch.from_pydict(
        {"okey": list(range(len(sigs))), "minhash": sigs})]))).to_pylist()
    rep: dict[bytes, int] = {}
    for r in dec:
        rep.setdefault(r["exact"], r["okey"])
    buckets: dict[tuple[int, bytes], list[int]] = {}
    for r in dec:
        if rep[r["exact"]] == r["okey"] and r["n_shingles"]:
            for b, key in enumerate(r["bands"]):
                buckets.setdefault((b, key), []).append(r["okey"])
    pairs = sorted({(i, j) for ms in buckets.values() for i in ms for j in ms if i < j})
    by = {r["okey"]: r for r in dec}
    cand = pa.RecordBatch.from_pydict({
        "i": [i for i, _ in pairs], "j": [j for _, j in pairs], "hv_i": [by[i]["hv"] for i, _ in pairs],
        "hv_j": [by[j]["hv"] for _, j in pairs], "n_i": [by[i]["n_shingles"] for i, _ in pairs],
        "n_j": [by[j]["n_shingles"] for _, j in pairs]})
    near = pa.Table.from_batches(list(W.verify_pairs([cand]))).to_pylist()
    uf = R.UnionFind()
    for e in near:
        uf.union(e["i"], e["j"])
    for r in dec:
        if rep[r["exact"]] != r["okey"]:
            uf.union(rep[r["exact"]], r["okey"])
    labels = uf.labels()
    comps: dict[int, list[R.Member]] = {}
    for k, lab in labels.items():
        comps.setdefault(lab, []).append(R.Member(k, ids[k], rep[by[k]["exact"]]))
    out = {i: i for i in ids}
    for lab, ms in comps.items():
        edges = [(e["i"], e["j"], e["sim"]) for e in near if labels[e["i"]] == lab]
        out.update({ids[a.okey]: a.cluster_id for a in R.replay(ms, edges)})
    return out


def _index_assignments(texts: list[str], ids: list[str]) -> dict[str, str]:
    index = dedup.DedupIndex()
    return {aid: index.assign(aid, dedup.signature(t)).cluster_id for aid, t in zip(ids, texts, strict=True)}


@pytest.mark.parametrize("seed", [5, 23, 101])
def test_replayed_clusters_equal_the_sequential_index(seed):
    texts = generate(160, seed)
    ids = [f"g{seed}-{i:03d}-{random.Random(i).randrange(1000)}" for i in range(len(texts))]  # ids not in order
    want = _index_assignments(texts, ids)
    got = _spark_like_assignments(texts, ids)
    assert got == want
    assert sum(1 for k, v in want.items() if k != v) > 30  # the corpus has duplicates to get right


def test_replay_follows_the_index_not_connected_components():
    """A bridge similar to two unrelated articles joins one cluster; the two stay apart."""
    ms = [R.Member(1, "a"), R.Member(2, "b"), R.Member(3, "c"), R.Member(4, "d", 1)]
    got = {x.okey: (x.cluster_id, x.kind) for x in R.replay(ms, [(1, 3, 0.5), (2, 3, 0.6)])}
    assert got == {1: ("a", "new"), 2: ("b", "new"), 3: ("b", "near"), 4: ("a", "exact")}
    # ties: the smaller cluster id wins, then the earlier article
    got = {x.okey: x.cluster_id for x in R.replay([R.Member(1, "z"), R.Member(2, "y"), R.Member(3, "x")],
                                                  [(1, 3, 0.5), (2, 3, 0.5)])}
    assert got[3] == "y"


def test_bands_are_the_index_bands():
    assert W.band_ranges() == [tuple(x) for x in dedup.DedupIndex()._lsh.hashranges]


def test_union_find_labels_are_component_minima():
    uf = R.UnionFind()
    for a, b in [(9, 4), (4, 7), (1, 3), (12, 11)]:
        uf.union(a, b)
    assert uf.labels() == {9: 4, 4: 4, 7: 4, 1: 1, 3: 1, 12: 11, 11: 11}


# -- pure: readers of whole files -----------------------------------------------------------------
def _read_whole(f: W.InputFile, data: bytes) -> list[dict[str, Any]]:
    batch = pa.RecordBatch.from_pydict({"path": [f.path], "content": [data]})
    return pa.Table.from_batches(list(W.read_whole_files([batch], {f.path: f})), schema=W.ITEM_SCHEMA).to_pylist()


def test_whole_file_readers_report_damage_and_keep_what_precedes_it():
    good = json.dumps({"id": "a", "text": "أكد الوزير أن المحادثات مستمرة."}, ensure_ascii=False).encode() + b"\n"
    data = gzip.compress(good * 2 + b"".join(b'{"id": "b%d", "text": "%d"}\n' % (i, i * i) for i in range(3000)))
    f = W.InputFile(3, "file:/x/d.jsonl.gz", "/x/d.jsonl.gz", "jsonl", len(data), True, "gzip")
    rows = _read_whole(f, data[: len(data) // 2])
    assert [r["id"] for r in rows[:2]] == ["a", "a"] and rows[0]["where"] == "/x/d.jsonl.gz:1"
    assert rows[-1]["error"].startswith("damaged gzip stream after line")
    assert [r["okey"] for r in rows] == [W.okey(3, k) for k in range(len(rows))]

    buf = io.BytesIO()
    pq.write_table(pa.table({"content": ["نص أول للخبر.", "", "نص ثالث."], "headline": ["ع", None, "ث"],
                             "date_publish": ["2024-01-02", None, "2024/01/03"]}), buf)
    f = W.InputFile(0, "file:/x/r.parquet", "/x/r.parquet", "parquet", 0, True)
    rows = _read_whole(f, buf.getvalue())
    assert [r["error"] for r in rows] == [None, "empty 'content' field", None]
    assert rows[2]["where"] == "/x/r.parquet[2]" and rows[2]["published"] == "2024-01-03" and rows[2]["title"] == "ث"
    rows = _read_whole(f, buf.getvalue()[:-30])
    assert len(rows) == 1 and rows[0]["error"].startswith("unreadable Parquet")

    f = W.InputFile(0, "file:/x/feeds.txt", "/x/feeds.txt", "text", 0, False)
    assert "feed" in _read_whole(f, b"https://example.org/rss\n")[0]["error"]


def test_store_tables_and_output_tables_agree():
    from marsad.spark.load import check_store_tables

    check_store_tables()  # a new store table must be written by the Spark job and the loader too
    for name, table in TABLES.items():
        assert set(store_columns(name)) <= {c.name for c in table.columns}


# -- Spark ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def spark():
    need(shutil.which("java") is not None, "no Java (scripts/install-system-deps.sh installs openjdk-17-jre-headless)")
    need(importlib.util.find_spec("pyspark") is not None, "pyspark is not installed (pip install 'marsad[spark]')")
    from marsad.spark import job

    s = job.build_session("local[2]", [
        ("spark.sql.shuffle.partitions", "4"), ("spark.default.parallelism", "2"),
        ("spark.ui.enabled", "false"), ("spark.ui.showConsoleProgress", "false"),
        # small splits, so that a JSONL file is read by several tasks
        ("spark.sql.files.maxPartitionBytes", "48k"), ("spark.sql.files.openCostInBytes", "4k")])
    yield s
    s.stop()


def _jsonl(path: Path, records: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _main_corpus(d: Path) -> list[str]:
    """Inputs both paths read: the examples, a generated JSONL with every kind of repeat, a bad zip."""
    texts = generate(60, seed=7)
    recs: list[Any] = [{"url": f"https://example.org/g/{i}", "title": f"خبر {i}", "text": t,
                        "published": f"2024-0{1 + i % 9}-1{i % 10}", "source": f"outlet-{i % 4}"}
                       for i, t in enumerate(texts)]
    recs.insert(10, recs[3])  # the same record twice: already stored
    recs.insert(20, "{broken json")
    recs.insert(25, {"id": "same-id", "text": texts[40] + "\nنص أول.", "published": "2024-02-01"})
    recs.insert(45, {"id": "same-id", "text": texts[41] + "\nنص ثان مختلف.", "published": "2024-02-02"})
    recs.insert(50, {"id": "empty", "text": "   "})
    recs.insert(52, {"id": "english", "text": "The minister said on Tuesday that talks would continue in Geneva."})
    gen = _jsonl(d / "gen.jsonl", recs)
    bad = d / "broken.zip"
    bad.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 3)
    return [str(EXAMPLES / "articles.jsonl"), str(gen), str(bad)]


@pytest.fixture(scope="module")
def main_run(spark, tmp_path_factory):
    """One Spark run and one `marsad ingest` run over the same inputs."""
    from marsad.spark import job

    d = tmp_path_factory.mktemp("spark-main")
    inputs = _main_corpus(d)
    out, db = d / "out", d / "ingest.db"
    r = CliRunner().invoke(main, ["ingest", *inputs, "--db", str(db), "--workers", "1", "--json", "-q"])
    assert r.exit_code == 1, r.output  # the bad records
    summary = job.run(spark, job.JobOptions(inputs, str(out), bucket_articles=20))
    return {"dir": d, "inputs": inputs, "out": out, "summary": summary, "db": db,
            "ingest": json.loads(r.stdout.strip().splitlines()[-1])}


def _parquet(out: Path, name: str) -> list[dict[str, Any]]:
    part = "hive" if name in ARTICLE_TABLES else None
    rows = ds.dataset(out / name, format="parquet", partitioning=part).to_table().to_pylist()
    return [{k: v for k, v in r.items() if k != "bucket"} for r in rows]


def _sqlite(db: Path, table: str, cols: list[str]) -> list[dict[str, Any]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        cur = con.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM {table}")
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _norm(rows: list[dict[str, Any]], drop: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    def val(v: Any) -> Any:
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, float):
            return round(v, 9)
        return v
    return sorted((tuple((k, val(v)) for k, v in sorted(r.items()) if k not in drop) for r in rows), key=repr)


@pytest.mark.spark
def test_spark_equals_ingest_events_quotes_clusters(main_run):
    out, db = main_run["out"], main_run["db"]
    for name in ("events", "quotes", "clusters", "mentions", "times", "actors", "event_keys", "signatures"):
        cols = store_columns(name)
        assert _norm(_parquet(out, name)) == _norm(_sqlite(db, name, cols)), name
    cols = [c for c in store_columns("articles") if c != "ingested_at"]
    assert _norm(_parquet(out, "articles"), ("ingested_at",)) == _norm(_sqlite(db, "articles", cols))
    arts = {r["id"]: r["cluster_id"] for r in _parquet(out, "articles")}
    assert sum(1 for k, v in arts.items() if k != v) >= 10  # duplicates were there to find
    assert arts["018-kim-putin-summit-republished"] == "002-kim-putin-vostochny"
    assert {k for k in arts if k.startswith("same-id")} == {"same-id", f"same-id~{_hash_of(out, 'same-id~')[:8]}"}


def _hash_of(out: Path, prefix: str) -> str:
    return next(r["text_hash"] for r in _parquet(out, "articles") if r["id"].startswith(prefix))


@pytest.mark.spark
def test_spark_summary_counts_what_ingest_counts(main_run):
    s, i = main_run["summary"].to_dict(), main_run["ingest"]
    for k in ("read", "new", "duplicates", "exact_duplicates", "near_duplicates", "already_stored", "not_arabic",
              "errors", "id_conflicts", "events", "quotes"):
        assert s[k] == i[k], k
    assert s["errors"] == 3 and s["already_stored"] == 1 and s["id_conflicts"] == 1 and s["not_arabic"] == 1
    on_disk = json.loads((main_run["out"] / "summary.json").read_text(encoding="utf-8"))
    assert on_disk["summary"]["errors"] == 3 and on_disk["format"] == "marsad-spark"
    assert not (main_run["out"] / "_work").exists()


@pytest.mark.spark
def test_bad_records_land_in_errors_with_reason_and_line(main_run):
    errs = {r["item"]: r["reason"] for r in _parquet(main_run["out"], "errors")}
    gen = main_run["inputs"][1]
    lines = (Path(gen).read_text(encoding="utf-8")).splitlines()
    broken = lines.index("{broken json") + 1
    empty = next(n for n, ln in enumerate(lines, 1) if '"empty"' in ln)
    assert errs[f"{gen}:{broken}"].startswith("invalid JSON")
    assert errs[f"{gen}:{empty}"] == "empty 'text' field"
    assert any(k.startswith(main_run["inputs"][2]) for k in errs)  # the broken zip
    assert not any(re.search(r"[\x00-\x1f]", k + v) for k, v in errs.items())  # one line each, no raw bytes
    assert len(errs) == 3
    # the generated file was read in several splits: locations in later splits are still lines
    assert broken > 1 and Path(gen).stat().st_size > 3 * 48 * 1024


@pytest.mark.spark
def test_load_then_query_and_load_again(main_run, tmp_path):
    db = tmp_path / "spark.db"
    run = CliRunner()
    r = run.invoke(main, ["load", str(main_run["out"]), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    first = json.loads(r.stdout.strip().splitlines()[-1])
    assert first["articles"] == main_run["summary"].new and first["buckets"] > 1
    r = run.invoke(main, ["timeline", "RUS", "PRK", "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    periods = json.loads(r.stdout)["periods"]
    assert {p["period"] for p in periods} >= {"2023-07", "2023-09", "2024-06"}
    r = run.invoke(main, ["search", "بيونغيانغ", "--db", str(db), "--json"])
    assert r.exit_code == 0 and len(json.loads(r.stdout)["items"]) > 0
    before = _store_dump(db)
    r = run.invoke(main, ["load", str(main_run["out"]), "--db", str(db), "--json"])
    again = json.loads(r.stdout.strip().splitlines()[-1])
    assert r.exit_code == 0 and again["articles"] == 0 and again["already_stored"] == first["articles"]
    assert _store_dump(db) == before
    # the loaded store holds what ingest stored (timestamps aside)
    assert _store_dump(db, errors=False) == _store_dump(main_run["db"], errors=False)


@pytest.mark.spark
@pytest.mark.postgres
def test_load_into_postgresql(main_run, postgres_server):  # noqa: F811
    url = postgres_server.create_database()
    run = CliRunner()
    r = run.invoke(main, ["load", str(main_run["out"]), "--db", url, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout.strip().splitlines()[-1])["articles"] == main_run["summary"].new
    r = run.invoke(main, ["load", str(main_run["out"]), "--db", url, "--json"])
    assert json.loads(r.stdout.strip().splitlines()[-1])["articles"] == 0
    for args in (["timeline", "RUS", "PRK", "--by", "day"], ["stats"], ["quotes", "--speaker", "RUS"]):
        got = run.invoke(main, [*args, "--db", url, "--json"])
        want = run.invoke(main, [*args, "--db", str(main_run["db"]), "--json"])
        assert got.exit_code == want.exit_code == 0, got.output
        assert _without_store(json.loads(got.stdout)) == _without_store(json.loads(want.stdout)), args


def _without_store(d: Any) -> Any:
    """A query result without what names the store itself; lists as sets (ties may sort by collation)."""
    if isinstance(d, dict):
        return {k: _without_store(v) for k, v in d.items() if k not in ("store", "backend", "location")}
    if isinstance(d, list):
        return sorted((_without_store(v) for v in d), key=lambda v: json.dumps(v, sort_keys=True))
    return d


def _store_dump(db: Path, errors: bool = True) -> dict[str, Any]:
    tables = ["articles", "clusters", "actors", "article_actors", "mentions", "quotes", "events", "event_keys",
              "times", "signatures", "dyad_days"] + (["ingest_errors"] if errors else [])
    out = {}
    for t in tables:
        cols = [c for c in _columns(db, t) if c not in ("doc_no", "ingested_at", "id" if t == "ingest_errors" else "",
                                                          "time" if not errors else "")]
        rows = _sqlite(db, t, cols)
        if t == "dyad_days":  # a rollup kept by signed deltas may hold cells whose counts went back to 0
            rows = [r for r in rows if r["n_events"]]
        out[t] = _norm(rows)
    con = sqlite3.connect(db)
    out["fts"] = con.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'موسكو'").fetchone()
    con.close()
    return out


def _columns(db: Path, table: str) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    finally:
        con.close()


@pytest.mark.spark
def test_load_into_a_store_that_has_some_of_the_articles(main_run, tmp_path):
    """Examples ingested first, then the Spark output of examples + more: as one ingest of everything."""
    db = tmp_path / "mixed.db"
    run = CliRunner()
    assert run.invoke(main, ["ingest", main_run["inputs"][0], "--db", str(db), "--workers", "1", "-q"]).exit_code == 0
    r = run.invoke(main, ["load", str(main_run["out"]), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["already_stored"] == 19 and s["articles"] == main_run["summary"].new - 19
    assert _store_dump(db, errors=False) == _store_dump(main_run["db"], errors=False)


@pytest.mark.spark
def test_a_stored_id_with_another_text_is_a_conflict(main_run, tmp_path):
    from marsad.model import Analysis
    from marsad.store import StoredArticle, open_store

    db = tmp_path / "conflict.db"
    with open_store(db) as st:
        st.write_articles([StoredArticle.from_analysis(Analysis("002-kim-putin-vostochny", "نص آخر تماما."))])
    r = CliRunner().invoke(main, ["load", str(main_run["out"]), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout.strip().splitlines()[-1])["conflicts"] == 1
    [(text, cluster)] = [(x["text"], x["cluster_id"]) for x in _sqlite(db, "articles", ["id", "text", "cluster_id"])
                         if x["id"] == "002-kim-putin-vostochny"]
    assert text == "نص آخر تماما."
    [(reason,)] = [(x["reason"],) for x in _sqlite(db, "ingest_errors", ["item", "reason"])
                   if x["item"] == "002-kim-putin-vostochny"]
    assert "id conflict" in reason


@pytest.mark.spark
def test_an_interrupted_load_resumes(main_run, tmp_path):
    """A load that wrote some buckets (here: a copy missing the others), then the full load."""
    part = tmp_path / "part"
    shutil.copytree(main_run["out"], part)
    buckets = sorted(p.name for p in (part / "articles").iterdir() if p.name.startswith("bucket="))
    assert len(buckets) >= 3
    for name in ARTICLE_TABLES:
        for b in buckets[1::2]:
            shutil.rmtree(part / name / b, ignore_errors=True)
    db, fresh = tmp_path / "resumed.db", tmp_path / "fresh.db"
    run = CliRunner()
    assert run.invoke(main, ["load", str(part), "--db", str(db)]).exit_code == 0
    assert run.invoke(main, ["load", str(main_run["out"]), "--db", str(db)]).exit_code == 0
    assert run.invoke(main, ["load", str(main_run["out"]), "--db", str(fresh)]).exit_code == 0
    assert _store_dump(db) == _store_dump(fresh)


@pytest.mark.spark
def test_distributed_components_give_the_same_clusters(spark, tmp_path):
    from marsad.spark import job

    texts = generate(120, seed=31)
    ids = [f"d-{(i * 37) % 120:03d}" for i in range(len(texts))]
    kept = spark.createDataFrame([(i, ids[i], dedup.signature(t).to_bytes()) for i, t in enumerate(texts)],
                                 "okey long, fid string, minhash binary")
    want = _index_assignments(texts, ids)
    for limit, mode in ((10**9, "driver"), (0, "distributed")):
        s = job.JobSummary()
        opts = job.JobOptions([], "", driver_edges=limit)
        got = {ids[r["okey"]]: r["cluster_id"] for r in job._dedup(spark, kept, opts, s, str(tmp_path / mode)).collect()}
        assert s.components == mode
        assert {k: got.get(k, k) for k in ids} == want


@pytest.mark.spark
def test_other_formats_and_corrupt_files_through_the_cli(spark, tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = (EXAMPLES / "articles" / "014-saudi-iran-beijing.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    pq.write_table(pa.table({"text": [body, ""], "url": ["https://example.org/p/1", None],
                             "date": ["2023-03-11", None]}), d / "recs.parquet")
    with open(d / "sub" / "crawl.warc.gz", "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        html = ("<html><body><article>" + "".join(f"<p>{p}</p>" for p in body.splitlines() if p.strip())
                + "</article></body></html>").encode()
        w.write_record(w.create_warc_record(
            "https://example.org/w/1", "response", payload=io.BytesIO(html),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")))
    (d / "sub" / "junk.warc.gz").write_bytes(bytes(range(256)) * 8)
    line = json.dumps({"id": "gz-1", "text": body}, ensure_ascii=False).encode() + b"\n"
    rng = random.Random(1)  # blank lines (skipped) that do not compress away: the cut falls after line 2
    filler = b"".join(bytes(rng.choice(b" \t") for _ in range(80)) + b"\n" for _ in range(3000))
    data = gzip.compress(line * 2 + filler + line)
    (d / "more.jsonl.gz").write_bytes(data[: len(data) // 2])
    (d / ".hidden.jsonl").write_text("{not read", encoding="utf-8")
    mine = tmp_path / "mine.yaml"  # a user's actor file: shipped to the executors with the job
    mine.write_text("- id: test-security-pact\n  name: Security Cooperation Pact\n  type: ORG\n  country: null\n"
                    "  role: GOV\n  ar: [اتفاقية التعاون الأمني]\n", encoding="utf-8")
    out = tmp_path / "out"
    run = CliRunner()
    r = run.invoke(main, ["spark", "analyze", str(d), str(tmp_path / "missing.jsonl"), "--out", str(out),
                          "--actors", str(mine), "--json"])
    assert r.exit_code == 1, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    errs = {r["item"]: r["reason"] for r in _parquet(out, "errors")}
    assert s["errors"] == len(errs) == 4, errs
    assert errs[str(tmp_path / "missing.jsonl")] == "no such file or directory"
    assert errs[f"{d}/recs.parquet[1]"] == "empty 'text' field"
    assert errs[f"{d}/sub/junk.warc.gz"].startswith("not a WARC file")
    assert any(k.startswith(f"{d}/more.jsonl.gz:") and v.startswith("damaged gzip") for k, v in errs.items())
    assert sum(1 for v in errs.values() if "Spark" in v or "internal" in v) == 0
    arts = {r["id"]: r for r in _parquet(out, "articles")}
    urls = {a["url"] for a in arts.values()}
    assert {"https://example.org/p/1", "https://example.org/w/1"} <= urls and "gz-1" in arts
    # the gzip line (first in the walk) and the same text in the Parquet file are one story
    [p1] = [a for a in arts.values() if a["url"] == "https://example.org/p/1"]
    assert p1["cluster_id"] == "gz-1" and s["already_stored"] == 1  # the second gz-1 line
    assert "test-security-pact" in {r["actor_id"] for r in _parquet(out, "article_actors")}
    # an existing output is not overwritten without --overwrite (usage error), and is with it
    r = run.invoke(main, ["spark", "analyze", str(d / "recs.parquet"), "--out", str(out)])
    assert r.exit_code == 2 and "--overwrite" in r.stderr
    r = run.invoke(main, ["spark", "analyze", str(d / "recs.parquet"), "--out", str(out), "--overwrite", "--json"])
    assert r.exit_code == 1 and json.loads(r.stdout.strip().splitlines()[-1])["new"] == 1
    # nothing readable at all: one line, exit 3
    r = run.invoke(main, ["spark", "analyze", str(tmp_path / "nope"), "--out", str(tmp_path / "o2")])
    assert r.exit_code == 3 and r.stderr.strip() == f"marsad: {tmp_path / 'nope'}: no such file or directory"


def test_load_refuses_what_is_not_a_spark_output(tmp_path):
    run = CliRunner()
    r = run.invoke(main, ["load", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 3 and "summary.json" in r.stderr
    r = run.invoke(main, ["load", str(tmp_path / "nope"), "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 3 and "no such directory" in r.stderr
