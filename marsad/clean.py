"""Cleaning: drop scraping artifacts and fix Unicode, remembering where every kept piece was.

The result's ``text`` is what all offsets in an Analysis refer to.  ``to_raw`` maps an offset
in the cleaned text back to the raw input, so a user can find a span in the original file.
What we change: artifact lines and inline markers (patterns in the language's
``artifacts.yaml``), Arabic presentation forms (ﻻ → لا), zero-width and bidi control
characters, non-breaking and odd spaces, Windows line ends, trailing spaces and runs of
blank lines.  What we keep as written: letters, digits and quote marks, so that a quote's
text is verbatim; the matching layer folds digits and quote marks instead.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from marsad.lang.base import Language

# zero-width, bidi controls, BOM, soft hyphen, other C0/C1 controls except \n and \t
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_ODD_SPACE = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_CHAR_RE = re.compile(
    f"[{_INVISIBLE}{_CONTROLS}]|[{_ODD_SPACE}\t]|[\ufb50-\ufdff\ufe70-\ufeff]"
)


_LINE_RE = re.compile(r"[^\n\r]*(?:\r\n|\n|\r)?")


@dataclass(frozen=True)
class Cleaned:
    text: str
    # (clean_start, raw_start) at the start of every copied run; see to_raw()
    _runs: tuple[tuple[int, int], ...]
    removed_lines: tuple[str, ...]

    def to_raw(self, offset: int) -> int:
        """Offset in the raw input of the character at ``offset`` in the cleaned text."""
        starts = [c for c, _ in self._runs]
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        c, r = self._runs[i]
        return r + (offset - c)


@lru_cache(maxsize=8)
def _patterns(lang: Language) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    data = lang.data("artifacts.yaml") or {}
    lines = data.get("lines") or []
    inline = data.get("inline") or []
    line_re = re.compile("^(?:" + "|".join(f"(?:{p})" for p in lines) + r")\s*$", re.I) if lines else re.compile("(?!)")
    inline_re = re.compile("|".join(f"(?:{p})" for p in inline), re.I) if inline else None
    return line_re, inline_re


def _fix_char(ch: str) -> str:
    if "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff":
        if ch == "\ufeff":
            return ""
        return unicodedata.normalize("NFKC", ch)
    if ch == "\t" or ch in "\u00a0\u1680\u202f\u205f\u3000" or "\u2000" <= ch <= "\u200a":
        return " "
    return ""


def clean_text(raw: str, lang: Language) -> Cleaned:
    """Clean ``raw``; never raises on odd input (an empty result is the caller's business)."""
    line_re, inline_re = _patterns(lang)
    pieces: list[str] = []
    runs: list[tuple[int, int]] = []
    removed: list[str] = []
    out_len = 0
    blank_run = 0

    def emit(s: str, raw_pos: int) -> None:
        nonlocal out_len
        if not s:
            return
        runs.append((out_len, raw_pos))
        pieces.append(s)
        out_len += len(s)

    for m in _LINE_RE.finditer(raw):
        line = m.group()
        if not line:
            continue
        raw_start = m.start()
        body = line.rstrip("\r\n")
        stripped = _CHAR_RE.sub(lambda x: " " if x.group() in _ODD_SPACE + "\t" else "", body).strip()
        if stripped and line_re.match(stripped):
            removed.append(stripped)
            continue
        if inline_re is not None and inline_re.search(body):
            body_pieces = _split_keep(body, inline_re)
        else:
            body_pieces = [(0, body)]
        # character-level fixes, tracking raw positions
        line_out: list[tuple[str, int]] = []
        for off, seg in body_pieces:
            pos = 0
            for cm in _CHAR_RE.finditer(seg):
                if cm.start() > pos:
                    line_out.append((seg[pos:cm.start()], raw_start + off + pos))
                rep = _fix_char(cm.group())
                if rep:
                    line_out.append((rep, raw_start + off + cm.start()))
                pos = cm.end()
            if pos < len(seg):
                line_out.append((seg[pos:], raw_start + off + pos))
        # collapse runs of spaces and strip the line
        text_line = "".join(s for s, _ in line_out)
        if not text_line.strip():
            blank_run += 1
            continue
        if pieces:
            emit("\n", raw_start)
        blank_run = 0
        _emit_collapsed(line_out, emit)
    text = "".join(pieces)
    return Cleaned(text, tuple(runs), tuple(removed))


def _split_keep(body: str, pat: re.Pattern[str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = 0
    for m in pat.finditer(body):
        if m.start() > pos:
            out.append((pos, body[pos:m.start()]))
        pos = m.end()
    if pos < len(body):
        out.append((pos, body[pos:]))
    return out


_MULTI_SPACE = re.compile(r" {2,}")


def _emit_collapsed(line_out: list[tuple[str, int]], emit) -> None:  # type: ignore[no-untyped-def]
    """Emit a line's pieces with leading/trailing spaces stripped and space runs collapsed.

    Most lines have single spaces only and are emitted as one piece (this runs over every
    line of every article, so the common case must be cheap).
    """
    # trim the line's ends
    while line_out and not line_out[0][0].strip():
        line_out.pop(0)
    while line_out and not line_out[-1][0].strip():
        line_out.pop()
    if not line_out:
        return
    s0, r0 = line_out[0]
    lead = len(s0) - len(s0.lstrip(" "))
    line_out[0] = (s0[lead:], r0 + lead)
    s1, r1 = line_out[-1]
    line_out[-1] = (s1.rstrip(" "), r1)
    prev_space = False
    for s, rpos in line_out:
        if prev_space and s.startswith(" "):
            k = len(s) - len(s.lstrip(" "))
            s, rpos = s[k:], rpos + k
        if not s:
            continue
        if "  " in s:
            pos = 0
            for m in _MULTI_SPACE.finditer(s):
                emit(s[pos:m.start() + 1], rpos + pos)
                pos = m.end()
            emit(s[pos:], rpos + pos)
        else:
            emit(s, rpos)
        prev_space = s.endswith(" ")
