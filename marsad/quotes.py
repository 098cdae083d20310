"""Quotes (placeholder until the quotes extractor lands)."""

from __future__ import annotations

from typing import Any

from marsad.model import Quote
from marsad.text import Doc


def extract_quotes(doc: Doc, actors: Any, res: Any) -> list[Quote]:
    return []
