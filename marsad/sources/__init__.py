"""Where articles come from: files, folders, archives, WARC crawls and feeds.

``iter_sources(["corpus/", "dump.jsonl", "https://site/feed.xml"])`` yields :class:`Item` s
in a stable order (folders are walked sorted), each either an article or an error with the
exact place it came from.  Reading never raises for bad input: an unreadable file, a
malformed JSONL line, a truncated zip or a broken WARC record becomes an error item and
the rest continues.

Formats by extension: ``.txt`` (first line is the title when it looks like one; a .txt
whose every line is a URL is a list of feeds), ``.html``/``.htm``, ``.json`` (an object,
or a list of objects), ``.jsonl``/``.ndjson``, ``.csv``/``.tsv``, ``.zip`` (of any of
these), ``.warc``/``.warc.gz``, and ``http(s)://`` feed URLs.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from marsad.reader import MAX_BYTES, InputError, decode_bytes
from marsad.sources.archives import zip_items
from marsad.sources.items import Item
from marsad.sources.records import (
    csv_items,
    html_item,
    iso_date,
    json_items,
    jsonl_items,
    record_item,
    text_item,
)
from marsad.sources.warc import warc_items

__all__ = ["Item", "is_url", "iter_source", "iter_sources", "iso_date", "kind_of", "read_feed_list",
           "record_item"]

#: Structured files read whole (JSON arrays, CSV) may be this large; JSONL is streamed.
MAX_STRUCTURED = 1024 * 1024 * 1024

_KINDS = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".csv": "csv", ".tsv": "csv",
    ".zip": "zip", ".warc": "warc", ".arc": "warc",
}
_URL_RE = re.compile(r"^https?://\S+$", re.I)

KnownFn = Callable[[list[str]], set[str]]


def is_url(s: str) -> bool:
    return bool(_URL_RE.match(s.strip()))


def kind_of(name: str) -> str | None:
    """The format of a file by its name (``.warc.gz`` included), None if unsupported."""
    low = name.lower()
    if low.endswith((".warc.gz", ".arc.gz")):
        return "warc"
    return _KINDS.get(os.path.splitext(low)[1])


def iter_sources(sources: Sequence[str | os.PathLike[str]], *, fetcher: Any = None,
                 is_known: KnownFn | None = None) -> Iterator[Item]:
    """Items of every source, in the order given."""
    for src in sources:
        yield from iter_source(src, fetcher=fetcher, is_known=is_known)


def iter_source(src: str | os.PathLike[str], *, fetcher: Any = None,
                is_known: KnownFn | None = None) -> Iterator[Item]:
    s = os.fspath(src)
    if is_url(s):
        yield from _feed_items([s], s, fetcher, is_known)
        return
    p = Path(s)
    try:
        if p.is_dir():
            yield from _walk(p, fetcher, is_known)
            return
        if not p.exists():
            yield Item(s, error="no such file or directory")
            return
    except OSError as exc:
        yield Item(s, error=_os_reason(exc))
        return
    yield from _file_items(p, kind_of(p.name) or "text", fetcher, is_known)


def _walk(root: Path, fetcher: Any, is_known: KnownFn | None) -> Iterator[Item]:
    """Every supported file under ``root`` (sorted, hidden files and folders skipped)."""
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=False):
        while errors:
            e = errors.pop(0)
            yield Item(str(e.filename or dirpath), error=_os_reason(e))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            kind = kind_of(name)
            if kind is None:
                continue
            yield from _file_items(Path(dirpath) / name, kind, fetcher, is_known, in_folder=True)
    while errors:
        e = errors.pop(0)
        yield Item(str(e.filename or root), error=_os_reason(e))


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read: {exc.strerror or exc}"


def _open(path: Path) -> IO[bytes] | Item:
    try:
        return open(path, "rb")  # closed by the caller
    except OSError as exc:
        return Item(str(path), error=_os_reason(exc))


def _read(path: Path, limit: int) -> bytes | Item:
    try:
        size = path.stat().st_size
        if size > limit:
            return Item(str(path), error=f"{size // (1024 * 1024)} MB is larger than the "
                                         f"{limit // (1024 * 1024)} MB limit for this kind of file")
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        return Item(str(path), error=_os_reason(exc))


def _file_items(path: Path, kind: str, fetcher: Any, is_known: KnownFn | None,
                in_folder: bool = False) -> Iterator[Item]:
    where = str(path)
    if kind in ("jsonl", "warc", "zip"):
        fh = _open(path)
        if isinstance(fh, Item):
            yield fh
            return
        with fh:
            try:
                if kind == "jsonl":
                    yield from jsonl_items(fh, where)
                elif kind == "warc":
                    yield from warc_items(fh, where)
                else:
                    yield from zip_items(fh, where, _member_items)
            except OSError as exc:
                yield Item(where, error=_os_reason(exc))
        return
    data = _read(path, MAX_STRUCTURED if kind in ("json", "csv") else MAX_BYTES)
    if isinstance(data, Item):
        yield data
        return
    # a .txt of URLs named on the command line (or a feeds.txt anywhere) is a list of feeds
    if kind == "text" and (not in_folder or path.name.lower() == "feeds.txt"):
        urls = _feed_list(data)
        if urls:
            yield from _feed_items(urls, where, fetcher, is_known)
            return
    yield from _bytes_items(kind, data, where)


def _bytes_items(kind: str, data: bytes, where: str) -> Iterator[Item]:
    if kind == "text":
        yield text_item(data, where)
    elif kind == "html":
        yield html_item(data, where)
    elif kind == "json":
        yield from json_items(data, where)
    elif kind == "jsonl":
        yield from jsonl_items(data.splitlines(), where)
    elif kind == "csv":
        yield from csv_items(data, where)
    elif kind == "warc":
        yield from warc_items(io.BytesIO(data), where)
    elif kind == "zip":
        yield from zip_items(io.BytesIO(data), where, _member_items)


def _member_items(name: str, data: bytes, where: str) -> Iterator[Item]:
    """A zip member: by its extension; members of other types are skipped."""
    kind = kind_of(name)
    if kind is None:
        return
    if not data.strip():
        yield Item(where, error="empty input")
        return
    yield from _bytes_items(kind, data, where)


def _feed_list(data: bytes) -> list[str] | None:
    """The URLs of a feeds.txt (every non-comment line a URL), else None."""
    try:
        text = decode_bytes(data).text
    except InputError:
        return None
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if lines and all(is_url(ln) for ln in lines):
        return lines
    return None


def read_feed_list(path_or_url: str) -> list[str]:
    """Feed URLs from a feeds.txt, or the URL itself; InputError when it is neither."""
    if is_url(path_or_url):
        return [path_or_url.strip()]
    p = Path(path_or_url)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: {_os_reason(exc)}") from None
    urls = _feed_list(data)
    if not urls:
        raise InputError(f"{p}: not a list of feed URLs (one http(s):// URL per line, # for comments)")
    return urls


def _feed_items(urls: Iterable[str], where: str, fetcher: Any, is_known: KnownFn | None) -> Iterator[Item]:
    from marsad import feeds

    own = fetcher is None
    f = fetcher or feeds.Fetcher()
    try:
        for url in urls:
            yield from feeds.feed_items(url, f, is_known=is_known)
    finally:
        if own:
            f.close()
