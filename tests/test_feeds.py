"""Feeds against a real HTTP server on 127.0.0.1: conditional GET (304), article pages for
summary-only entries, timeouts, HTML error pages, per-host delay, backoff, and
`marsad ingest --follow`."""

from __future__ import annotations

import hashlib
import html
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES

from marsad.cli import main
from marsad.feeds import Fetcher, FetchError, Poller, feed_items, parse_interval
from marsad.model import article_id


class Server:
    """Serves examples/ with {BASE} filled in, plus endpoints that misbehave."""

    def __init__(self) -> None:
        self.log: list[tuple[float, str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.log.append((time.monotonic(), self.path, dict(self.headers)))
                try:
                    outer.handle(self)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self, prefix: str = "") -> list[str]:
        return [p for _, p, _ in self.log if p.startswith(prefix)]

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str,
              headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def feed(self, name: str) -> bytes:
        return (EXAMPLES / "feeds" / name).read_text(encoding="utf-8").replace("{BASE}", self.base).encode()

    def full_feed(self) -> bytes:
        """An RSS feed whose items carry the whole article (content:encoded)."""
        items = []
        for name in ("012-erdogan-cairo", "014-saudi-iran-beijing"):
            title, body = (EXAMPLES / "articles" / f"{name}.txt").read_text(encoding="utf-8").split("\n", 1)
            content = "".join(f"<p>{html.escape(p)}</p>" for p in body.splitlines() if p.strip())
            items.append(f"<item><title>{html.escape(title)}</title><link>{self.base}/full/{name}</link>"
                         f"<pubDate>Tue, 14 Feb 2024 09:00:00 +0000</pubDate>"
                         f"<content:encoded><![CDATA[{content}]]></content:encoded></item>")
        return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>full</title>'
                f'<link>{self.base}/</link>{"".join(items)}</channel></rss>').encode()

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?")[0]
        if path.startswith("/feeds/") and path.endswith(".rss"):
            body = self.feed(path.rsplit("/", 1)[1])
            etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
            if h.headers.get("If-None-Match") == etag:
                self._send(h, 304, b"", "application/rss+xml", {"ETag": etag})
            else:
                self._send(h, 200, body, "application/rss+xml; charset=utf-8",
                           {"ETag": etag, "Last-Modified": formatdate(usegmt=True)})
        elif path == "/full.rss":
            self._send(h, 200, self.full_feed(), "application/rss+xml; charset=utf-8")
        elif path.startswith("/articles/"):
            f = EXAMPLES / "articles" / path.rsplit("/", 1)[1]
            if f.is_file():
                self._send(h, 200, f.read_bytes(), "text/plain; charset=utf-8")
            else:
                self._send(h, 404, b"<html><body>not found</body></html>", "text/html")
        elif path == "/slow.rss":
            time.sleep(2.0)
            self._send(h, 200, self.feed("marsad-demo.rss"), "application/rss+xml")
        elif path == "/error.rss":
            self._send(h, 200, b"<!doctype html><html><head><title>502 Bad Gateway</title></head>"
                               b"<body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>", "text/html")
        elif path == "/down.rss":
            self._send(h, 503, b"<html><body>maintenance</body></html>", "text/html")
        else:
            self._send(h, 404, b"not found", "text/plain")


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


def test_feed_entries_fetch_article_pages_then_304(server):
    url = f"{server.base}/feeds/marsad-demo.rss"
    with Fetcher(timeout=5, host_delay=0) as f:
        items = list(feed_items(url, f))
        assert len(items) == 7 and all(i.article is not None for i in items)
        by = {i.article.url.rsplit("/", 1)[1]: i for i in items}
        a = by["007-troops-in-russia.txt"].article
        assert a.title.startswith("سيول: آلاف الجنود") and a.published == "2024-10-24" and a.source == "example-levant"
        assert a.id == article_id(f"{server.base}/articles/007-troops-in-russia.txt", "")
        assert not a.text.startswith(a.title)  # the page's title line is not part of the text
        assert len(server.paths("/articles/")) == 7  # the feed has summaries only: pages fetched
        # polled again: the server answers 304 to the conditional request, nothing is fetched
        assert list(feed_items(url, f)) == []
        assert f.not_modified == 1
    conditional = [hd for _, p, hd in server.log if p == "/feeds/marsad-demo.rss"][1]
    assert conditional.get("If-None-Match") and conditional.get("If-Modified-Since")
    assert len(server.paths("/articles/")) == 7


def test_known_entries_are_not_fetched_again(server):
    url = f"{server.base}/feeds/marsad-demo.rss"
    with Fetcher(timeout=5, host_delay=0) as f:
        items = list(feed_items(url, f, is_known=lambda ids: set(ids[:5])))
    assert [i.known for i in items] == [True] * 5 + [False] * 2
    assert len(server.paths("/articles/")) == 2


def test_full_content_entries_need_no_page(server):
    with Fetcher(timeout=5, host_delay=0) as f:
        items = list(feed_items(f"{server.base}/full.rss", f))
    assert len(items) == 2 and all(i.html for i in items)
    assert items[0].article.published == "2024-02-14" and items[0].article.source == "full"
    assert not server.paths("/full/")


def test_timeouts_error_pages_and_http_errors_are_items(server):
    with Fetcher(timeout=0.5, host_delay=0) as f:
        t = time.monotonic()
        [slow] = list(feed_items(f"{server.base}/slow.rss", f))
        assert time.monotonic() - t < 1.9
        [page] = list(feed_items(f"{server.base}/error.rss", f))
        [down] = list(feed_items(f"{server.base}/down.rss", f))
        with pytest.raises(FetchError, match="timed out after 0.5 s"):
            f.get(f"{server.base}/slow.rss")
    assert slow.error == "feed: timed out after 0.5 s"
    assert page.error == "feed: not an RSS/Atom feed: got an HTML page (502 Bad Gateway)"
    assert down.error.startswith("feed: HTTP 503")


def test_per_host_delay(server):
    waits: list[float] = []

    def sleep(d: float) -> None:
        waits.append(d)
        time.sleep(d)

    starts = []
    with Fetcher(timeout=5, host_delay=0.3, sleep=sleep) as f:
        for name in ("001-shoigu-pyongyang.txt", "002-kim-putin-vostochny.txt", "003-choe-lavrov-moscow.txt"):
            f.get(f"{server.base}/articles/{name}")
            starts.append(time.monotonic())
        port = server.base.rsplit(":", 1)[1]
        f.get(f"http://localhost:{port}/articles/004-missiles-accusation.txt")
    assert len(waits) == 2 and all(0 < w <= 0.3 for w in waits)  # the 4th request: another host name
    assert starts[2] - starts[0] >= 0.6 - 0.02
    assert len(server.paths("/articles/")) == 4


def test_poller_backs_off_from_failing_feeds(server):
    now = [100.0]
    good, bad = f"{server.base}/feeds/marsad-demo.rss", f"{server.base}/down.rss"
    with Fetcher(timeout=5, host_delay=0) as f:
        p = Poller([good, bad], every=60, fetcher=f, clock=lambda: now[0])
        list(p.poll())
        assert p.states[good].next_due == 160 and p.states[bad].next_due == 100 + 120
        now[0] = 161
        assert [s.url for s in p.due()] == [good]
        list(p.poll())
        now[0] = 221
        list(p.poll())  # the bad feed again: fails twice → waits 4 intervals
        assert p.states[bad].failures == 2 and p.states[bad].next_due == 221 + 240
        assert p.states[good].failures == 0 and p.states[bad].last_error.startswith("feed: HTTP 503")


def test_parse_interval():
    assert parse_interval("15m") == 900 and parse_interval("30s") == 30 and parse_interval("2h") == 7200
    assert parse_interval("0.5") == 0.5
    for bad in ("soon", "-1m", "0"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_ingest_follow_stores_new_items_and_reports_bad_feeds(server, tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text((EXAMPLES / "feeds" / "feeds.txt").read_text(encoding="utf-8").replace("{BASE}", server.base)
                     + f"{server.base}/slow.rss\n{server.base}/error.rss\n", encoding="utf-8")
    db = tmp_path / "s.db"
    args = ["ingest", "--follow", str(feeds), "--every", "0.2s", "--max-polls", "2", "--timeout", "0.5",
            "--host-delay", "0", "--workers", "1", "--db", str(db), "--json"]
    r = CliRunner().invoke(main, args, catch_exceptions=False)
    assert r.exit_code == 1, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["new"] == 7 and s["duplicates"] == 2
    assert "slow.rss: feed: timed out after 0.5 s" in r.stderr
    assert "error.rss: feed: not an RSS/Atom feed" in r.stderr
    con = sqlite3.connect(db)
    clusters = dict(con.execute("SELECT url, cluster_id FROM articles"))
    ids = dict(con.execute("SELECT url, id FROM articles"))
    con.close()
    u = f"{server.base}/articles/"
    # the feed lists each copy before its original: the copy came first, so its id names the cluster
    assert clusters[u + "006-putin-pyongyang-treaty.txt"] == ids[u + "017-putin-pyongyang-scraper-copy.txt"]
    assert clusters[u + "002-kim-putin-vostochny.txt"] == ids[u + "018-kim-putin-summit-republished.txt"]
    assert len(set(clusters.values())) == 5
    assert server.paths("/feeds/").count("/feeds/marsad-demo.rss") == 2  # polled twice, the 2nd a 304
    assert len(server.paths("/articles/")) == 7
    # a later one-shot ingest of the feed URL finds every entry already stored: no page fetched
    r = CliRunner().invoke(main, ["ingest", f"{server.base}/feeds/marsad-demo.rss", "--host-delay", "0",
                                  "--workers", "1", "--db", str(db), "--json", "-q"], catch_exceptions=False)
    assert r.exit_code == 0 and json.loads(r.stdout.strip().splitlines()[-1])["already_stored"] == 7
    assert len(server.paths("/articles/")) == 7


def test_feeds_txt_as_a_source(server, tmp_path):
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# demo\n{server.base}/full.rss\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["ingest", str(feeds), "--host-delay", "0", "--workers", "1",
                                  "--db", str(tmp_path / "s.db"), "--json", "-q"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout.strip().splitlines()[-1])["new"] == 2
    assert Path(tmp_path / "s.db").exists()
