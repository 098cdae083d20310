"""WARC files (Common Crawl News, news-please, wget/warcio crawls): HTML responses → items.

Only ``response`` (and ``resource``) records that hold a 2xx HTML or plain-text page are
articles; requests, metadata, redirects and error pages are skipped.  A malformed record is
reported with its number and byte offset, and reading resumes at the next record found
after it (the next gzip member that starts a WARC record in a ``.warc.gz``, the next
``WARC/1.x`` header line otherwise), so one bad record does not cost the rest of the file.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from marsad.sources.items import Item
from marsad.sources.records import html_item, iso_date, text_item

#: Give up on a file after this many malformed records (it is probably not a WARC at all).
MAX_ERRORS = 50
MAX_RECORD = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = b"\nWARC/1."
_CHUNK = 1 << 20
_HTML_TYPES = ("text/html", "application/xhtml+xml")


class _Window:
    """A read-only view of a file from ``start`` on, so that warcio's offsets are relative."""

    def __init__(self, fh: BinaryIO, start: int) -> None:
        self.fh, self.start = fh, start
        fh.seek(start)

    def read(self, n: int = -1) -> bytes:
        return self.fh.read(n)

    def readline(self, n: int = -1) -> bytes:
        return self.fh.readline(n)

    def tell(self) -> int:
        return self.fh.tell() - self.start

    def close(self) -> None:  # the caller owns the file
        pass


def warc_items(fh: BinaryIO, where: str) -> Iterator[Item]:
    """Article items of a WARC file (plain or gzip per record), resuming after bad records."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    fails: tuple[type[BaseException], ...] = (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError,
                                             KeyError, IndexError, UnicodeDecodeError)
    fh.seek(0)
    head = fh.read(8)
    gz = head.startswith(_GZIP_MAGIC[:2])
    if not (_starts_warc_member(fh, 0) if gz else head.startswith(b"WARC/")):
        yield Item(where, error="not a WARC file (no WARC/1.x header at the start)")
        return
    start: int | None = 0
    n = 0
    errors = 0
    while start is not None:
        archive = ArchiveIterator(_Window(fh, start))
        ai = iter(archive)
        last_end = start
        try:
            while True:
                reading = n + 1  # records are numbered from 1 across resyncs
                try:
                    rec = next(ai)
                except StopIteration:
                    return
                n = reading
                item = _record_item(rec, where)  # reads the record's content
                archive.read_to_end()
                off, length = archive.member_info
                if getattr(getattr(rec, "raw_stream", None), "limit", 0) > 0:
                    # the file ends inside this record's block: its content is cut
                    yield Item(f"{where}#{n}@{start + off}", error="truncated WARC record (the file ends inside it)")
                    return
                if item is not None:
                    yield dataclasses.replace(item, where=f"{where}#{n}@{start + off}")
                last_end = start + off + length
        except fails as exc:
            errors += 1
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            at = _skip_blank(fh, last_end)
            yield Item(f"{where}#{reading}@{at}", error=f"malformed WARC record: {reason[:200]}")
        if errors >= MAX_ERRORS:
            yield Item(where, error=f"stopped reading after {errors} malformed records")
            return
        start = _resync(fh, last_end + 1, gz)


def _record_item(rec: Any, where: str) -> Item | None:
    """An item for an article-bearing record, None for every other record."""
    if rec.rec_type not in ("response", "resource", "conversion"):
        return None
    url = rec.rec_headers.get_header("WARC-Target-URI")
    crawl_date, _ = iso_date(rec.rec_headers.get_header("WARC-Date"))
    ctype = ""
    if rec.rec_type == "response":
        if rec.http_headers is None:
            return None
        status = rec.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return None
        ctype = rec.http_headers.get_header("Content-Type") or ""
    else:
        ctype = rec.rec_headers.get_header("Content-Type") or ""
    ctype = ctype.split(";")[0].strip().lower()
    if ctype not in _HTML_TYPES and ctype != "text/plain":
        return None
    data = rec.content_stream().read(MAX_RECORD + 1)
    if len(data) > MAX_RECORD:
        return Item(where, error="record larger than 64 MB; skipped")
    if not data.strip():
        return None
    if ctype == "text/plain":
        item = text_item(data, where, url=url, published=crawl_date)
    else:
        item = html_item(data, where, url=url)
    return dataclasses.replace(item, crawl_date=crawl_date) if item.article is not None else item


def _skip_blank(fh: BinaryIO, pos: int) -> int:
    """The first offset at or after ``pos`` that is not a blank line (records are separated
    by CRLF CRLF, which an uncompressed record's length does not include)."""
    fh.seek(pos)
    buf = fh.read(64)
    return pos + (len(buf) - len(buf.lstrip(b"\r\n")))


def _resync(fh: BinaryIO, pos: int, gz: bool) -> int | None:
    """Offset of the next plausible record start at or after ``pos``, or None."""
    while True:
        fh.seek(pos)
        buf = fh.read(_CHUNK + 16)
        if not buf:
            return None
        magic = _GZIP_MAGIC if gz else _WARC_LINE
        i = buf.find(magic)
        while i >= 0:
            cand = pos + i + (0 if gz else 1)
            if not gz or _starts_warc_member(fh, cand):
                return cand
            i = buf.find(magic, i + 1)
        if len(buf) <= _CHUNK:
            return None
        pos += _CHUNK


def _starts_warc_member(fh: BinaryIO, pos: int) -> bool:
    """Does a gzip member that decompresses to a WARC header start at ``pos``?"""
    here = fh.tell()
    try:
        fh.seek(pos)
        d = zlib.decompressobj(31)
        out = d.decompress(fh.read(4096), 16)
        return out.startswith(b"WARC/")
    except zlib.error:
        return False
    finally:
        fh.seek(here)
