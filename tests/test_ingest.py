"""`marsad ingest` end to end: summary, idempotence, clusters, bad items, exit codes, and a
real SIGKILL in the middle of a run followed by a resume."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT
from pg import postgres_server  # noqa: F401  (fixture)

from marsad.cli import main
from marsad.store import open_store


def run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def summary(r) -> dict:
    return json.loads(r.stdout.strip().splitlines()[-1])


def rows(db: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# -- generated corpus: sentences of the team-written examples, recombined -----------------
def _sentences() -> list[str]:
    out: list[str] = []
    for p in sorted((EXAMPLES / "articles").glob("0*.txt")):
        body = p.read_text(encoding="utf-8").split("\n", 1)[1]
        for line in body.splitlines():
            out.extend(s.strip() + "." for s in re.split(r"(?<=[.!؟])\s+", line) if len(s.split()) >= 6)
    return sorted(set(out))


def generate(n: int, seed: int = 3) -> list[dict]:
    """n articles: most new, some republished word for word under another URL, some edited."""
    rng = random.Random(seed)
    sents = _sentences()
    arts: list[dict] = []
    for i in range(n):
        r = rng.random()
        if arts and r < 0.12:
            src = rng.choice(arts)
            text = src["text"]
        elif arts and r < 0.22:
            src = rng.choice(arts)
            ss = src["text"].split("\n")
            text = "\n".join(ss[:-1] + [f"وأفاد مراسلنا بأن الوضع ما زال على حاله حتى الساعة {i}."])
        else:
            text = "\n".join(rng.sample(sents, rng.randint(5, 9)) + [f"رقم الخبر {i} في الأرشيف."])
        arts.append({"url": f"https://example.org/gen/{i}", "title": f"خبر رقم {i}", "text": text,
                     "published": f"2024-0{1 + i % 9}-1{i % 10}", "source": f"outlet-{i % 5}"})
    return arts


def write_jsonl(path: Path, arts: list[dict]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in arts), encoding="utf-8")
    return path


# -- the basics -----------------------------------------------------------------------------
def test_examples_ingest_clusters_and_is_idempotent(tmp_path):
    db = tmp_path / "s.db"
    r = run(["ingest", str(EXAMPLES / "articles.jsonl"), "--db", str(db), "--workers", "1", "--json"])
    assert r.exit_code == 0, r.output
    s = summary(r)
    assert (s["read"], s["new"], s["errors"], s["already_stored"]) == (19, 19, 0, 0)
    assert s["duplicates"] == 2 and s["events"] > 0
    assert "duplicates" in r.stderr and "already stored" in r.stderr  # the human summary
    clusters = dict(rows(db, "SELECT id, cluster_id FROM articles"))
    assert clusters["017-putin-pyongyang-scraper-copy"] == "006-putin-pyongyang-treaty"
    assert clusters["018-kim-putin-summit-republished"] == "002-kim-putin-vostochny"
    assert sum(1 for k, v in clusters.items() if k != v) == 2
    assert rows(db, "SELECT size, n_sources FROM clusters WHERE id = '006-putin-pyongyang-treaty'") == [(2, 2)]
    before = rows(db, "SELECT id, cluster_id, text_hash, status FROM articles ORDER BY id")
    n_events = rows(db, "SELECT count(*) FROM events")
    # the same source again: nothing new, nothing changed
    r2 = run(["ingest", str(EXAMPLES / "articles.jsonl"), "--db", str(db), "--workers", "1", "--json", "-q"])
    assert r2.exit_code == 0
    assert summary(r2)["new"] == 0 and summary(r2)["already_stored"] == 19
    assert rows(db, "SELECT id, cluster_id, text_hash, status FROM articles ORDER BY id") == before
    assert rows(db, "SELECT count(*) FROM events") == n_events


def test_folder_of_text_and_html_files(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("006-putin-pyongyang-treaty.txt", "017-putin-pyongyang-scraper-copy.txt", "010-gaza-rafah-aid.txt"):
        (src / name).write_bytes((EXAMPLES / "articles" / name).read_bytes())
    title, body = (EXAMPLES / "articles" / "014-saudi-iran-beijing.txt").read_text(encoding="utf-8").split("\n", 1)
    paras = "".join(f"<p>{p}</p>" for p in body.splitlines() if p.strip())
    (src / "page.html").write_text(
        f"<!doctype html><html lang='ar'><head><title>{title}</title><meta name='date' content='2023-03-11'></head>"
        f"<body><nav>الرئيسية | أخبار</nav><article><h1>{title}</h1>{paras}</article>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>", encoding="utf-8")
    db = tmp_path / "s.db"
    r = run(["ingest", str(src), "--db", str(db), "--workers", "1", "--json"])
    assert r.exit_code == 0, r.output
    assert summary(r)["new"] == 4 and summary(r)["exact_duplicates"] + summary(r)["near_duplicates"] == 1
    [(t, pub, text)] = rows(db, "SELECT title, published, text FROM articles WHERE text LIKE '%بكين%'")
    assert t == title and pub == "2023-03-11"
    assert "الرئيسية" not in text and "جميع الحقوق" not in text


def test_bad_items_are_reported_logged_and_skipped(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    good = "أكد وزير الخارجية السعودي في الرياض اليوم أن المملكة تدعم الحل السياسي في اليمن وتدعو إلى وقف إطلاق النار."
    (src / "a-good.txt").write_text(good, encoding="utf-8")
    (src / "b-empty.txt").write_bytes(b"")
    (src / "c-latin1.txt").write_bytes("Qualität, Größe und Übermaß sind hier.".encode("latin-1") * 4)
    (src / "d.jsonl").write_text(
        json.dumps({"id": "dup", "text": good + " نص أول"}, ensure_ascii=False) + "\n{broken\n"
        + json.dumps({"id": "dup", "text": good + " نص ثان مختلف"}, ensure_ascii=False) + "\n", encoding="utf-8")
    with zipfile.ZipFile(src / "e.zip", "w") as zf:
        zf.writestr("x.txt", good + " من الأرشيف")
        zf.writestr("y.txt", good * 30)
    data = (src / "e.zip").read_bytes()
    (src / "e.zip").write_bytes(data[: data.rfind(b"PK\x03\x04") + 40])  # truncated inside y.txt
    db = tmp_path / "s.db"
    r = run(["ingest", str(src), "--db", str(db), "--workers", "1", "--json"])
    assert r.exit_code == 1
    s = summary(r)
    assert s["errors"] == 4 and s["id_conflicts"] == 1 and s["new"] == 4
    err = r.stderr
    assert f"{src / 'b-empty.txt'}: empty input" in err
    assert f"{src / 'c-latin1.txt'}: not valid UTF-8" in err
    assert f"{src / 'd.jsonl'}:2: invalid JSON" in err
    assert f"{src / 'e.zip'}: truncated or damaged zip" in err
    assert "id 'dup' is already used by a different text" in err
    ids = {i for (i,) in rows(db, "SELECT id FROM articles")}
    assert "dup" in ids and any(i.startswith("dup~") for i in ids)
    logged = rows(db, "SELECT item, reason FROM ingest_errors ORDER BY id")
    assert len(logged) == 4 and logged[0] == (str(src / "b-empty.txt"), "empty input")
    # nothing lost: run it again and only the same four items fail, nothing is added
    r2 = run(["ingest", str(src), "--db", str(db), "--workers", "1", "--json", "-q"])
    assert r2.exit_code == 1 and summary(r2)["new"] == 0 and summary(r2)["errors"] == 4
    assert summary(r2)["already_stored"] == 4


def test_non_arabic_is_stored_but_analysed_only_when_asked(tmp_path):
    en = {"id": "en1", "text": "The foreign ministers of Russia and North Korea met in Pyongyang on Thursday "
                               "and signed an agreement on cooperation, officials said."}
    src = write_jsonl(tmp_path / "en.jsonl", [en])
    db = tmp_path / "s.db"
    r = run(["ingest", str(src), "--db", str(db), "--workers", "1", "--json", "-q"])
    assert r.exit_code == 0 and summary(r)["not_arabic"] == 1
    assert rows(db, "SELECT status, language FROM articles") == [("not_analysed", "en")]
    db2 = tmp_path / "s2.db"
    r = run(["ingest", str(src), "--db", str(db2), "--workers", "1", "--json", "-q", "--analyse-all-languages"])
    assert r.exit_code == 0 and summary(r)["not_arabic"] == 0
    assert rows(db2, "SELECT status FROM articles") == [("ok",)]


def test_usage_and_store_errors(tmp_path):
    r = run(["ingest", "--db", str(tmp_path / "s.db")])
    assert r.exit_code == 2 and "nothing to ingest" in r.stderr
    r = run(["ingest", "--follow", "https://example.org/rss", "--every", "soon", "--db", str(tmp_path / "s.db")])
    assert r.exit_code == 2 and "not a time interval" in r.stderr
    r = run(["ingest", str(EXAMPLES / "articles.jsonl"), "--workers", "0"])
    assert r.exit_code == 2
    db = tmp_path / "new.db"
    open_store(db).close()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO schema_version VALUES (999, '2099-01-01')")
    con.commit()
    con.close()
    r = run(["ingest", str(EXAMPLES / "articles.jsonl"), "--db", str(db), "--workers", "1"])
    assert r.exit_code == 5 and "newer than this marsad" in r.stderr
    r = run(["ingest", str(tmp_path / "missing.jsonl"), "--db", str(tmp_path / "s.db"), "--workers", "1"])
    assert r.exit_code == 1 and "missing.jsonl: no such file or directory" in r.stderr


def test_generated_corpus_with_two_workers_finds_its_duplicates(tmp_path):
    arts = generate(60, seed=11)
    src = write_jsonl(tmp_path / "gen.jsonl", arts)
    db = tmp_path / "s.db"
    r = run(["ingest", str(src), "--db", str(db), "--workers", "2", "--batch-size", "7", "--json", "-q"])
    assert r.exit_code == 0, r.output
    s = summary(r)
    assert s["new"] == 60
    by_url = {u: c for u, c in rows(db, "SELECT url, cluster_id FROM articles")}
    id_of = {u: i for i, u in rows(db, "SELECT id, url FROM articles")}
    # every word-for-word republication is in the cluster of the text it copies
    first: dict[str, str] = {}
    for a in arts:
        first.setdefault(a["text"], a["url"])
        assert by_url[a["url"]] == by_url[first[a["text"]]]
    exact_copies = sum(1 for a in arts if first[a["text"]] != a["url"])
    assert s["exact_duplicates"] == exact_copies > 0
    assert s["near_duplicates"] > 0
    assert all(by_url[u] in id_of.values() for u in by_url)


@pytest.mark.postgres
def test_ingest_into_postgresql_then_resume(postgres_server, tmp_path):  # noqa: F811
    from sqlalchemy import text

    url = postgres_server.create_database()
    arts = generate(30, seed=5)
    src = write_jsonl(tmp_path / "g.jsonl", arts)
    r = run(["ingest", str(EXAMPLES / "articles.jsonl"), str(src), "--db", url, "--workers", "2", "--json", "-q"])
    assert r.exit_code == 0, r.output
    assert summary(r)["new"] == 49
    again = run(["ingest", str(src), "--db", url, "--workers", "1", "--json", "-q"])
    assert summary(again)["new"] == 0 and summary(again)["already_stored"] == 30
    store = open_store(url)
    try:
        with store.read() as conn:
            clusters = dict(conn.execute(text("SELECT id, cluster_id FROM articles")).all())
            multi = conn.execute(text("SELECT count(*) FROM clusters WHERE size > 1")).scalar()
        assert clusters["017-putin-pyongyang-scraper-copy"] == "006-putin-pyongyang-treaty"
        assert multi >= 2
        assert store.counts()["articles"] == 49
    finally:
        store.close()


# -- SIGKILL in the middle of a run ---------------------------------------------------------
def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Everything a run decides (not when it ran)."""
    return {
        "articles": rows(db, "SELECT id, url, source, title, published, language, status, cluster_id, text, "
                             "text_hash, warnings FROM articles ORDER BY id"),
        "clusters": rows(db, "SELECT id, size, n_sources, sources, first_published, last_published "
                             "FROM clusters ORDER BY id"),
        "events": rows(db, "SELECT article_id, idx, cluster_id, sig, type, mode, date, source_id, target_id, "
                           "trigger_start FROM events ORDER BY article_id, idx"),
        "quotes": rows(db, "SELECT article_id, idx, cluster_id, sig, start, \"end\" FROM quotes "
                           "ORDER BY article_id, idx"),
        "mentions": rows(db, "SELECT article_id, actor_idx, idx, actor_id, start FROM mentions "
                             "ORDER BY article_id, actor_idx, idx"),
        "signatures": rows(db, "SELECT article_id, minhash FROM signatures ORDER BY article_id"),
        "fts": rows(db, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'الخارجيه' ORDER BY rowid"),
    }


def _count(db: Path) -> int:
    try:
        return rows(db, "SELECT count(*) FROM articles")[0][0]
    except sqlite3.Error:
        return 0


def _ingest_cmd(src: Path, db: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "marsad", "ingest", str(src), "--db", str(db), "--workers", str(workers),
            "--batch-size", "20", "-q", "--json"]


def test_sigkill_mid_run_then_resume_equals_a_clean_run(tmp_path):
    n = 200
    src = write_jsonl(tmp_path / "gen.jsonl", generate(n))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    clean_db = tmp_path / "clean.db"
    r = subprocess.run(_ingest_cmd(src, clean_db, 1), capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["new"] == n

    db = tmp_path / "killed.db"
    proc = subprocess.Popen(_ingest_cmd(src, db, 2), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 600
        while _count(db) < 40 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the main process and its workers, mid-run
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    partial = snapshot(db)
    kept = {a[0] for a in partial["articles"]}
    assert 40 <= len(kept) < n
    # whatever was committed is complete: each stored article has all its rows
    full = snapshot(clean_db)
    for table in ("articles", "events", "quotes", "mentions", "signatures"):
        assert partial[table] == [t for t in full[table] if t[0] in kept], table

    r = subprocess.run(_ingest_cmd(src, db, 2), capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stderr
    resumed = json.loads(r.stdout)
    assert resumed["new"] == n - len(kept) and resumed["already_stored"] == len(kept)
    assert snapshot(db) == full


@pytest.mark.parametrize("workers", [1])
def test_summary_json_fields(tmp_path, workers):
    src = write_jsonl(tmp_path / "g.jsonl", generate(5, seed=1))
    r = run(["ingest", str(src), "--db", str(tmp_path / "s.db"), "--workers", str(workers), "--json", "-q"])
    s = summary(r)
    assert set(s) >= {"read", "new", "duplicates", "already_stored", "not_arabic", "errors", "seconds",
                      "articles_per_second"}
    assert s["read"] == 5 and s["seconds"] > 0


def test_no_ner_ingest_uses_the_dictionary_only(tmp_path):
    """--no-ner: a dictionary person is still found; an unknown name only NER would find is not."""
    art = {"id": "n1", "published": "2023-10-19",
           "text": "التقى وزير الخارجية الروسي سيرغي لافروف في موسكو اليوم الخميس بالمبعوث الخاص "
                   "غريغوري بافلوفيتش كوزنتسوف وبحثا التعاون بين البلدين."}
    src = write_jsonl(tmp_path / "a.jsonl", [art])
    names = {}
    for flag in ([], ["--no-ner"]):
        db = tmp_path / f"s{len(flag)}.db"
        r = run(["ingest", str(src), "--db", str(db), "--workers", "1", "--json", "-q", *flag])
        assert r.exit_code == 0, r.output
        names[bool(flag)] = {n for (n,) in rows(db, "SELECT name FROM actors")}
    assert "Sergey Lavrov" in names[True] and "Sergey Lavrov" in names[False]
    assert names[True] < names[False]
