"""CAMEO codes: names, Goldstein scores, quad classes and their PLOVER types.

Loaded once from ``marsad/data/cameo.tsv`` (built by scripts/build_cameo.py from the CAMEO
codebook and PLOVER's conversion table).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from marsad.lang.base import parse_tsv


@dataclass(frozen=True, slots=True)
class CameoCode:
    code: str
    name: str
    goldstein: float | None
    quad_class: int
    plover: str | None


@lru_cache(maxsize=1)
def codebook() -> dict[str, CameoCode]:
    text = resources.files("marsad.data").joinpath("cameo.tsv").read_text("utf-8")
    out: dict[str, CameoCode] = {}
    for r in parse_tsv(text):
        g = r["goldstein"]
        out[r["cameo"]] = CameoCode(
            r["cameo"], r["name"], float(g) if g else None, int(r["quad_class"]), r["plover"] or None
        )
    return out


def lookup(code: str) -> CameoCode | None:
    """The entry for ``code``, falling back to its parent (0312 → 031 → 03) when unknown."""
    book = codebook()
    c = code
    while c:
        if c in book:
            return book[c]
        c = c[:-1] if len(c) > 2 else ""
    return None


def goldstein(code: str) -> float | None:
    entry = lookup(code)
    return entry.goldstein if entry else None


def quad_class(code: str) -> int | None:
    entry = lookup(code)
    return entry.quad_class if entry else None
