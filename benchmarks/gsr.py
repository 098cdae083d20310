"""Sentence-level PROTEST and ASSAULT detection on the OEDA Arabic event gold (arabic_event_gsr).

Each labelled sentence of ``protest_gsr.csv`` / ``assault_gsr.csv`` goes through the real
pipeline stages (clean → text layer → times → actors → quotes → events); the sentence
"detects" a type when the extractor finds an event of that type in it, with any actors
(unknown ones included), reported as taking place in that sentence (the extractor's
``occurrences_only``: not a background mention such as "منذ اغتيال الحريري") and with a
mode that says it happened (asserted or claimed: a denied, negated, future or
hypothetical protest did not take place).  Labels: "yes" is
positive, "easy no" and "difficult no" negative, "ambiguous" is left out.

We hold only half of the OEDA sentences (the other half is kept for evaluation), and split
that half again, fixed by a hash of the sentence id, into a *tune* part (looked at while
writing the lexicon) and a *check* part (only ever scored).  Both are reported.

    python benchmarks/gsr.py                     # table for both types and both parts
    python benchmarks/gsr.py --json
    python benchmarks/gsr.py --errors protest    # false positives/negatives of the tune part

Skips with a message (exit 0) when ../shared/data/arabic_event_gsr is absent.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.actors import extract_actors  # noqa: E402
from marsad.clean import clean_text  # noqa: E402
from marsad.events import extract_events  # noqa: E402
from marsad.quotes import extract_quotes  # noqa: E402
from marsad.resources import Resources, load_resources  # noqa: E402
from marsad.text import make_doc  # noqa: E402
from marsad.times import extract_times  # noqa: E402

TYPES = {"protest": "PROTEST", "assault": "ASSAULT"}
HAPPENED = ("asserted", "claimed")


def default_data_dir() -> Path:
    shared = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
    return shared / "data" / "arabic_event_gsr"


def part_of(sentence_id: str) -> str:
    """The fixed split: the first byte of the id's SHA-1, even → tune, odd → check."""
    return "tune" if hashlib.sha1(sentence_id.encode("utf-8")).digest()[0] % 2 == 0 else "check"


def load_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r.get("label") in ("yes", "easy no", "difficult no")]


def detected_types(text: str, res: Resources) -> set[str]:
    """PLOVER types of the events the pipeline finds in one sentence (reported as happening)."""
    cleaned = clean_text(text, res.lang).text
    if not cleaned.strip():
        return set()
    doc = make_doc(cleaned, res.lang)
    times = extract_times(doc, None)
    actors = extract_actors(doc, None, res)
    quotes = extract_quotes(doc, actors, res)
    events = extract_events(doc, actors, quotes, times, None, res, keep_unknown=True, occurrences_only=True)
    return {e.type for e in events if e.mode in HAPPENED}


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def run(data_dir: Path, res: Resources, errors: str | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, ptype in TYPES.items():
        rows = load_rows(data_dir / f"{name}_gsr.csv")
        counts = {part: [0, 0, 0] for part in ("tune", "check", "all")}
        t0 = time.perf_counter()
        for r in rows:
            gold = r["label"] == "yes"
            hit = ptype in detected_types(r["text"], res)
            part = part_of(r["id"])
            for p in (part, "all"):
                c = counts[p]
                if hit and gold:
                    c[0] += 1
                elif hit:
                    c[1] += 1
                elif gold:
                    c[2] += 1
            if errors == name and part == "tune" and hit != gold:
                print(f"{'FP' if hit else 'FN'} [{r['label']}] {r['text'][:300]}")
        secs = time.perf_counter() - t0
        report[ptype] = {p: prf(*c) for p, c in counts.items()}
        report[ptype]["sentences"] = len(rows)
        report[ptype]["ms_per_sentence"] = round(1000 * secs / max(1, len(rows)), 3)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="arabic_event_gsr folder")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--errors", choices=sorted(TYPES), help="print the tune part's errors for one type")
    args = ap.parse_args(argv)
    data = args.data or default_data_dir()
    if not (data / "protest_gsr.csv").is_file() or not (data / "assault_gsr.csv").is_file():
        print(f"skipped: no arabic_event_gsr data at {data}", file=sys.stderr)
        return 0
    res = load_resources()
    report = run(data, res, args.errors)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{'type':8s} {'part':6s} {'P':>6s} {'R':>6s} {'F1':>6s}   counts")
    for ptype, parts in report.items():
        for part in ("tune", "check", "all"):
            v = parts[part]
            print(f"{ptype:8s} {part:6s} {v['p']:6.3f} {v['r']:6.3f} {v['f1']:6.3f}   "
                  f"tp={v['tp']} fp={v['fp']} fn={v['fn']}")
        print(f"{ptype:8s} {parts['sentences']} sentences, {parts['ms_per_sentence']} ms per sentence")
    return 0


if __name__ == "__main__":
    sys.exit(main())
