"""Structured records (JSON, JSONL, CSV rows) and plain files → source items.

Field names vary by exporter, so a record is read through small alias lists: ``text`` /
``content`` / ``body`` / ``maintext`` (news-please), ``title`` / ``headline``, ``url`` /
``link``, ``published`` / ``date`` / ``date_publish`` / ``date_extracted`` (SaudiNewsNet's
crawl time), ``source`` / ``outlet`` / ``source_domain``.  Every problem becomes an error
item with a location (``file.jsonl:12``, ``file.json[3]``), never an exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from marsad.model import Article, article_id
from marsad.reader import InputError, decode_bytes, looks_like_html, split_title
from marsad.sources.items import Item

TEXT_KEYS = ("text", "content", "body", "maintext", "article", "article_text")
TITLE_KEYS = ("title", "headline")
URL_KEYS = ("url", "link", "source_url")
DATE_KEYS = ("published", "date_publish", "published_at", "pubDate", "date_published", "date", "pubdate",
             "date_extracted")
SOURCE_KEYS = ("source", "outlet", "source_domain", "site", "publisher")
LANG_KEYS = ("language", "lang")
ID_KEYS = ("id", "article_id")

_ISO_RE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s].*)?$")
_DMY_RE = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s.*)?$")

csv.field_size_limit(64 * 1024 * 1024)


def iso_date(value: Any) -> tuple[str | None, str | None]:
    """(``YYYY-MM-DD``, None) for a date the sources give, or (None, warning) when unreadable.

    Accepts ISO dates and datetimes, ``YYYY/MM/DD``, ``DD/MM/YYYY`` and RFC 2822 (feeds).
    """
    if value is None:
        return None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(float(value), dt.UTC).date().isoformat(), None
        except (OverflowError, OSError, ValueError):
            return None, f"published date {value!r} not understood; ignored"
    s = str(value).strip()
    if not s:
        return None, None
    for rx, order in ((_ISO_RE, (1, 2, 3)), (_DMY_RE, (3, 2, 1))):
        m = rx.match(s)
        if m:
            y, mo, d = (int(m.group(i)) for i in order)
            try:
                return dt.date(y, mo, d).isoformat(), None
            except ValueError:
                return None, f"published date {s!r} is not a valid date; ignored"
    try:
        parsed = email.utils.parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed.date().isoformat(), None
    return None, f"published date {s[:40]!r} not understood; ignored"


def _first(rec: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for k in keys:
        v = rec.get(k)
        if v is not None and (not isinstance(v, str) or v.strip()):
            return v
    return None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if host and host.startswith("www."):
        host = host[4:]
    return host or None


def record_item(rec: Any, where: str, *, default_source: str | None = None) -> Item:
    """One JSON/CSV record → an article item (or an error item saying what is missing)."""
    if not isinstance(rec, Mapping):
        return Item(where, error=f"expected an object with a text field, got {type(rec).__name__}")
    # case-insensitive keys: CSV headers and exporters disagree on case
    low = {str(k).strip().lower(): v for k, v in rec.items()} if any(
        isinstance(k, str) and k != k.lower() for k in rec) else rec
    text = _first(low, TEXT_KEYS)
    if text is None:
        has = [k for k in TEXT_KEYS if k in low]
        why = f"empty {has[0]!r} field" if has else "no text field (text, content, body or maintext)"
        return Item(where, error=why)
    if not isinstance(text, str):
        return Item(where, error=f"text field is {type(text).__name__}, not a string")
    if not text.strip():
        return Item(where, error="empty text")
    warnings: list[str] = []
    published, warn = iso_date(_first(low, DATE_KEYS))
    if warn:
        warnings.append(warn)
    url = _first(low, URL_KEYS)
    url = str(url).strip() if url is not None else None
    title = _first(low, TITLE_KEYS)
    source = _first(low, SOURCE_KEYS) or default_source or host_of(url)
    lang = _first(low, LANG_KEYS)
    rid = _first(low, ID_KEYS)
    html = looks_like_html(text)
    art = Article(
        text=text,
        id=str(rid).strip() if rid is not None else article_id(url, text),
        title=str(title).strip() if title is not None else None,
        published=published, url=url,
        source=str(source).strip() if source is not None else None,
        language=str(lang).strip().lower() if lang is not None else None,
    )
    return Item(where, art, html=html, warnings=tuple(warnings))


def text_item(data: bytes, where: str, *, url: str | None = None, source: str | None = None,
              published: str | None = None, title: str | None = None) -> Item:
    """A plain-text (or HTML-in-a-.txt) article file."""
    try:
        dec = decode_bytes(data, where)
    except InputError as exc:
        return Item(where, error=_strip_where(str(exc), where))
    if looks_like_html(dec.text):
        return html_text_item(dec.text, where, url=url, source=source, published=published,
                              warnings=tuple(dec.warnings))
    first_line_title, body = split_title(dec.text)
    if not body.strip():
        return Item(where, error="empty input")
    art = Article(text=body, id=article_id(url, body), title=title or first_line_title, published=published,
                  url=url, source=source or host_of(url))
    return Item(where, art, warnings=tuple(dec.warnings))


def html_item(data: bytes, where: str, **meta: Any) -> Item:
    try:
        dec = decode_bytes(data, where)
    except InputError as exc:
        return Item(where, error=_strip_where(str(exc), where))
    return html_text_item(dec.text, where, warnings=tuple(dec.warnings), **meta)


def html_text_item(html: str, where: str, *, url: str | None = None, source: str | None = None,
                   published: str | None = None, title: str | None = None,
                   warnings: tuple[str, ...] = ()) -> Item:
    """An HTML page; its main text is extracted later, in a worker (trafilatura is slow)."""
    art = Article(text=html, id=article_id(url, html), title=title, published=published, url=url,
                  source=source or host_of(url))
    return Item(where, art, html=True, warnings=warnings)


def _strip_where(msg: str, where: str) -> str:
    """reader's messages start with the name we gave it; the item carries it already."""
    prefix = f"{where}: "
    return msg[len(prefix):] if msg.startswith(prefix) else msg


def json_items(data: bytes, where: str, *, default_source: str | None = None) -> Iterator[Item]:
    """A .json file: one object, or a list of objects (SaudiNewsNet's daily files)."""
    try:
        text = decode_bytes(data, where).text
    except InputError as exc:
        yield Item(where, error=_strip_where(str(exc), where))
        return
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Item(where, error=f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return
    if isinstance(doc, list):
        for i, rec in enumerate(doc):
            yield record_item(rec, f"{where}[{i}]", default_source=default_source)
    elif isinstance(doc, dict) and not any(k in doc for k in TEXT_KEYS) and isinstance(
            doc.get("articles") or doc.get("items"), list):
        key = "articles" if isinstance(doc.get("articles"), list) else "items"
        for i, rec in enumerate(doc[key]):
            yield record_item(rec, f"{where}.{key}[{i}]", default_source=default_source)
    else:
        yield record_item(doc, where, default_source=default_source)


def jsonl_items(lines: Iterable[bytes], where: str, *, default_source: str | None = None) -> Iterator[Item]:
    """A .jsonl file, line by line (streamed: JSONL dumps can be larger than memory)."""
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        loc = f"{where}:{n}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                line = decode_bytes(raw, loc).text
            except InputError as exc:
                yield Item(loc, error=_strip_where(str(exc), loc))
                continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Item(loc, error=f"invalid JSON (column {exc.colno}: {exc.msg})")
            continue
        yield record_item(rec, loc, default_source=default_source)


def csv_items(data: bytes, where: str, *, default_source: str | None = None) -> Iterator[Item]:
    """A .csv (or .tsv) file with a header row naming a text/content/body column."""
    try:
        text = decode_bytes(data, where).text
    except InputError as exc:
        yield Item(where, error=_strip_where(str(exc), where))
        return
    sample = text[:65536]
    try:
        dialect: Any = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        yield Item(where, error=f"unreadable CSV header: {exc}")
        return
    if not any(h in TEXT_KEYS for h in header):
        yield Item(where, error=f"CSV header has no text column (want one of text, content, body); got {', '.join(header[:8]) or 'nothing'}")
        return
    line = reader.line_num  # the header's last line
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Item(f"{where}:{reader.line_num}", error=f"malformed CSV row: {exc}")
            return
        loc = f"{where}:{line + 1}"
        line = reader.line_num
        if None in row:  # more cells than header fields
            row.pop(None)
        yield record_item(row, loc, default_source=default_source)
