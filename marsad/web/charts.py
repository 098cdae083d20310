"""Chart series for the pages: query results reshaped into the arrays the page's script draws.

Periods without events are filled in (a month with no events is a zero, not a missing bar),
so that the time axis is even.  The script (static/js/charts.js) only draws: it gets labels,
one array per series and the interface strings from the JSON block of the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marsad.model import MODES
from marsad.queries import QUAD_NAMES

#: Above this many periods, gaps are not filled (a day-by-day timeline over decades).
MAX_FILL = 3000


def _month_range(lo: str, hi: str) -> list[str]:
    y, m = int(lo[:4]), int(lo[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= hi and len(out) <= MAX_FILL:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _week_range(lo: str, hi: str) -> list[str]:
    d = dt.date.fromisocalendar(int(lo[:4]), int(lo[6:8]), 1)
    end = dt.date.fromisocalendar(int(hi[:4]), int(hi[6:8]), 1)
    out = []
    while d <= end and len(out) <= MAX_FILL:
        y, w, _ = d.isocalendar()
        out.append(f"{y}-W{w:02d}")
        d += dt.timedelta(days=7)
    return out


def _day_range(lo: str, hi: str) -> list[str]:
    d, end = dt.date.fromisoformat(lo), dt.date.fromisoformat(hi)
    out = []
    while d <= end and len(out) <= MAX_FILL:
        out.append(d.isoformat())
        d += dt.timedelta(days=1)
    return out


def period_axis(periods: list[str], by: str) -> list[str]:
    """Every period from the first to the last of ``periods`` (sorted, gaps filled)."""
    ps = sorted(set(periods))
    if not ps:
        return []
    try:
        full = {"month": _month_range, "week": _week_range, "day": _day_range}[by](ps[0], ps[-1])
    except (ValueError, KeyError):
        return ps
    if len(full) > MAX_FILL:
        return ps
    return full


def mirrored_series(rows: list[dict[str, Any]], by: str, up: str, down: str) -> dict[str, Any]:
    """Series for a mirrored chart: direction ``up`` above the axis, ``down`` below it.

    ``rows`` are ``queries.timeline`` periods (``period``, ``direction``, ``events``, ``quad``,
    ``modes``, ``goldstein_mean``).  Counts below the axis are negative numbers.
    """
    labels = period_axis([r["period"] for r in rows], by)
    at = {p: i for i, p in enumerate(labels)}
    n = len(labels)

    def zeros() -> list[float]:
        return [0] * n

    quad = {d: {name: zeros() for name in QUAD_NAMES.values()} for d in (up, down)}
    modes = {d: {m: zeros() for m in MODES} for d in (up, down)}
    gold: dict[str, list[float | None]] = {up: [None] * n, down: [None] * n}
    events = {up: zeros(), down: zeros()}
    for r in rows:
        d = r["direction"]
        if d not in events or r["period"] not in at:
            continue
        i = at[r["period"]]
        sign = 1 if d == up else -1
        events[d][i] += r["events"]
        for name, v in (r.get("quad") or {}).items():
            if name in quad[d]:
                quad[d][name][i] += sign * v
        for m, v in (r.get("modes") or {}).items():
            if m in modes[d]:
                modes[d][m][i] += sign * v
        gold[d][i] = r.get("goldstein_mean")
    return {"labels": labels, "up": up, "down": down, "events": events, "quad": quad, "modes": modes,
            "goldstein": gold, "total": sum(sum(v) for v in events.values())}


def dyad_chart(timeline: dict[str, Any]) -> dict[str, Any]:
    """Chart data of a dyad page from ``queries.timeline(store, A, B)``."""
    a, b = timeline["a"], timeline["b"]
    return mirrored_series(timeline["periods"], timeline["by"], f"{a}>{b}", f"{b}>{a}")


def actor_chart(months: list[dict[str, Any]]) -> dict[str, Any]:
    """Chart data of an actor page from ``queries.actor(...)["timeline"]`` (by month and role)."""
    rows = [{"period": r["month"], "direction": r["role"], "events": r["events"], "quad": r["quad"],
             "modes": {}, "goldstein_mean": None} for r in months]
    return mirrored_series(rows, "month", "source", "target")
