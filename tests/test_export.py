"""Exports: PLOVER JSONL, GDELT-like TSV, CSV, JSONL and Parquet, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import SHARED
from store_fixtures import *  # noqa: F403
from store_fixtures import load_corpus

from marsad import queries
from marsad.export import GDELT_COLUMNS, ExportError, export
from marsad.model import MODES, PLOVER_TYPES
from marsad.store import Store
from marsad.store import schema as S


@pytest.fixture
def loaded(store: Store) -> Store:
    load_corpus(store)
    return store


def _lines(store: Store, fmt: str, **kw: object) -> list[str]:
    buf = io.StringIO()
    export(store, fmt, buf, **kw)
    return buf.getvalue().splitlines()


def test_plover_jsonl(loaded: Store) -> None:
    recs = [json.loads(x) for x in _lines(loaded, "plover-jsonl")]
    assert len(recs) == 10  # distinct events
    assert len({r["id"] for r in recs}) == 10
    for r in recs:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["date"])
        assert r["event"][0] in PLOVER_TYPES and r["marsad_mode"] in MODES
        assert r["actor"] and r["actor"][0]["code"]
        assert r["quad_code"] in (1, 2, 3, 4)
        assert r["text"]  # the sentence the event was coded from
    consult = [r for r in recs if r["event"] == ["CONSULT"] and r["actor"][0]["code"] == "RUS"][0]
    assert consult["n_articles"] == 2 and consult["n_sources"] == 2
    assert consult["actor"][0]["entity_text"] == "سيرغي لافروف"
    assert consult["cite_info"]["url"] == "https://example.org/tass/1"
    future = [r for r in recs if r["marsad_mode"] == "future"][0]
    assert future["context"] == ["future"]
    assert len(_lines(loaded, "plover-jsonl", mentions=True)) == 15
    assert len(_lines(loaded, "plover-jsonl", source="RUS", target="PRK")) == 3


def test_plover_fields_are_the_manuals(loaded: Store) -> None:
    """Every standard field we fill is named in the PLOVER manual's JSON table."""
    tex = SHARED / "data" / "plover" / "PLOVER_MANUAL.tex"
    if not tex.exists():
        pytest.skip("PLOVER manual not available (../shared/data/plover)")
    text = tex.read_text(encoding="utf-8")
    table = text[text.index("\\caption{PLOVER JSON }"):text.index("\\label{tab:json}")]
    names = {m.replace("\\_", "_") for m in re.findall(r"^([a-z\\_]+) &", table, re.M)}
    entity = text[text.index("\\caption{Information object for entities }"):text.index("\\label{tab:actorinfo}")]
    entity_names = {m.replace("\\_", "_") for m in re.findall(r"^([a-z\\_]+) &", entity, re.M)}
    assert {"id", "date", "actor", "event", "mode", "context"} <= names
    rec = json.loads(_lines(loaded, "plover-jsonl")[0])
    ours = {k for k in rec if k not in ("cameo", "goldstein", "trigger", "quote_index", "article_id", "published",
                                        "n_mentions", "n_articles", "n_sources") and not k.startswith("marsad_")}
    assert ours <= names, ours - names
    for ent in rec["actor"]:
        assert {k for k in ent if k != "marsad_id"} <= entity_names


def test_gdelt_tsv(loaded: Store) -> None:
    lines = _lines(loaded, "gdelt-tsv", mode="asserted")
    assert lines[0].split("\t") == list(GDELT_COLUMNS)
    assert len(GDELT_COLUMNS) == 61
    rows = [dict(zip(GDELT_COLUMNS, x.split("\t"), strict=True)) for x in lines[1:]]
    assert len(rows) == 7  # asserted events, each once
    consult = [r for r in rows if r["EventCode"] == "042"][0]
    assert consult["SQLDATE"] == "20231018" and consult["MonthYear"] == "202310" and consult["Year"] == "2023"
    assert consult["Actor1Code"] == "RUSGOV" and consult["Actor1CountryCode"] == "RUS"
    assert consult["Actor1Type1Code"] == "GOV" and consult["Actor2CountryCode"] == "PRK"
    assert consult["EventBaseCode"] == "042" and consult["EventRootCode"] == "04"
    assert consult["QuadClass"] == "1" and float(consult["GoldsteinScale"]) == pytest.approx(1.9)
    assert (consult["NumMentions"], consult["NumArticles"], consult["NumSources"]) == ("2", "2", "2")
    assert consult["IsRootEvent"] == "1" and consult["AvgTone"] == ""
    assert consult["SOURCEURL"] == "https://example.org/tass/1"
    assert re.fullmatch(r"\d{14}", consult["DATEADDED"])
    assert consult["GlobalEventID"].isdigit()
    accuse = [r for r in rows if r["EventCode"] == "112"][0]
    assert accuse["IsRootEvent"] == "0"  # not in the first paragraph
    assert len(_lines(loaded, "gdelt-tsv", header=False)) == 10


def test_csv_events_and_tables(loaded: Store) -> None:
    lines = _lines(loaded, "csv")
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    assert len(rows) == 10
    for r in rows:
        art = queries.article(loaded, r["article_id"])
        assert art is not None
        text = art["analysis"]["text"]
        assert text[int(r["trigger_start"]):int(r["trigger_end"])] == r["trigger_text"]
        assert text[int(r["sentence_start"]):int(r["sentence_end"])] == r["sentence_text"]
    arts = list(csv.DictReader(io.StringIO("\n".join(_lines(loaded, "csv", table="articles")))))
    assert len(arts) == 7 and set(arts[0]) == {c.name for c in S.articles.columns}
    with pytest.raises(ExportError, match="events only"):
        export(loaded, "csv", io.StringIO(), table="articles", source="RUS")
    with pytest.raises(ExportError, match="unknown table"):
        export(loaded, "csv", io.StringIO(), table="nope")
    with pytest.raises(ExportError, match="format"):
        export(loaded, "xml", io.StringIO())


def test_jsonl(loaded: Store) -> None:
    evs = [json.loads(x) for x in _lines(loaded, "jsonl")]
    assert evs == list(queries.iter_events(loaded))
    # batching does not change the stream
    assert list(queries.iter_events(loaded, batch=2)) == list(queries.iter_events(loaded, batch=1000))
    sigs_store = loaded.counts()["signatures"]
    assert len(_lines(loaded, "jsonl", table="signatures")) == sigs_store


def test_parquet_directory_and_file(loaded: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "tables"
    res = export(loaded, "parquet", out)
    counts = loaded.counts()
    for name in ("articles", "events", "quotes", "mentions", "actors", "clusters"):
        t = pq.read_table(out / f"{name}.parquet")
        assert t.num_rows == counts[name] == res["tables"][name]
        assert t.column_names == [c.name for c in S.metadata.tables[name].columns]
    ev = pq.read_table(out / "events.parquet").to_pylist()
    assert {e["type"] for e in ev} == {"CONSULT", "SUPPORT", "ACCUSE", "AID", "THREATEN", "ASSAULT"}
    f = tmp_path / "rus.parquet"
    export(loaded, "parquet", f, source="RUS")
    t = pq.read_table(f)
    assert t.num_rows == 4 and set(t.column("source_country").to_pylist()) == {"RUS"}
    with pytest.raises(ExportError):
        export(loaded, "parquet", tmp_path / "dir2", source="RUS")


def test_written_file_is_atomic(loaded: Store, tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    export(loaded, "jsonl", out)
    assert out.exists() and not (tmp_path / "e.jsonl.part").exists()
    with pytest.raises(ValueError, match="unknown source"):
        export(loaded, "jsonl", tmp_path / "x.jsonl", source="NOP")
    assert not (tmp_path / "x.jsonl").exists() and not (tmp_path / "x.jsonl.part").exists()
