"""Language packages.  Everything that knows a language lives under ``lang/<code>/``.

The extractors are generic and receive a :class:`Language`; adding a language means adding
a folder with the same functions and data files, not changing the extractors.
"""

from __future__ import annotations

from importlib import import_module

from marsad.lang.base import Language


def get_language(code: str = "ar") -> Language:
    """Load the language package for ``code`` (only ``ar`` ships today)."""
    try:
        mod = import_module(f"marsad.lang.{code}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"no language package for {code!r}") from exc
    return mod.LANGUAGE


__all__ = ["Language", "get_language"]
