"""The web interface's text: one YAML file of strings per interface language.

Pages never hold English words of their own; they call ``t("key")`` so that a translation is
a new ``strings/<lang>.yaml`` with the same keys.  A key missing from a translation falls back
to English; a key missing from English is a bug (the tests check every key the templates use).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

DEFAULT_LANG = "en"


class Strings:
    """Interface strings of one language, with English as the fallback."""

    def __init__(self, table: dict[str, str], fallback: dict[str, str] | None = None, lang: str = DEFAULT_LANG):
        self.table = table
        self.fallback = fallback or {}
        self.lang = lang

    def __call__(self, key: str, **fields: Any) -> str:
        text = self.table.get(key)
        if text is None:
            text = self.fallback.get(key)
        if text is None:
            return key  # visible in the page, and caught by the template test
        return text.format(**fields) if fields else text

    def __contains__(self, key: str) -> bool:
        return key in self.table or key in self.fallback

    def subset(self, prefix: str) -> dict[str, str]:
        """Every string under ``prefix.`` (for the charts' labels, handed to the page's script)."""
        keys = {k for k in (*self.fallback, *self.table) if k.startswith(prefix + ".")}
        return {k[len(prefix) + 1:]: self(k) for k in sorted(keys)}


def available_languages() -> list[str]:
    folder = resources.files("marsad.web").joinpath("strings")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _read(lang: str) -> dict[str, str]:
    path = resources.files("marsad.web").joinpath("strings", f"{lang}.yaml")
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"strings/{lang}.yaml must map keys to plain strings")
    return {str(k): v for k, v in data.items()}


@lru_cache(maxsize=8)
def load_strings(lang: str = DEFAULT_LANG) -> Strings:
    """The strings of ``lang`` (``en``, or any strings/<lang>.yaml shipped)."""
    if lang not in available_languages():
        raise ValueError(f"no interface strings for {lang!r} (have: {', '.join(available_languages())})")
    english = _read(DEFAULT_LANG)
    if lang == DEFAULT_LANG:
        return Strings(english, None, lang)
    return Strings(_read(lang), english, lang)
