"""Arabic normalisation for matching keys.

A *key* is what dictionaries and lexicons are compared on: diacritics and tatweel removed,
hamza-carrying alefs unified (أ إ آ ٱ → ا), ى → ي, ة → ه, Arabic-Indic and Persian digits
→ ASCII, Latin lower-cased.  These are the same folds the reference scorer applies, so a
match here is a match there.  The analysed text itself is never rewritten this way: keys are
computed beside it, and ``key_with_offsets`` says where every key character came from.
"""

from __future__ import annotations

import re

# Harakat, Quranic marks, superscript alef, tatweel.
DIACRITICS_RE = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

_FOLD = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ى": "ي", "ة": "ه",
    # Persian/Urdu letter variants that appear in Arabic news typed on other keyboards
    "ی": "ي", "ک": "ك", "ە": "ه", "ۀ": "ه",
}
for _i in range(10):
    _FOLD[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic digits
    _FOLD[chr(0x06F0 + _i)] = str(_i)  # Extended (Persian) digits

_TABLE = str.maketrans({**_FOLD, **{chr(c): None for c in (
    list(range(0x0610, 0x061B)) + list(range(0x064B, 0x0660)) + [0x0670]
    + list(range(0x06D6, 0x06EE)) + [0x0640])}})

_DROP = frozenset(chr(c) for c in (
    list(range(0x0610, 0x061B)) + list(range(0x064B, 0x0660)) + [0x0670]
    + list(range(0x06D6, 0x06EE)) + [0x0640]))


def normalize_key(s: str) -> str:
    """The matching key of a string (no whitespace change, no punctuation removal)."""
    return s.translate(_TABLE).lower()


def key_with_offsets(s: str) -> tuple[str, list[int]]:
    """The key of ``s`` and, for every key character, its index in ``s``.

    Used when a match starts inside a token (after a stripped clitic) and the original
    offset is needed.  Slower than :func:`normalize_key`; call it only then.
    """
    out: list[str] = []
    idx: list[int] = []
    for i, ch in enumerate(s):
        if ch in _DROP:
            continue
        out.append(_FOLD.get(ch, ch).lower())
        idx.append(i)
    return "".join(out), idx


def has_droppable(s: str) -> bool:
    """True when the key of ``s`` is shorter than ``s`` (diacritics or tatweel present)."""
    return any(ch in _DROP for ch in s)


_SCORER_PUNCT = re.compile(r"[^\w\s]|_")


def compare_key(s: str) -> str:
    """The scorer's comparison form: key, punctuation dropped, spaces collapsed."""
    s = DIACRITICS_RE.sub("", s or "")
    s = re.sub(r"[أإآٱ]", "ا", s).replace("ى", "ي").replace("ة", "ه")
    s = _SCORER_PUNCT.sub(" ", s.lower())
    return " ".join(s.split())
