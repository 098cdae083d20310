"""Events (placeholder until the events extractor lands)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marsad.model import Event, Quote, TimeExpr
from marsad.text import Doc


def extract_events(doc: Doc, actors: Any, quotes: list[Quote], times: list[TimeExpr],
                   published: dt.date | None, res: Any) -> list[Event]:
    return []
