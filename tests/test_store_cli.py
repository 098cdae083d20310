"""The store commands, driven in-process through click: output, --json twins, exit codes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_fixtures import load_corpus

from marsad import queries
from marsad.cli import main
from marsad.store import open_store


@pytest.fixture
def db(tmp_path: Path) -> str:
    p = tmp_path / "cli.db"
    with open_store(p) as s:
        load_corpus(s)
    return str(p)


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_timeline_json_is_the_query(db: str) -> None:
    code, out, _ = run("timeline", "RUS", "PRK", "--by", "month", "--json", "--db", db)
    assert code == 0
    with open_store(db, readonly=True) as s:
        assert json.loads(out) == json.loads(queries.dumps(queries.timeline(s, "RUS", "PRK", by="month")))
    code, out, _ = run("timeline", "RUS", "PRK", "--db", db)
    assert code == 0 and "RUS>PRK" in out and "period" in out


def test_commands_run(db: str) -> None:
    for args in (["events", "--source", "RUS", "--target", "PRK"], ["events", "--mentions", "--type", "AID"],
                 ["quotes", "--speaker", "Sergey Lavrov"], ["quotes", "--about", "PRK"],
                 ["actors", "top"], ["actors", "top", "--by", "articles"], ["dyads"],
                 ["search", "كوريا الشمالية"], ["stats"], ["article", "a1"]):
        code, out, err = run(*args, "--db", db)
        assert code == 0, (args, err)
        assert out.strip(), args
    code, out, _ = run("events", "--source", "RUS", "--json", "--db", db)
    assert {e["source"]["country"] for e in json.loads(out)["items"]} == {"RUS"}
    code, out, _ = run("quotes", "--speaker", "لافروف", "--json", "--db", db)
    assert json.loads(out)["items"][0]["speaker"]["name"] == "Sergey Lavrov"
    code, out, _ = run("search", "كوريا الشماليه", "--db", db)
    assert "«كوريا الشمالية»" in out
    code, out, _ = run("stats", "--json", "--db", db)
    assert json.loads(out)["events"]["distinct"] == 10


def test_usage_errors_exit_2(db: str) -> None:
    code, _, err = run("timeline", "RUS", "XYZ", "--db", db)
    assert code == 2 and "unknown country code 'XYZ'" in err and "Traceback" not in err
    code, _, err = run("events", "--since", "yesterday", "--db", db)
    assert code == 2 and "not a date" in err
    code, _, err = run("quotes", "--speaker", "Nobody", "--db", db)
    assert code == 2 and "no speaker" in err
    code, _, err = run("article", "nope", "--db", db)
    assert code == 2
    code, _, err = run("export", "--format", "csv", "-o", "-", "--table", "articles", "--source", "RUS",
                       "--db", db)
    assert code == 2 and "events only" in err


def test_store_errors_exit_5(tmp_path: Path, db: str) -> None:
    code, _, err = run("stats", "--db", str(tmp_path / "missing.db"))
    assert code == 5 and "no store" in err
    newer = tmp_path / "newer.db"
    open_store(newer).close()
    con = sqlite3.connect(newer)
    con.execute("INSERT INTO schema_version VALUES (999, 'x')")
    con.commit()
    con.close()
    code, _, err = run("stats", "--db", str(newer))
    assert code == 5 and "newer" in err


def test_locked_store_exit_5(tmp_path: Path) -> None:
    """The real command in a subprocess, while another process holds an exclusive lock."""
    p = tmp_path / "locked.db"
    with open_store(p) as s:
        load_corpus(s)
    # an exclusive lock in rollback-journal mode blocks readers too
    con = sqlite3.connect(p, isolation_level=None)
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, time
        con = sqlite3.connect({str(p)!r}, isolation_level=None)
        con.execute("BEGIN EXCLUSIVE")
        con.execute("DELETE FROM ingest_errors")
        print("locked", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        marsad = Path(sys.executable).with_name("marsad")
        r = subprocess.run([str(marsad), "stats", "--db", str(p)], capture_output=True, text=True, timeout=60,
                           env={"PATH": "/usr/bin:/bin", "MARSAD_DB_TIMEOUT": "0.5"})
        assert r.returncode == 5, r.stderr
        assert "locked by another process" in r.stderr and "Traceback" not in r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_export_files(db: str, tmp_path: Path) -> None:
    out = tmp_path / "ev.tsv"
    code, _, err = run("export", "--format", "gdelt-tsv", "-o", str(out), "--db", db)
    assert code == 0 and "asserted events only" in err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 7
    code, _, _ = run("export", "--format", "gdelt-tsv", "--mode", "all", "-o", str(out), "--db", db)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 10
    code, out_s, _ = run("export", "--format", "plover-jsonl", "-o", "-", "--source", "UKR", "--db", db)
    assert code == 0 and len(out_s.splitlines()) == 1
    code, _, err = run("export", "--format", "parquet", "-o", str(tmp_path / "pq"), "--db", db)
    assert code == 0 and (tmp_path / "pq" / "events.parquet").exists()
    code, _, err = run("export", "--format", "csv", "-o", str(tmp_path / "no" / "dir" / "x.csv"), "--db", db)
    assert code == 2 and "cannot write" in err


def test_events_table_shows_the_coded_date_at_its_precision(db: str) -> None:
    """A coded date prints as coded (a month stays a month); no date prints the counting day with ~."""
    code, out, _ = run("events", "--json", "--limit", "200", "--db", db)
    items = json.loads(out)["items"]
    code, table, _ = run("events", "--limit", "200", "--db", db)
    assert code == 0
    lines = table.splitlines()
    assert lines[0].split()[0] == "date"
    shown = [ln.split()[0] for ln in lines[1:len(items) + 1]]
    assert shown == [e["date"] or f"~{e['day']}" for e in items]
    assert any(e["date"] and len(e["date"]) < 10 for e in items) or any(not e["date"] for e in items)
