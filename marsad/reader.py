"""Turning bytes into article text: encodings, binary files, HTML given as text.

Every failure is an :class:`InputError` whose message is one line a user can act on.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from marsad.langid import arabic_ratio

MAX_BYTES = 64 * 1024 * 1024  # refuse inputs above this: no article is this large

_HTML_RE = re.compile(r"<\s*(html|body|head|p|div|article|br|span|meta|title|script)\b[^>]*>", re.I)


class InputError(ValueError):
    """Input that cannot be read as an article (message is one line)."""


@dataclass
class DecodedText:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    title: str | None = None
    published: str | None = None
    url: str | None = None


def decode_bytes(data: bytes, name: str = "input") -> DecodedText:
    """Decode article bytes: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1256."""
    if not data.strip():
        raise InputError(f"{name}: empty input")
    if data.startswith(codecs.BOM_UTF8):
        return DecodedText(_decode_strict(data[3:], "utf-8", name), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return DecodedText(_decode_strict(data, "utf-16", name), "utf-16")
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: binary data (NUL bytes), not text")
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Windows-1256 (Arabic Windows): every byte decodes, so judge by the result.
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    if text and arabic_ratio(text) > 0.5 and _control_ratio(text) < 0.01:
        return DecodedText(text, "cp1256", ["decoded as Windows-1256 (not UTF-8)"])
    if _control_ratio(data.decode("latin-1")) > 0.05:
        raise InputError(f"{name}: binary data, not text")
    raise InputError(
        f"{name}: not valid UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) "
        "and not Windows-1256 Arabic; convert it to UTF-8"
    )


def _decode_strict(data: bytes, enc: str, name: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: invalid {enc} at byte offset {exc.start}") from exc


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0x7F <= ord(ch) < 0xA0)
    return bad / len(sample)


def looks_like_html(text: str) -> bool:
    head = text[:4096].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:20000].lower():
        return True
    return len(_HTML_RE.findall(text[:20000])) >= 3


def html_to_text(html: str, name: str = "input") -> DecodedText:
    """Main text, title and date of an HTML page (trafilatura), artifacts cleaned later."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, include_comments=False, include_tables=False,
                                      favor_precision=True, with_metadata=True)
    body = None
    title = date = url = None
    if doc is not None:
        body = getattr(doc, "text", None) if not isinstance(doc, dict) else doc.get("text")
        get = (lambda k: doc.get(k)) if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
        title, date, url = get("title"), get("date"), get("url")
    if not body or not body.strip():
        raise InputError(f"{name}: HTML page with no extractable article text")
    return DecodedText(body, "html", ["HTML input: main text extracted with trafilatura"], title, date, url)


def read_article_bytes(data: bytes, name: str = "input") -> DecodedText:
    """Bytes of a text or HTML article → text (HTML is reduced to its main text)."""
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: {len(data) // (1024 * 1024)} MB is larger than the {MAX_BYTES // (1024 * 1024)} MB limit")
    dec = decode_bytes(data, name)
    if looks_like_html(dec.text):
        html = html_to_text(dec.text, name)
        html.warnings = dec.warnings + html.warnings
        return html
    return dec


def read_article_file(path: str | Path) -> DecodedText:
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise InputError(f"{p}: is a directory (use 'marsad ingest' for many files)")
        if size > MAX_BYTES:
            raise InputError(f"{p}: {size // (1024 * 1024)} MB is larger than the {MAX_BYTES // (1024 * 1024)} MB limit")
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except PermissionError:
        raise InputError(f"{p}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory (use 'marsad ingest' for many files)") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    return read_article_bytes(data, str(p))


def split_title(text: str) -> tuple[str | None, str]:
    """Take the first line as the title when it looks like one (short, no final period)."""
    stripped = text.lstrip("\ufeff\n\r ")
    first, sep, rest = stripped.partition("\n")
    line = first.strip()
    if not sep or not rest.strip():
        return None, text
    words = line.split()
    if 2 <= len(words) <= 25 and not line.endswith((".", ":", "،")) and len(line) <= 200:
        return line, rest
    return None, text
