"""Reading SaudiNewsNet for the benchmarks: one reader instead of one per script.

The corpus is not shipped (CC BY-NC-SA); benchmarks read it from ../shared.  Records come in
corpus order: the daily zips sorted by name, each zip's JSON members sorted by name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared")) / "data" / "saudinewsnet"


def records(data: Path = DEFAULT_DATA) -> Iterator[dict]:
    """Every record of ``data/dataset/*.zip``, empty ones included."""
    for z in sorted((data / "dataset").glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in sorted(zf.namelist()):
                if name.endswith(".json"):
                    yield from json.loads(zf.read(name).decode("utf-8"))


def texts(data: Path, n: int) -> list[str]:
    """The first ``n`` non-empty article texts."""
    return list(islice((r["content"] for r in records(data) if r.get("content")), n))


def dated_texts(data: Path, n: int) -> list[tuple[str, dt.date]]:
    """The first ``n`` non-empty article texts with the day each was collected (the anchor
    for relative time expressions)."""
    return list(islice(((r["content"], dt.date.fromisoformat(r["date_extracted"][:10]))
                        for r in records(data) if r.get("content")), n))
