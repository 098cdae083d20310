"""Time expressions (placeholder until the times extractor lands)."""

from __future__ import annotations

import datetime as dt

from marsad.model import TimeExpr
from marsad.text import Doc


def extract_times(doc: Doc, published: dt.date | None) -> list[TimeExpr]:
    return []
