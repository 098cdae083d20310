#!/usr/bin/env python3
"""Throughput of ``analyze`` on real news: articles per second per core, and peak RSS.

usage: python benchmarks/throughput.py [--data ../shared/data/saudinewsnet] [--cold 2000]
                                      [--n 2000] [--no-ner]

Reads SaudiNewsNet's daily zips (not shipped: CC BY-NC-SA) in file order and runs the full
pipeline (clean → text layer → times → actors (+NER) → quotes → events) in this one process,
i.e. per core, in two timed phases after 50 untimed articles:

- cold: the next ``--cold`` articles.  Every article brings tens of word types the process
  has not seen, and each costs a feature computation (NER emissions, lexicon start index);
- steady: the ``--n`` articles after those, with the caches of word types filled as in any
  long run (a run over millions of articles spends nearly all its time in this state).

Rates are per CPU second of this one process (time.process_time), i.e. per core, so other
jobs on the machine do not distort them; wall time is recorded too.  Prints both rates and writes benchmarks/results/throughput.json.  Skips with a message when
the data is absent.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from snn import DEFAULT_DATA, records  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=2000, help="articles timed in the steady phase")
    ap.add_argument("--cold", type=int, default=2000, help="articles timed in the cold phase")
    ap.add_argument("--no-ner", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "throughput.json")
    args = ap.parse_args()
    if not (args.data / "dataset").is_dir():
        print(f"skipped: SaudiNewsNet not found at {args.data} (it is not shipped: CC BY-NC-SA)")
        return 0

    from marsad.model import Article
    from marsad.ner import _speedups
    from marsad.pipeline import analyze
    from marsad.resources import load_resources

    compiled = _speedups is not None

    t0 = time.perf_counter()
    res = load_resources(use_ner=not args.no_ner)
    _ = res.ner
    load_s = time.perf_counter() - t0
    first = 50
    recs = list(islice(records(args.data), first + args.cold + args.n))
    arts = [Article(text=r.get("content") or "", title=r.get("title"), url=r.get("url"), source=r.get("source"),
                    published=(r.get("date_extracted") or "")[:10] or None) for r in recs]
    for a in arts[:first]:
        analyze(a, res)
    counts = {"actors": 0, "quotes": 0, "events": 0, "times": 0}

    def phase(batch: list[Article]) -> dict[str, float]:
        words = sum(len(a.text.split()) for a in batch)
        w0, c0 = time.perf_counter(), time.process_time()
        for a in batch:
            r = analyze(a, res)
            counts["actors"] += len(r.actors)
            counts["quotes"] += len(r.quotes)
            counts["events"] += len(r.events)
            counts["times"] += len(r.times)
        wall, dt = time.perf_counter() - w0, time.process_time() - c0
        return {"articles": len(batch), "mean_words": round(words / max(1, len(batch)), 1),
                "cpu_seconds": round(dt, 2), "wall_seconds": round(wall, 2),
                "articles_per_s_per_core": round(len(batch) / dt, 1),
                "words_per_s": round(words / dt), "ms_per_article": round(1000 * dt / max(1, len(batch)), 2)}

    cold = phase(arts[first:first + args.cold])
    steady = phase(arts[first + args.cold:])
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "cold": cold,
        "steady": steady,
        "peak_rss_mb": round(rss_mb, 1),
        "resource_load_s": round(load_s, 2),
        "ner": not args.no_ner,
        "compiled_viterbi": compiled,
        "extracted": counts,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
