"""The store's write API on SQLite and PostgreSQL: idempotence, conflicts, clusters,
signatures, errors, and the failure modes (locked, newer schema, not a store)."""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLES
from store_fixtures import *  # noqa: F403
from store_fixtures import corpus, load_corpus, seed_story

from marsad import queries
from marsad.model import Analysis, Article
from marsad.store import Store, StoredArticle, StoreError, open_store
from marsad.store import schema as S


def test_write_and_count(store: Store) -> None:
    load_corpus(store)
    c = store.counts()
    assert c["articles"] == 7
    assert c["articles_ok"] == 5 and c["articles_not_analysed"] == 1 and c["articles_error"] == 1
    assert c["events"] == 5 + 5 + 2 + 1 + 2
    assert c["quotes"] == 3
    assert c["clusters"] == 1
    assert store.known_ids(["a1", "a3", "nope", "en1"]) == {"a1", "a3", "en1"}


def test_rewrite_same_id_replaces_analysis(store: Store) -> None:
    b = seed_story("x1", "tass")
    assert store.write_articles([b.stored()]) == 1
    store.assign_clusters({"x1": "cx"})
    # the same article analysed again, with one event fewer: rows replaced, not added
    a = b.analysis()
    fewer = dataclasses.replace(a, events=a.events[:2])
    assert store.write_articles([StoredArticle.from_analysis(fewer)]) == 1
    c = store.counts()
    assert c["articles"] == 1 and c["events"] == 2 and c["quotes"] == 1
    got = queries.article(store, "x1")
    assert got is not None
    assert got["article"]["cluster_id"] == "cx"  # the cluster survives a re-analysis
    assert len(got["analysis"]["events"]) == 2
    # and writing it a third time changes nothing
    store.write_articles([StoredArticle.from_analysis(fewer)])
    assert store.counts()["events"] == 2


def test_different_text_under_existing_id_is_a_conflict(store: Store) -> None:
    b = seed_story("x1", "tass")
    store.write_articles([b.stored()])
    other = dataclasses.replace(b.analysis(), text=b.text + " نص مختلف.")
    assert store.write_articles([StoredArticle.from_analysis(other)]) == 0
    got = queries.article(store, "x1")
    assert got is not None and got["analysis"]["text"] == b.text  # the first is kept
    errs = queries.errors(store)
    assert len(errs) == 1 and errs[0]["item"] == "x1" and "conflict" in errs[0]["reason"]


def test_conflict_within_one_batch(store: Store) -> None:
    b = seed_story("x1", "tass")
    other = dataclasses.replace(b.analysis(), text=b.text + " نص آخر.")
    n = store.write_articles([b.stored(), StoredArticle.from_analysis(other), b.stored()])
    assert n == 1
    assert store.counts()["ingest_errors"] == 1
    assert store.counts()["events"] == 5


def test_signatures_and_clusters(store: Store) -> None:
    items = [seed_story(f"s{i}", "tass").stored(minhash=bytes([i]) * 16) for i in range(3)]
    items.append(seed_story("s9", "ria").stored())
    store.write_articles(items)
    sigs = dict(store.iter_signatures(batch=2))
    assert sigs == {f"s{i}": bytes([i]) * 16 for i in range(3)}
    # re-writing without a MinHash keeps the stored one
    store.write_articles([seed_story("s0", "tass").stored()])
    assert dict(store.iter_signatures())["s0"] == bytes([0]) * 16
    assert store.assign_clusters({"s0": "k", "s1": "k", "missing": "k"}) == 2
    assert store.assign_clusters({"s0": "k"}) == 0  # already there
    store.assign_clusters({"s1": "k2", "s2": "k2"})
    with store.read() as conn:
        rows = {r.id: r for r in conn.execute(S.clusters.select())}
    assert rows["k"].size == 1 and rows["k2"].size == 2
    assert store.counts()["clusters"] == 2


def test_log_error(store: Store) -> None:
    store.log_error("feeds.txt", "line 3", "HTTP 500")
    errs = queries.errors(store)
    assert errs[0]["source"] == "feeds.txt" and errs[0]["reason"] == "HTTP 500"


def test_round_trip_constructed(store: Store) -> None:
    c = corpus()
    store.write_articles([b.stored() for b in c.values()])
    for b in c.values():
        got = queries.article(store, b.id)
        assert got is not None
        assert got["analysis"] == b.analysis().to_dict()


def test_round_trip_pipeline_output(store: Store) -> None:
    from marsad.pipeline import analyze

    examples = sorted(EXAMPLES.glob("*.txt"))
    assert examples
    analyses: list[Analysis] = []
    for p in examples:
        analyses.append(analyze(Article(p.read_text(encoding="utf-8"), published="2023-10-19", source=p.stem)))
    store.write_articles([StoredArticle.from_analysis(a) for a in analyses])
    for a in analyses:
        got = queries.article(store, a.id)
        assert got is not None
        assert got["analysis"] == a.to_dict()
        for sp in Analysis.from_dict(got["analysis"]).spans():  # offsets still point into the text
            assert got["analysis"]["text"][sp.start:sp.end] == sp.text


def test_unknown_status_rejected(store: Store) -> None:
    with pytest.raises(ValueError, match="status"):
        store.write_articles([StoredArticle(id="z", text="x", status="weird")])
    assert store.counts()["articles"] == 0  # the transaction rolled back


def test_one_transaction_per_call(store: Store) -> None:
    good = seed_story("g1", "tass").stored()
    with pytest.raises(ValueError):
        store.write_articles([good, StoredArticle(id="", text="x")])
    assert store.counts()["articles"] == 0


# -- SQLite specifics ---------------------------------------------------------------------
def test_newer_schema_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "new.db"
    open_store(p).close()
    con = sqlite3.connect(p)
    con.execute("INSERT INTO schema_version VALUES (?, '2099-01-01')", (S.SCHEMA_VERSION + 1,))
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(p)


def test_not_a_store(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not"):
        open_store(junk)
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE foo (x)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a marsad store"):
        open_store(other)
    with pytest.raises(StoreError, match="no store"):
        open_store(tmp_path / "missing.db", readonly=True)
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "nodir" / "x.db")


def test_readonly_refuses_writes(tmp_path: Path) -> None:
    p = tmp_path / "r.db"
    with open_store(p) as s:
        s.write_articles([seed_story("r1", "tass").stored()])
    ro = open_store(p, readonly=True)
    assert queries.stats(ro)["articles"]["total"] == 1
    with pytest.raises(StoreError, match="read-only"):
        ro.write_articles([seed_story("r2", "tass").stored()])
    ro.close()


def test_locked_database(tmp_path: Path) -> None:
    """Another process holds the write lock: a writer gives up with a clear StoreError."""
    p = tmp_path / "locked.db"
    open_store(p).close()
    code = textwrap.dedent(f"""
        import sqlite3, sys, time
        con = sqlite3.connect({str(p)!r}, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        print("locked", flush=True)
        time.sleep(30)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="locked by another process"):
            s = open_store(p, timeout=0.3)
            s.write_articles([seed_story("l1", "tass").stored()])
    finally:
        proc.kill()
        proc.wait()
    s = open_store(p, timeout=0.3)  # the lock is gone: writing works again
    assert s.write_articles([seed_story("l1", "tass").stored()]) == 1


def test_wal_and_foreign_keys(tmp_path: Path) -> None:
    s = open_store(tmp_path / "w.db")
    with s.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_env_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARSAD_DB", str(tmp_path / "env.db"))
    with open_store() as s:
        assert s.location == str(tmp_path / "env.db")
    assert (tmp_path / "env.db").exists()
    monkeypatch.delenv("MARSAD_DB")
    monkeypatch.chdir(tmp_path)
    with open_store() as s:
        assert s.location == "marsad.db"


def test_unsupported_url() -> None:
    with pytest.raises(StoreError, match="unsupported"):
        open_store("mysql://localhost/x")


def test_unreachable_postgres() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError):
        open_store("postgresql://nobody@127.0.0.1:9/none")


def _event_keys(store: Store) -> list[dict]:
    with store.read() as conn:
        rows = [dict(r) for r in conn.execute(S.event_keys.select()).mappings()]
    for r in rows:
        r["goldstein"] = None if r["goldstein"] is None else round(r["goldstein"], 6)
    return sorted(rows, key=lambda r: (r["cluster_id"], r["sig"]))


def _actor_keys(store: Store) -> list[dict]:
    with store.read() as conn:
        rows = [dict(r) for r in conn.execute(S.actor_keys.select()).mappings()]
    return sorted(rows, key=lambda r: (r["actor_id"], r["cluster_id"], r["sig"]))


def _dyad_days(store: Store) -> list[dict]:
    """The timeline rollup without empty cells (increments may leave zeros behind)."""
    with store.read() as conn:
        rows = [dict(r) for r in conn.execute(S.dyad_days.select()).mappings() if r["n_events"]]
    for r in rows:
        r["goldstein_sum"] = round(r["goldstein_sum"], 6)
    return sorted(rows, key=lambda r: (r["source_country_key"], r["target_country_key"], r["day"], r["mode"]))


def test_event_keys_follow_writes_and_clusters(store: Store) -> None:
    """The deduplicated view equals a from-scratch recomputation after every kind of change."""
    import random

    rng = random.Random(3)
    stories = [seed_story(f"k{i}", rng.choice(["tass", "ria", "afp"])) for i in range(8)]
    store.write_articles([b.stored() for b in stories[:5]])
    steps = [
        lambda: store.assign_clusters({"k0": "K", "k1": "K", "k2": "K"}),
        lambda: store.write_articles([b.stored() for b in stories[5:]]),
        lambda: store.write_articles([StoredArticle.from_analysis(dataclasses.replace(
            stories[1].analysis(), events=stories[1].analysis().events[:1]))]),  # k1 re-analysed
        lambda: store.assign_clusters({"k1": "K2", "k5": "K2"}),
        lambda: store.write_articles([seed_story("k9", "afp").stored(cluster_id="K")]),  # born in a cluster
        lambda: store.assign_clusters({"k0": "k7"}),  # a cluster named after an article
        # a story and its copy in one batch, the copy's cluster named after the first
        lambda: store.write_articles([seed_story("n1", "afp").stored(cluster_id="n1"),
                                      seed_story("n2", "ria").stored(cluster_id="n1")]),
    ]
    for step in steps:
        step()
        now, rollup, per_actor = _event_keys(store), _dyad_days(store), _actor_keys(store)
        store.rebuild_event_keys()  # also rebuilds the timeline rollup and the per-actor keys
        assert _event_keys(store) == now
        assert _dyad_days(store) == rollup
        assert _actor_keys(store) == per_actor
    keys = {(r["cluster_id"], r["sig"]): r for r in _event_keys(store)}
    consult = [r for r in keys.values() if r["cluster_id"] == "K" and r["type"] == "CONSULT"][0]
    assert consult["n_articles"] == 2  # k2 and k9 (k0 moved to k7, k1 to K2)
    n1 = [r for r in keys.values() if r["cluster_id"] == "n1" and r["type"] == "CONSULT"][0]
    assert (n1["n_articles"], n1["n_sources"], n1["rep_article_id"]) == (2, 2, "n1")
    lav = [r for r in _actor_keys(store) if r["actor_id"] == "Q131572" and r["cluster_id"] == "n1"]
    assert {r["type"] for r in lav} == {"CONSULT", "SUPPORT"}
    assert all(r["role"] == "source" and r["counterpart_id"] == "PRK" and r["n_mentions"] == 2 for r in lav)
    assert sum(r["n_mentions"] for r in keys.values()) == store.counts()["events"]


def test_upgrade_from_schema_1(tmp_path: Path) -> None:
    """A version-1 store (no deduplicated view) is upgraded when opened for writing."""
    p = tmp_path / "v1.db"
    with open_store(p) as s:
        load_corpus(s)
        before = queries.timeline(s, "RUS", "PRK")
    con = sqlite3.connect(p)
    con.execute("DELETE FROM event_keys")
    con.execute("DELETE FROM dyad_days")
    con.execute("DELETE FROM schema_version")
    con.execute("INSERT INTO schema_version VALUES (1, '2024-01-01')")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="upgrade"):
        open_store(p, readonly=True)
    with open_store(p) as s:
        assert queries.timeline(s, "RUS", "PRK") == before
    with open_store(p, readonly=True) as s:
        assert queries.timeline(s, "RUS", "PRK") == before


def test_fast_key_equals_normalize_key() -> None:
    """The full-text index's fast normalisation is the text layer's, character for character."""
    import random

    from marsad.lang.ar.normalize import normalize_key
    from marsad.store.rows import fast_key

    rng = random.Random(11)
    alphabet = [chr(c) for c in range(0x0600, 0x0700)] + list("ABCxyzÉİ 0123456789\n.,«»") + ["ی", "ک", "ە", "ۀ"]
    for _ in range(2000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        assert fast_key(s) == normalize_key(s), s
    assert fast_key("أُوكْرَانِيَا الشماليّة") == normalize_key("أُوكْرَانِيَا الشماليّة") == "اوكرانيا الشماليه"


def test_refresh_actor_keys_matches_rebuild(store: Store) -> None:
    """The helper for loaders that write event_keys themselves gives the same actor_keys."""
    load_corpus(store)
    want = _actor_keys(store)
    with store.transaction() as conn:
        conn.execute(S.actor_keys.delete())
        clusters = list(conn.scalars(S.event_keys.select().with_only_columns(S.event_keys.c.cluster_id)))
        store._refresh_actor_keys(conn, clusters)
    assert _actor_keys(store) == want


def test_nul_in_text(store: Store) -> None:
    """A NUL in scraped text is stored (as U+FFFD on PostgreSQL, which cannot hold NUL) with
    every offset still pointing at the same words."""
    from store_fixtures import Builder

    b = Builder("nul1")
    b.say("قال\x00 الوزير إن المحادثات مع روسيا مفيدة.")
    b.actor("Russia", "GPE", "RUS", ["روسيا"], kb_id="RUS")
    b.quote("المحادثات مع روسيا مفيدة", "Russia", None)
    assert store.write_articles([b.stored()]) == 1
    got = queries.article(store, "nul1")
    assert got is not None
    text = got["analysis"]["text"]
    assert len(text) == len(b.text) and text.replace("\ufffd", "\x00") == b.text
    for sp in Analysis.from_dict(got["analysis"]).spans():
        assert text[sp.start:sp.end] == sp.text
    assert [h["id"] for h in queries.search(store, "المحادثات")["items"]] == ["nul1"]
