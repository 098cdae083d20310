#!/usr/bin/env python3
"""Throughput of ``analyze`` on real news: articles per second per core, and peak RSS.

usage: python benchmarks/throughput.py [--data ../shared/data/saudinewsnet] [--n 0]
                                      [--cold 2000] [--no-ner]

Streams SaudiNewsNet's daily zips (not shipped: CC BY-NC-SA) in file order through the full
pipeline (clean → text layer → times → actors (+NER) → quotes → events) in this one process,
i.e. per core: by default the whole corpus (its 30,676 non-empty records; ``--n`` takes the
first N), after 50 untimed articles.  Rates are per CPU second of the process
(time.process_time around each ``analyze`` call), so other jobs on the machine do not
distort them; wall time is recorded too, and so is the CPU time of a fixed pure-Python loop
before and after the run, to compare runs made while the machine was faster or slower.

Reported for all timed articles and for two parts of the run, because they differ for two
reasons the figures keep apart (words per second shows the first):

- articles differ in length: the corpus averages 287 words, its first 2,000 articles 401;
- the first ``--cold`` articles also meet most of the word forms the process has not seen,
  and each new form costs a one-off feature computation (NER emission scores, lexicon start
  index, matching key); later articles mostly find them cached.

Writes benchmarks/results/throughput.json.  Skips with a message when the data is absent.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from snn import DEFAULT_DATA, records  # noqa: E402


def calibration() -> float:
    """CPU seconds of a fixed pure-Python loop: how fast this machine runs Python right now.

    On a shared machine the same run can be 30% slower from one hour to the next even in CPU
    time (a busy neighbour on the same core); this figure, taken before and after, lets two
    results be compared.
    """
    t = time.process_time()
    x = 0
    for i in range(10_000_000):
        x += i
    return round(time.process_time() - t, 3)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--n", type=int, default=0, help="articles to time (default 0: the whole corpus)")
    ap.add_argument("--cold", type=int, default=2000, help="size of the first part of the run")
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
    cal_before = calibration()
    first = 50
    counts = {"actors": 0, "quotes": 0, "events": 0, "times": 0}
    parts = {"all": [0, 0, 0.0, 0.0], "first": [0, 0, 0.0, 0.0], "rest": [0, 0, 0.0, 0.0]}  # n, words, cpu, wall
    empty = 0
    k = 0
    for rec in records(args.data):
        text = rec.get("content") or ""
        if not text.strip():
            empty += 1  # not an article (SaudiNewsNet has 354 empty records)
            continue
        a = Article(text=text, title=rec.get("title"), url=rec.get("url"), source=rec.get("source"),
                    published=(rec.get("date_extracted") or "")[:10] or None)
        if k < first:
            analyze(a, res)
            k += 1
            continue
        w0, c0 = time.perf_counter(), time.process_time()
        r = analyze(a, res)
        c1, w1 = time.process_time(), time.perf_counter()
        counts["actors"] += len(r.actors)
        counts["quotes"] += len(r.quotes)
        counts["events"] += len(r.events)
        counts["times"] += len(r.times)
        words = len(text.split())
        for name in ("all", "first" if k - first < args.cold else "rest"):
            p = parts[name]
            p[0] += 1
            p[1] += words
            p[2] += c1 - c0
            p[3] += w1 - w0
        k += 1
        if args.n and k - first >= args.n:
            break

    def rates(n: int, words: int, cpu: float, wall: float) -> dict[str, float]:
        return {"articles": n, "mean_words": round(words / max(1, n), 1), "cpu_seconds": round(cpu, 2),
                "wall_seconds": round(wall, 2), "articles_per_s_per_core": round(n / cpu, 1) if cpu else None,
                "words_per_s": round(words / cpu) if cpu else None,
                "ms_per_article": round(1000 * cpu / max(1, n), 2)}

    cal_after = calibration()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "all": rates(*parts["all"]),
        f"first_{args.cold}": rates(*parts["first"]),
        "rest": rates(*parts["rest"]),
        "calibration_loop_cpu_s": [cal_before, cal_after],
        "untimed_first": first,
        "empty_records_skipped": empty,
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
