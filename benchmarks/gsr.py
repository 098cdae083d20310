"""Sentence-level PROTEST and ASSAULT detection on the OEDA Arabic event gold (arabic_event_gsr).

Each labelled sentence of ``protest_gsr.csv`` / ``assault_gsr.csv`` goes through the
pipeline exactly as ``marsad analyze`` runs it (``pipeline.analyze``), with one switch:
``keep_unknown=True`` keeps events none of whose actors is known (most OEDA sentences name
"gunmen" or "protesters", which the event store cannot place).  The sentence "detects" a
type when the analysis has an event of that type that counts as an occurrence
(``occurrence.is_occurrence``): mode asserted or claimed (a denied, negated, future or
hypothetical protest did not take place) and ``confidence`` at or above the type's
threshold in the shipped occurrence model.  Labels: "yes" is positive, "easy no" and
"difficult no" negative, "ambiguous" is left out.

We hold only half of the OEDA sentences (the other half is kept for evaluation), and split
that half again, fixed by a hash of the sentence id, into a *tune* part and a *check* part.
The shipped occurrence model was trained on all of our half (scripts/train_occurrence.py),
so the figures here are in-sample; the out-of-sample estimates (cross-validation grouped by
document, and tune→check / check→tune) are recorded in the model file and printed below the
table.  ``--baseline`` scores the extractor without the occurrence model (any asserted or
claimed event of the type).

    python benchmarks/gsr.py                     # table for both types and both parts
    python benchmarks/gsr.py --json
    python benchmarks/gsr.py --errors protest    # false positives/negatives of the tune part
    python benchmarks/gsr.py --baseline          # the extractor alone

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

from marsad import occurrence  # noqa: E402
from marsad.model import Article  # noqa: E402
from marsad.pipeline import analyze  # noqa: E402
from marsad.resources import Resources, load_resources  # noqa: E402

TYPES = {"protest": "PROTEST", "assault": "ASSAULT"}
HAPPENED = ("asserted", "claimed")


def default_data_dir() -> Path:
    shared = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
    return shared / "data" / "arabic_event_gsr"


def has_data(data_dir: Path) -> bool:
    """Whether ``data_dir`` holds the labelled sentences of every type (``<name>_gsr.csv``)."""
    return all((data_dir / f"{name}_gsr.csv").is_file() for name in TYPES)


def part_of(sentence_id: str) -> str:
    """The fixed split: the first byte of the id's SHA-1, even → tune, odd → check."""
    return "tune" if hashlib.sha1(sentence_id.encode("utf-8")).digest()[0] % 2 == 0 else "check"


def load_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [r for r in csv.DictReader(f) if r.get("label") in ("yes", "easy no", "difficult no")]


def detected_types(text: str, res: Resources, baseline: bool = False) -> set[str]:
    """PLOVER types the pipeline reports as taking place in one sentence."""
    if not text.strip():
        return set()
    a = analyze(Article(text=text), res, force_language=True, keep_unknown=True)
    model = occurrence.load_model(res.lang)
    if baseline or model is None:
        return {e.type for e in a.events if e.mode in occurrence.HAPPENED}
    return {e.type for e in a.events if occurrence.is_occurrence(e.type, e.mode, e.confidence, model)}


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3), "tp": tp, "fp": fp, "fn": fn}


def run(data_dir: Path, res: Resources, errors: str | None = None, baseline: bool = False) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for name, ptype in TYPES.items():
        rows = load_rows(data_dir / f"{name}_gsr.csv")
        counts = {part: [0, 0, 0] for part in ("tune", "check", "all")}
        t0 = time.perf_counter()
        for r in rows:
            gold = r["label"] == "yes"
            hit = ptype in detected_types(r["text"], res, baseline)
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
    ap.add_argument("--baseline", action="store_true", help="the extractor without the occurrence model")
    args = ap.parse_args(argv)
    data = args.data or default_data_dir()
    if not has_data(data):
        print(f"skipped: no arabic_event_gsr data at {data}", file=sys.stderr)
        return 0
    res = load_resources()
    report = run(data, res, args.errors, args.baseline)
    model = occurrence.load_model(res.lang)
    if model is not None and not args.baseline:
        report["model"] = {t: {"threshold": model.thresholds.get(t), **(model.info.get("evaluation", {}).get(t) or {})}
                           for t in TYPES.values()}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{'type':8s} {'part':6s} {'P':>6s} {'R':>6s} {'F1':>6s}   counts")
    for ptype in TYPES.values():
        parts = report[ptype]
        for part in ("tune", "check", "all"):
            v = parts[part]
            print(f"{ptype:8s} {part:6s} {v['p']:6.3f} {v['r']:6.3f} {v['f1']:6.3f}   "
                  f"tp={v['tp']} fp={v['fp']} fn={v['fn']}")
        print(f"{ptype:8s} {parts['sentences']} sentences, {parts['ms_per_sentence']} ms per sentence")
    if "model" in report:
        print("occurrence model (trained on all of the above; out-of-sample estimates from its training record):")
        for ptype, e in report["model"].items():
            cv, tc, ct = e.get("cross_validated", {}), e.get("tune_to_check", {}), e.get("check_to_tune", {})
            print(f"{ptype:8s} threshold {e['threshold']}: cross-validated F1 {cv.get('f1')} (P {cv.get('p')} "
                  f"R {cv.get('r')}); trained on tune, scored on check F1 {tc.get('f1')}; check→tune F1 {ct.get('f1')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
