"""`marsad analyze` end to end through the real CLI entry point, including bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.model import analysis_json_schema

ARABIC = "قال وزير الخارجية الروسي سيرغي لافروف اليوم الخميس إن العلاقات مع كوريا الشمالية وصلت إلى مستوى جديد."


def run(args, input=None):
    r = CliRunner().invoke(main, args, input=input, catch_exceptions=False)
    return r


def check_spans(d):
    text = d["text"]
    for a in d["actors"]:
        for m in a["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
    for q in d["quotes"]:
        assert text[q["start"]:q["end"]] == q["text"]
    for e in d["events"]:
        t = e["trigger"]
        assert text[t["start"]:t["end"]] == t["text"]
    for t in d["times"]:
        assert text[t["start"]:t["end"]] == t["text"]


def test_analyze_seed_file_validates_against_schema(seed_text, tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(seed_text, encoding="utf-8")
    r = run(["analyze", str(p), "--published", "2023-10-19"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    jsonschema.validate(d, analysis_json_schema())
    assert d["title"].startswith("العلاقة بين موسكو")
    assert "[ad_1]" not in d["text"] and "Source link" not in d["text"]
    check_spans(d)


def test_analyze_stdin(tmp_path):
    r = run(["analyze", "-", "--published", "2023-10-19", "--no-title"], input=ARABIC.encode())
    assert r.exit_code == 0
    d = json.loads(r.stdout)
    assert d["published"] == "2023-10-19" and d["language"] == "ar"
    jsonschema.validate(d, analysis_json_schema())


@pytest.mark.parametrize("content,code,msg", [
    (b"", 3, "empty"),
    (b"   \n\t  \n", 3, "empty"),
    (b"\x00\x01\x02\x03binary\x00data" * 10, 3, "binary"),
    (b"plain text that is mostly fine " * 20 + b"\xc3\x28 broken " * 2, 3, "UTF-8"),
    (("The minister said on Thursday that relations had reached a new level. " * 5).encode(), 4, "not Arabic"),
])
def test_bad_input_gets_one_line_and_exit_code(tmp_path, content, code, msg):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    r = run(["analyze", str(p)])
    assert r.exit_code == code
    assert msg in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output


def test_missing_file_and_bad_date(tmp_path):
    r = run(["analyze", str(tmp_path / "nope.txt")])
    assert r.exit_code == 3 and "no such file" in r.stderr
    p = tmp_path / "a.txt"
    p.write_text(ARABIC, encoding="utf-8")
    r = run(["analyze", str(p), "--published", "19/10/2023"])
    assert r.exit_code == 3 and "ISO date" in r.stderr


def test_windows_1256_arabic_is_decoded(tmp_path):
    p = tmp_path / "cp.txt"
    p.write_bytes(ARABIC.encode("cp1256"))
    r = run(["analyze", str(p), "--no-title"])
    assert r.exit_code == 0
    assert json.loads(r.stdout)["text"] == ARABIC
    assert "Windows-1256" in r.stderr


def test_html_given_as_text_is_reduced_to_its_article(tmp_path):
    html = f"""<!doctype html><html><head><title>خبر</title></head><body>
    <nav><a href="/">الرئيسية</a></nav><article><h1>العنوان</h1><p>{ARABIC}</p>
    <p>وأضاف أن الزيارة ستتواصل يومين آخرين في العاصمة.</p></article>
    <footer>جميع الحقوق محفوظة</footer></body></html>"""
    p = tmp_path / "page.txt"
    p.write_text(html, encoding="utf-8")
    r = run(["analyze", str(p)])
    assert r.exit_code == 0, r.stderr
    d = json.loads(r.stdout)
    assert "<p>" not in d["text"] and "لافروف" in d["text"]
    assert "HTML" in r.stderr


def test_big_input_is_refused_or_cut_cleanly(tmp_path):
    p = tmp_path / "big.txt"
    line = (ARABIC + "\n").encode()
    with open(p, "wb") as f:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            f.write(line)
    r = run(["analyze", str(p), "--no-title", "--compact", "--no-ner"])
    assert r.exit_code == 0
    assert "cut" in r.stderr
    assert r.stdout.count("\n") == 1


def test_jsonl_mode_reports_bad_lines_and_continues(tmp_path):
    p = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": ARABIC, "published": "2023-10-19"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps(["list"]),
        json.dumps({"id": "c", "text": ARABIC, "published": "yesterday"}, ensure_ascii=False),
        json.dumps({"id": "d", "text": ARABIC}, ensure_ascii=False),
    ]
    p.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe broken\n")
    r = run(["analyze", "--jsonl", str(p)])
    assert r.exit_code == 1
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [d["id"] for d in out] == ["a", "d"]
    errs = r.stderr.strip().splitlines()
    assert len(errs) == 5
    assert any(":2: malformed JSON" in e for e in errs)
    assert any(":7: invalid UTF-8" in e for e in errs)


def test_console_script_runs_without_traceback(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    r = subprocess.run([sys.executable, "-m", "marsad", "analyze", str(p)], capture_output=True, text=True)
    assert r.returncode == 3
    assert "Traceback" not in r.stderr
