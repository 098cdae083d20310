#!/usr/bin/env python3
"""The actor dictionary's cost: loading it, and matching it against real news.

usage: python benchmarks/kb.py [--n 2000] [--repeat 3] [--data ../shared/data/saudinewsnet] [--json]

Reports the size of the dictionary (entries, aliases), the time to load the shipped files
once per process (YAML parsing and compiling the matchers) and again with a user file on
top, and the time to run the alias and adjective matchers over the first N SaudiNewsNet
articles (never copied into the repository; the text layer is built outside the timed
region, best of --repeat passes).  The whole pipeline's budget is 5 ms per article (200
articles/s per core); dictionary matching should stay well under 1 ms.  Skips with a
message (exit 0) when the data is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from snn import texts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from marsad.kb import load_kb
    from marsad.text import make_doc

    kb = load_kb()
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        user = Path(tmp) / "mine.yaml"
        user.write_text("- {id: my-actor, name: Mine, type: ORG, country: SAU, ar: [منظمتي]}\n", encoding="utf-8")
        t0 = time.perf_counter()
        load_kb([user])
        reload_s = time.perf_counter() - t0
    n_alias = sum(len(e.ar) + len(e.ambiguous) + len(e.capitals) for e in kb.entries.values())
    n_adj = sum(len(e.adjectives) for e in kb.entries.values())
    report: dict[str, object] = {
        "entries": len(kb), "aliases": n_alias, "adjective_forms": n_adj,
        "load_s": round(load_s, 3), "load_with_user_file_s": round(reload_s, 3),
    }
    if not (args.data / "dataset").is_dir():
        print(f"{args.data} not found: matching not measured", file=sys.stderr)
    else:
        arts = texts(args.data, args.n)
        docs = [make_doc(t, kb.lang) for t in arts]
        words = sum(sum(1 for t in d.tokens if t.is_word) for d in docs)
        best = float("inf")
        hits = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            hits = 0
            for d in docs:
                hits += len(kb.matcher.find_all(d)) + len(kb.adjective_matcher.find_all(d))
            best = min(best, time.perf_counter() - t0)
        report.update({
            "articles": len(docs), "words_per_article": round(words / max(1, len(docs))),
            "match_ms_per_article": round(1000 * best / max(1, len(docs)), 3),
            "hits_per_article": round(hits / max(1, len(docs)), 1),
        })
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for k, v in report.items():
            print(f"{k:24} {v}")


if __name__ == "__main__":
    main()
