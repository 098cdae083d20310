#!/usr/bin/env python3
"""How fast the quote stage runs (one core), and how much it finds.

usage: python benchmarks/quotes.py [--n 2000] [--repeat 5] [--data ../shared/data/saudinewsnet] [--json]

Reads the first N articles of SaudiNewsNet (never copied into the repository), cleans them,
builds their Docs and finds their actors outside the timed region, then times
``extract_quotes(doc, actors, res)`` over all of them ``--repeat`` times and reports the
best pass (the machine is shared; the best pass is the least disturbed one).  The stage's
budget is 0.5 ms per ~300-word article (the whole pipeline must reach 200 articles/s per
core).  The first pass also warms the matchers' per-word caches, as a long ingest would.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from snn import texts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not (args.data / "dataset").is_dir():
        print(f"skipped: SaudiNewsNet not found at {args.data}", file=sys.stderr)
        return

    from marsad.actors import extract_actors
    from marsad.clean import clean_text
    from marsad.quotes import extract_quotes
    from marsad.resources import load_resources
    from marsad.text import make_doc

    res = load_resources()
    docs = []
    for text in texts(args.data, args.n):
        doc = make_doc(clean_text(text, res.lang).text, res.lang)
        docs.append((doc, extract_actors(doc, None, res)))
    words = sum(sum(1 for t in d.tokens if t.is_word) for d, _ in docs)
    found: list = []
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        t0 = time.process_time()
        found = [extract_quotes(d, ix, res) for d, ix in docs]
        best = min(best, time.process_time() - t0)
    n = len(docs)
    quotes = [q for qs in found for q in qs]
    report = {
        "articles": n,
        "words_per_article": round(words / n, 1),
        "ms_per_article": round(best / n * 1e3, 4),
        "ms_per_300_words": round(best / words * 300 * 1e3, 4),
        "articles_per_s": round(n / best, 1),
        "quotes_per_article": round(len(quotes) / n, 2),
        "by_kind": dict(Counter(q.kind for q in quotes).most_common()),
        "with_speaker": round(sum(q.speaker is not None for q in quotes) / max(1, len(quotes)), 3),
        "speaker_is_actor": round(sum(bool(q.speaker and q.speaker.actor_id) for q in quotes)
                                  / max(1, len(quotes)), 3),
        "relayed": sum(q.via is not None for q in quotes),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    for k, v in report.items():
        print(f"{k:>20}: {v}")


if __name__ == "__main__":
    main()
