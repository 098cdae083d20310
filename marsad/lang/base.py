"""The interface a language package provides to the generic pipeline."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back when libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


@dataclass(frozen=True)
class Language:
    """Functions and data of one language, handed to every extractor."""

    code: str
    package: str  # e.g. "marsad.lang.ar"; data files live in <package>/data/
    normalize_key: Callable[[str], str]
    key_with_offsets: Callable[[str], tuple[str, list[int]]]
    prefix_variants: Callable[[str], tuple[tuple[int, str], ...]]
    suffix_variants: Callable[[str], tuple[str, ...]]
    strip_article: Callable[[str], str]
    sentence_end: str = ".!?؟"
    # Quote marks: directional pairs, and marks that may open or close (writers mix “ and ”).
    quote_pairs: tuple[tuple[str, str], ...] = (("«", "»"), ("‹", "›"))
    quote_toggles: str = "\"“”„‟″"
    abbreviations: frozenset[str] = frozenset()

    def data_text(self, name: str) -> str:
        """Text of a data file shipped in the language package."""
        return resources.files(self.package).joinpath("data", name).read_text("utf-8")

    def data(self, name: str) -> Any:
        """A parsed data file (.yaml/.yml/.json, or .tsv as a list of row dicts)."""
        text = self.data_text(name)
        if name.endswith((".yaml", ".yml")):
            return load_yaml(text)
        if name.endswith(".json"):
            return json.loads(text)
        if name.endswith(".tsv"):
            return parse_tsv(text)
        return text

    @cached_property
    def cache(self) -> dict[str, Any]:
        """Per-language memo for compiled lexicons (filled by the extractors)."""
        return {}


def parse_tsv(text: str) -> list[dict[str, str]]:
    """Rows of a TSV with a header line; lines starting with # and blank lines are skipped."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.rstrip("\n").split("\t")
        if header is None:
            header = cells
            continue
        rows.append({h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(header)})
    return rows
