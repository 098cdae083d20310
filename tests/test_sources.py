"""Reading sources: every format, every kind of bad input, each reported with its place."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

from marsad.model import article_id
from marsad.sources import iter_source, iter_sources, read_feed_list, record_item
from marsad.sources.records import iso_date

TITLE = "الرياض تستضيف محادثات بين الحكومة اليمنية والحوثيين"
BODY = ("استضافت العاصمة السعودية الرياض اليوم جولة جديدة من المحادثات بين وفد الحكومة اليمنية ووفد جماعة الحوثي "
        "برعاية الأمم المتحدة، وقال المبعوث الأممي إن الطرفين اتفقا على مواصلة الحوار.\n"
        "وأضاف المبعوث أن الجولة المقبلة ستعقد الشهر المقبل في مسقط.")


def items(src, **kw):
    return list(iter_source(src, **kw))


def ok(its):
    return [i for i in its if i.article is not None]


def bad(its):
    return [i for i in its if i.error is not None]


# -- plain files --------------------------------------------------------------------------
def test_txt_first_line_is_the_title_and_id_is_a_text_hash(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(f"{TITLE}\n{BODY}\n", encoding="utf-8")
    [it] = items(p)
    assert it.where == str(p) and it.error is None and not it.html
    assert it.article.title == TITLE
    assert it.article.text.strip() == BODY
    assert it.article.id == article_id(None, it.article.text)
    # the same text in another file has the same id: that is what makes ingest idempotent
    q = tmp_path / "b.txt"
    q.write_text(f"{TITLE}\n{BODY}\n", encoding="utf-8")
    assert items(q)[0].article.id == it.article.id


def test_txt_without_a_title_line_keeps_everything(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text(BODY.replace("\n", " "), encoding="utf-8")
    [it] = items(p)
    assert it.article.title is None and it.article.text == BODY.replace("\n", " ")


def test_windows_1256_is_decoded_with_a_warning(tmp_path):
    p = tmp_path / "cp.txt"
    p.write_bytes(f"{TITLE}\n{BODY}".encode("cp1256"))
    [it] = items(p)
    assert it.article is not None and it.article.title == TITLE
    assert any("Windows-1256" in w for w in it.warnings)


def test_invalid_utf8_empty_and_binary_files_are_errors(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Größe und Qualität à la carte - encore".encode("latin-1") * 3)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n \t")
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 10)
    its = items(tmp_path)
    assert not ok(its)
    reasons = {Path(i.where).name: i.error for i in its}
    assert "not valid UTF-8" in reasons["latin.txt"]
    assert reasons["empty.txt"] == "empty input" and reasons["blank.txt"] == "empty input"
    assert "binary" in reasons["bin.txt"]


def test_html_file_is_marked_for_extraction(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(f"<html><head><title>{TITLE}</title></head><body><article><p>{BODY}</p></article></body></html>",
                 encoding="utf-8")
    [it] = items(p)
    assert it.html and it.article.text.startswith("<html>")


def test_missing_source_is_an_error_not_an_exception(tmp_path):
    [it] = items(tmp_path / "nope.jsonl")
    assert it.error == "no such file or directory"


# -- structured files --------------------------------------------------------------------
def test_json_object_list_and_bad_records(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"title": TITLE, "content": BODY, "url": "https://example.org/a/1",
                               "date": "2024-06-19T08:00:00Z", "source": "example-wire"}), encoding="utf-8")
    [it] = items(one)
    a = it.article
    assert (a.title, a.published, a.source, a.url) == (TITLE, "2024-06-19", "example-wire", "https://example.org/a/1")
    assert a.id == article_id("https://example.org/a/1", BODY)
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"text": BODY, "id": "x1"}, {"title": "no body"}, "a string", {"body": BODY + "."}]),
                    encoding="utf-8")
    its = items(many)
    assert [i.where for i in its] == [f"{many}[{k}]" for k in range(4)]
    assert its[0].article.id == "x1" and its[3].article.text == BODY + "."
    assert "no text field" in its[1].error and "expected an object" in its[2].error
    broken = tmp_path / "broken.json"
    broken.write_text('[{"text": "a"},\n {"text": ', encoding="utf-8")
    [b] = items(broken)
    assert b.error.startswith("invalid JSON at line 2")


def test_saudinewsnet_and_news_please_field_names():
    snn = record_item({"source": "aawsat", "url": "http://aawsat.com/node/1", "date_extracted": "2015-07-21 02:51:40",
                       "title": TITLE, "author": "x", "content": BODY}, "day.json[0]")
    assert (snn.article.source, snn.article.published, snn.article.title) == ("aawsat", "2015-07-21", TITLE)
    np_ = record_item({"maintext": BODY, "title": TITLE, "date_publish": "2023-10-19 09:00:00",
                       "source_domain": "example.org", "language": "AR", "url": "https://example.org/x"}, "x.json")
    assert (np_.article.published, np_.article.source, np_.article.language) == ("2023-10-19", "example.org", "ar")
    html = record_item({"text": "<html><body><p>" + BODY + "</p><div>x</div><span>y</span></body></html>"}, "h")
    assert html.html
    nosrc = record_item({"text": BODY, "url": "https://www.example.net/a"}, "u")
    assert nosrc.article.source == "example.net"


@pytest.mark.parametrize("value,expected", [
    ("2023-10-19", "2023-10-19"), ("2023/10/19", "2023-10-19"), ("19/10/2023", "2023-10-19"),
    ("2015-07-21 02:51:40", "2015-07-21"), ("Thu, 24 Oct 2024 09:00:00 +0000", "2024-10-24"),
    ("2024-10-24T23:30:00+03:00", "2024-10-24"), (None, None), ("", None),
])
def test_dates(value, expected):
    assert iso_date(value) == (expected, None)


def test_unreadable_date_is_dropped_with_a_warning():
    d, warn = iso_date("yesterday")
    assert d is None and "not understood" in warn
    it = record_item({"text": BODY, "published": "2023-02-30"}, "x")
    assert it.article.published is None and "not a valid date" in it.warnings[0]


def test_jsonl_bad_lines_are_reported_by_line_and_the_rest_continues(tmp_path):
    p = tmp_path / "dump.jsonl"
    lines = [json.dumps({"text": BODY, "id": "a"}, ensure_ascii=False), "{not json", "",
             json.dumps([1, 2]), json.dumps({"text": ""}), json.dumps({"text": BODY + " ب", "id": "b"})]
    p.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b"{\"text\": \"" + "نص".encode("cp1256") + b"\"}\n")
    its = items(p)
    assert [i.article.id for i in ok(its)] == ["a", "b"]
    errs = {i.where: i.error for i in bad(its)}
    assert errs[f"{p}:2"].startswith("invalid JSON")
    assert "expected an object" in errs[f"{p}:4"] and errs[f"{p}:5"] == "empty 'text' field"
    assert f"{p}:7" in errs  # the last line is neither UTF-8 nor long enough to be judged Windows-1256


def test_csv_with_header_aliases_and_bad_rows(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("ID,Headline,Body,Date,Outlet\n"
                 f"1,{TITLE},\"{BODY}\",2024-01-12,example-tv\n"
                 "2,empty,,2024-01-12,x\n"
                 f"3,t,\"{BODY} ج\",not a date,y\n", encoding="utf-8")
    its = items(p)
    good = ok(its)
    assert [g.article.id for g in good] == ["1", "3"]
    assert good[0].article.title == TITLE and good[0].article.published == "2024-01-12"
    assert good[0].article.text == BODY  # a quoted cell keeps its newline
    assert good[1].warnings and good[1].article.published is None
    [e] = bad(its)
    assert e.where == f"{p}:4" and "empty 'body'" in e.error  # the record starts on line 4 (BODY spans 2)
    nohdr = tmp_path / "b.csv"
    nohdr.write_text("a,b\n1,2\n", encoding="utf-8")
    [e] = items(nohdr)
    assert "no text column" in e.error


# -- folders ------------------------------------------------------------------------------
def test_folder_walk_is_sorted_recursive_and_skips_hidden_and_unknown(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "2.txt").write_text(BODY + " ٢", encoding="utf-8")
    (tmp_path / "a.txt").write_text(BODY + " ١", encoding="utf-8")
    (tmp_path / "b" / "1.jsonl").write_text(json.dumps({"text": BODY + " ٣"}) + "\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / ".git" / "x.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG....")
    its = items(tmp_path)
    assert [Path(i.where.split(":")[0]).relative_to(tmp_path).as_posix() for i in its] == ["a.txt", "b/1.jsonl", "b/2.txt"]
    assert all(i.article for i in its)
    # the same folder twice: the same items in the same order
    assert [i.article.id for i in items(tmp_path)] == [i.article.id for i in its]


def _nobody_python() -> list[str] | None:
    """A Python that the 'nobody' user can run with marsad importable (as root), or None."""
    site = next(iter(sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages"))), None)
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"  # compiled extensions need the same minor
    for exe in (sys.executable, shutil.which(ver), f"/usr/bin/{ver}", f"/usr/local/bin/{ver}"):
        if not exe:
            continue
        try:
            probe = subprocess.run(
                [exe, "-c", "import marsad.sources"], capture_output=True,
                env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{site}" if site else str(ROOT)},
                user=65534, group=65534, extra_groups=[], cwd="/")
        except OSError:  # the interpreter itself is not reachable for that user
            continue
        if probe.returncode == 0:
            return [exe]
    return None


def test_permission_denied_is_reported_and_the_rest_continues():
    """Needs a user that permissions apply to: runs as is when not root, as 'nobody' when root."""
    d = Path(tempfile.mkdtemp(prefix="marsad-perm-"))
    try:
        os.chmod(d, 0o755)
        (d / "a.txt").write_text(BODY, encoding="utf-8")
        (d / "secret.txt").write_text(BODY + " سر", encoding="utf-8")
        os.chmod(d / "secret.txt", 0)
        (d / "locked").mkdir()
        (d / "locked" / "x.txt").write_text(BODY, encoding="utf-8")
        os.chmod(d / "locked", 0)
        code = ("import json,sys; from marsad.sources import iter_source; "
                "print(json.dumps([[i.where, i.error] for i in iter_source(sys.argv[1])]))")
        if os.geteuid() != 0:
            out = [[i.where, i.error] for i in iter_source(d)]
        else:
            py = _nobody_python()
            if py is None:
                pytest.skip("running as root and no Python that user 'nobody' can run with marsad importable")
            site = next(iter(sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages"))))
            r = subprocess.run([*py, "-c", code, str(d)], capture_output=True, text=True, user=65534, group=65534,
                               extra_groups=[], cwd="/", env={**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{site}"})
            assert r.returncode == 0, r.stderr
            out = json.loads(r.stdout)
        got = {Path(w).name: e for w, e in out}
        assert got["a.txt"] is None
        assert got["secret.txt"] == "permission denied"
        assert got["locked"] == "permission denied"
    finally:
        for p in (d / "locked", d / "secret.txt"):
            os.chmod(p, 0o755)
        shutil.rmtree(d)


# -- archives -----------------------------------------------------------------------------
def _zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _members() -> dict[str, bytes]:
    day = [{"source": "s", "url": f"http://example.org/{i}", "date_extracted": "2015-07-21 10:00:00",
            "title": f"{TITLE} {i}", "content": f"{BODY} {i}"} for i in range(3)]
    return {
        "2015-07-21.json": json.dumps(day, ensure_ascii=False).encode(),
        "more/a.txt": f"{TITLE}\n{BODY} أ".encode(),
        "more/notes.md5": b"ignored",
        "__MACOSX/._a.txt": b"junk",
        "more/b.jsonl": (json.dumps({"text": BODY + " ب"}, ensure_ascii=False) + "\n{bad\n").encode(),
    }


def test_zip_members_of_every_kind(tmp_path):
    p = tmp_path / "day.zip"
    p.write_bytes(_zip_bytes(_members()))
    its = items(p)
    assert [i.where for i in ok(its)] == [f"{p}!2015-07-21.json[0]", f"{p}!2015-07-21.json[1]",
                                          f"{p}!2015-07-21.json[2]", f"{p}!more/a.txt", f"{p}!more/b.jsonl:1"]
    assert [i.where for i in bad(its)] == [f"{p}!more/b.jsonl:2"]
    assert ok(its)[0].article.published == "2015-07-21"


def test_truncated_zip_recovers_complete_members(tmp_path):
    data = _zip_bytes(_members())
    cut = data.rfind(b"PK\x03\x04")  # inside the last member: the central directory is gone too
    p = tmp_path / "cut.zip"
    p.write_bytes(data[:cut + 60])
    its = items(p)
    good = [i.where for i in ok(its)]
    assert good[:4] == [f"{p}!2015-07-21.json[0]", f"{p}!2015-07-21.json[1]", f"{p}!2015-07-21.json[2]",
                        f"{p}!more/a.txt"]
    [e] = [i for i in bad(its) if i.where == str(p)]
    assert "truncated" in e.error and "recovered" in e.error and "more/b.jsonl" in e.error


def test_damaged_member_and_not_a_zip(tmp_path):
    data = bytearray(_zip_bytes({"a.txt": (BODY * 20).encode(), "b.txt": (BODY + " ب").encode()}))
    i = data.find(b"a.txt") + 5 + 40  # inside a.txt's compressed data
    data[i] ^= 0xFF
    p = tmp_path / "bad.zip"
    p.write_bytes(bytes(data))
    its = items(p)
    assert [x.where for x in ok(its)] == [f"{p}!b.txt"]
    assert bad(its)[0].where == f"{p}!a.txt" and "damaged" in bad(its)[0].error
    q = tmp_path / "fake.zip"
    q.write_bytes(b"this is not a zip file at all")
    [e] = items(q)
    assert "not a zip" in e.error


# -- WARC ---------------------------------------------------------------------------------
def _warc(records: list[tuple[str, str, bytes, str]], gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    w = WARCWriter(out, gzip=gz)
    for kind, url, body, status in records:
        if kind == "request":
            rec = w.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
        else:
            ctype = "text/plain; charset=utf-8" if url.endswith(".txt") else "text/html; charset=utf-8"
            http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            rec = w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
        w.write_record(rec)
    return out.getvalue()


def _page(n: int) -> bytes:
    return (f"<html><head><title>{TITLE} {n}</title></head><body><article><h1>{TITLE} {n}</h1>"
            f"<p>{BODY} {n}</p></article></body></html>").encode()


RECORDS = [
    ("response", "https://example.org/1", _page(1), "200 OK"),
    ("request", "https://example.org/1", b"", ""),
    ("response", "https://example.org/missing", b"<html>not found</html>", "404 Not Found"),
    ("response", "https://example.org/2.txt", f"{TITLE}\n{BODY}".encode(), "200 OK"),
    ("response", "https://example.org/3", _page(3), "200 OK"),
]


@pytest.mark.parametrize("gz", [False, True])
def test_warc_responses_become_items(tmp_path, gz):
    p = tmp_path / ("c.warc.gz" if gz else "c.warc")
    p.write_bytes(_warc(RECORDS, gz))
    its = items(p)
    assert not bad(its)
    assert [i.article.url for i in its] == ["https://example.org/1", "https://example.org/2.txt", "https://example.org/3"]
    assert its[0].html and not its[1].html and its[1].article.title == TITLE
    assert its[0].article.id == article_id("https://example.org/1", "")
    assert all(i.crawl_date for i in its)
    assert its[0].where.startswith(f"{p}#1@0")


@pytest.mark.parametrize("gz", [False, True])
def test_malformed_warc_record_is_reported_and_reading_resumes(tmp_path, gz):
    good1 = _warc(RECORDS[:1], gz)
    broken = _warc(RECORDS[3:4], gz)
    if gz:  # a gzip member whose compressed data is garbage after the header
        broken = broken[:12] + b"\x00garbage" * 8 + broken[-8:]
    else:
        broken = broken.replace(b"WARC/1.", b"WARX/9.", 1)
    good2 = _warc(RECORDS[4:5], gz)
    p = tmp_path / ("m.warc.gz" if gz else "m.warc")
    p.write_bytes(good1 + broken + good2)
    its = items(p)
    assert [i.article.url for i in ok(its)] == ["https://example.org/1", "https://example.org/3"]
    [e] = bad(its)
    assert e.error.startswith("malformed WARC record") and e.where == f"{p}#2@{len(good1)}"


def test_truncated_warc_and_not_a_warc(tmp_path):
    data = _warc(RECORDS, True)
    p = tmp_path / "t.warc.gz"
    p.write_bytes(data[: len(data) - 40])
    its = items(p)
    assert [i.article.url for i in ok(its)][:2] == ["https://example.org/1", "https://example.org/2.txt"]
    [e] = bad(its)
    assert e.error == "truncated WARC record (the file ends inside it)" and e.where.startswith(f"{p}#5@")
    q = tmp_path / "x.warc"
    q.write_text("hello", encoding="utf-8")
    assert "not a WARC" in items(q)[0].error
    g = tmp_path / "y.warc.gz"
    g.write_bytes(gzip.compress(b"hello world, not a warc"))
    assert bad(items(g))


# -- feed lists ---------------------------------------------------------------------------
def test_feed_list_files(tmp_path):
    p = tmp_path / "feeds.txt"
    p.write_text("# my feeds\nhttps://a.example/rss\n\nhttp://b.example/atom.xml\n", encoding="utf-8")
    assert read_feed_list(str(p)) == ["https://a.example/rss", "http://b.example/atom.xml"]
    assert read_feed_list("https://c.example/feed") == ["https://c.example/feed"]
    with pytest.raises(ValueError, match="not a list of feed URLs"):
        read_feed_list(str(EXAMPLES / "lavrov-pyongyang.txt"))


def test_iter_sources_keeps_the_order_of_sources(tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_text(json.dumps({"text": BODY, "id": "A"}) + "\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(BODY + " ب", encoding="utf-8")
    its = list(iter_sources([str(b), str(a), str(tmp_path / "missing.csv")]))
    assert [i.where for i in its] == [str(b), f"{a}:1", str(tmp_path / "missing.csv")]
