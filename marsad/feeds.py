"""RSS/Atom feeds: polite fetching, new entries → source items, and polling on a schedule.

Politeness is the point: every request goes through one :class:`Fetcher`, which waits
``host_delay`` seconds between two requests to the same host, sends conditional requests
(``If-None-Match`` / ``If-Modified-Since``) for feeds it has seen, gives up after
``timeout`` seconds, and backs off from a feed that keeps failing.  An entry whose article
is already stored is not fetched again.  A feed whose entries carry only a summary has its
article pages fetched (their main text is extracted with trafilatura, in the workers).

Failures are items, not exceptions: a timeout, an HTTP error, or an HTML page where a feed
should be becomes an error item for that feed, and the other feeds go on.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from marsad.model import article_id
from marsad.sources.items import Item
from marsad.sources.records import host_of, html_text_item, text_item

USER_AGENT = "marsad/0.1 (+https://github.com/marsad; news event extraction; polite polling)"
DEFAULT_TIMEOUT = 20.0
DEFAULT_HOST_DELAY = 1.0
#: An entry whose content is shorter than this (characters) is a summary: fetch the page.
FULL_CONTENT_CHARS = 600
MAX_PAGE = 16 * 1024 * 1024
#: A failing feed is polled again after every * 2**failures, at most this many intervals.
MAX_BACKOFF_INTERVALS = 16


class FetchError(Exception):
    """A request that did not give a usable response (the message is one line)."""


@dataclass
class Response:
    status: int
    content: bytes
    content_type: str
    charset: str | None
    url: str


@dataclass
class _Cache:
    etag: str | None = None
    last_modified: str | None = None


class Fetcher:
    """One HTTP client with per-host delays and a conditional-GET cache, shared by all feeds."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, host_delay: float = DEFAULT_HOST_DELAY,
                 user_agent: str = USER_AGENT, sleep: Callable[[float], None] = time.sleep) -> None:
        import httpx

        self.timeout = timeout
        self.host_delay = host_delay
        self._sleep = sleep
        self._last: dict[str, float] = {}
        self._cache: dict[str, _Cache] = {}
        self.requests = 0
        self.not_modified = 0
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True,
                                    headers={"User-Agent": user_agent,
                                             "Accept-Encoding": "gzip, deflate"})

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        last = self._last.get(host)
        if last is not None and self.host_delay > 0:
            wait = last + self.host_delay - time.monotonic()
            if wait > 0:
                self._sleep(wait)
        self._last[host] = time.monotonic()

    def get(self, url: str, *, conditional: bool = False, accept: str | None = None) -> Response | None:
        """GET ``url``; None when ``conditional`` and the server says 304 Not Modified."""
        import httpx

        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        cache = self._cache.get(url) if conditional else None
        if cache is not None:
            if cache.etag:
                headers["If-None-Match"] = cache.etag
            if cache.last_modified:
                headers["If-Modified-Since"] = cache.last_modified
        self._wait(url)
        self.requests += 1
        try:
            with self._client.stream("GET", url, headers=headers) as r:
                if r.status_code == 304 and cache is not None:
                    self.not_modified += 1
                    return None
                if r.status_code >= 400:
                    raise FetchError(f"HTTP {r.status_code} {r.reason_phrase}".strip())
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > MAX_PAGE:
                        raise FetchError(f"response larger than {MAX_PAGE // (1024 * 1024)} MB")
                    chunks.append(chunk)
                ctype = r.headers.get("content-type", "")
                if conditional:
                    self._cache[url] = _Cache(r.headers.get("etag"), r.headers.get("last-modified"))
                return Response(r.status_code, b"".join(chunks), ctype.split(";")[0].strip().lower(),
                                r.charset_encoding, str(r.url))
        except httpx.TimeoutException:
            raise FetchError(f"timed out after {self.timeout:g} s") from None
        except httpx.TooManyRedirects:
            raise FetchError("too many redirects") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None


def _decode(resp: Response) -> str | None:
    if resp.charset:
        try:
            return resp.content.decode(resp.charset)
        except (LookupError, UnicodeDecodeError):
            return None
    return None


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        st = entry.get(key)
        if st:
            try:
                return time.strftime("%Y-%m-%d", time.gmtime(calendar.timegm(st)))
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_content(entry: Any) -> str:
    """The longest full content an entry carries (content:encoded, Atom content)."""
    best = ""
    for c in entry.get("content") or []:
        v = c.get("value") or ""
        if len(v) > len(best):
            best = v
    return best


def _is_summary(text: str) -> bool:
    t = text.strip()
    return len(t) < FULL_CONTENT_CHARS or t.endswith(("…", "...", "[…]", "[...]"))


def parse_feed(url: str, resp: Response) -> Any:
    """feedparser's result; FetchError when the body is not a feed (e.g. an HTML error page)."""
    import feedparser

    parsed = feedparser.parse(resp.content, response_headers={"content-type": resp.content_type,
                                                              "content-location": resp.url})
    if not parsed.get("version") and not parsed.get("entries"):
        if resp.content_type in ("text/html", "application/xhtml+xml") or b"<html" in resp.content[:2048].lower():
            title = _html_title(resp.content)
            raise FetchError(f"not an RSS/Atom feed: got an HTML page{f' ({title})' if title else ''}")
        raise FetchError("not an RSS/Atom feed")
    return parsed


def _html_title(data: bytes) -> str | None:
    import re

    m = re.search(rb"<title[^>]*>(.*?)</title>", data[:65536], re.I | re.S)
    if not m:
        return None
    t = m.group(1).decode("utf-8", "replace").strip()
    return " ".join(t.split())[:80] or None


def feed_items(url: str, fetcher: Fetcher, *, is_known: Callable[[list[str]], set[str]] | None = None,
               conditional: bool = True) -> Iterator[Item]:
    """Items for the entries of one feed: known entries marked, new ones with their article."""
    try:
        resp = fetcher.get(url, conditional=conditional,
                           accept="application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5")
    except FetchError as exc:
        yield Item(url, error=f"feed: {exc}")
        return
    if resp is None:  # 304: nothing new
        return
    try:
        parsed = parse_feed(url, resp)
    except FetchError as exc:
        yield Item(url, error=f"feed: {exc}")
        return
    feed_title = (parsed.get("feed") or {}).get("title")
    entries = []
    for n, e in enumerate(parsed.get("entries") or []):
        if e.get("link"):
            entries.append(e)
        elif _entry_content(e):  # no page to fetch, but the entry carries its article
            yield html_text_item(_entry_content(e), f"{url}#entry{n + 1}", source=feed_title or host_of(url),
                                 published=_entry_date(e), title=e.get("title"))
        else:
            yield Item(f"{url}#entry{n + 1}", error="feed entry with neither a link nor content")
    ids = [article_id(e.get("link").strip(), "") for e in entries]
    known = is_known(ids) if is_known and ids else set()
    for entry, aid in zip(entries, ids, strict=True):
        link = entry.get("link").strip()
        if aid in known:
            yield Item(link, known=True)
            continue
        yield _entry_item(entry, link, feed_title, fetcher)


def _entry_item(entry: Any, link: str, feed_title: str | None, fetcher: Fetcher) -> Item:
    src = entry.get("source") or {}
    source = src.get("title") or feed_title or host_of(link)
    title = entry.get("title")
    published = _entry_date(entry)
    content = _entry_content(entry)
    if content and not _is_summary(_strip_tags(content)):
        return html_text_item(content, link, url=link, source=source, published=published, title=title)
    try:
        page = fetcher.get(link, accept="text/html, application/xhtml+xml, text/plain;q=0.8")
    except FetchError as exc:
        return Item(link, error=f"article page: {exc}")
    if page is None:  # not a conditional request: cannot happen, but do not crash on it
        return Item(link, error="article page: empty answer")
    if page.content_type in ("text/html", "application/xhtml+xml") or not page.content_type and b"<html" in page.content[:4096].lower():
        text = _decode(page)
        if text is None:
            from marsad.reader import InputError, decode_bytes

            try:
                text = decode_bytes(page.content, link).text
            except InputError as exc:
                return Item(link, error=str(exc))
        return html_text_item(text, link, url=link, source=source, published=published, title=title)
    if page.content_type.startswith("text/") or not page.content_type:
        item = text_item(page.content, link, url=link, source=source, published=published, title=title)
        return item
    return Item(link, error=f"article page: unsupported content type {page.content_type!r}")


def _strip_tags(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", html)


@dataclass
class FeedState:
    """What the poller knows about one feed between polls."""

    url: str
    next_due: float = 0.0
    failures: int = 0
    last_error: str | None = None
    polls: int = 0


@dataclass
class Poller:
    """Polls a list of feeds every ``every`` seconds, backing off from failing ones."""

    urls: list[str]
    every: float
    fetcher: Fetcher
    clock: Callable[[], float] = time.monotonic
    states: dict[str, FeedState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for u in self.urls:
            self.states.setdefault(u, FeedState(u))

    def due(self) -> list[FeedState]:
        now = self.clock()
        return [s for s in self.states.values() if s.next_due <= now]

    def next_wakeup(self) -> float:
        return min(s.next_due for s in self.states.values())

    def poll(self, is_known: Callable[[list[str]], set[str]] | None = None) -> Iterator[Item]:
        """Items of every feed that is due now; schedules each feed's next poll."""
        for st in self.due():
            failed: str | None = None
            st.polls += 1
            for item in feed_items(st.url, self.fetcher, is_known=is_known):
                if item.where == st.url and item.error:
                    failed = item.error
                yield item
            now = self.clock()
            if failed:
                st.failures += 1
                st.last_error = failed
                st.next_due = now + self.every * min(2 ** st.failures, MAX_BACKOFF_INTERVALS)
            else:
                st.failures = 0
                st.last_error = None
                st.next_due = now + self.every


def parse_interval(text: str) -> float:
    """``15m``, ``30s``, ``2h``, ``1d`` or plain seconds → seconds; ValueError otherwise."""
    t = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        value = float(t[:-1]) * units[t[-1]] if t and t[-1] in units else float(t)
    except (ValueError, KeyError):
        raise ValueError(f"not a time interval: {text!r} (use e.g. 30s, 15m, 2h)") from None
    if value <= 0:
        raise ValueError(f"the interval must be positive, got {text!r}")
    return value
