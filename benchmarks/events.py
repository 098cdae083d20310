#!/usr/bin/env python3
"""How fast the event stage runs (one core), and what it finds.

usage: python benchmarks/events.py [--n 2000] [--repeat 3] [--data ../shared/data/saudinewsnet] [--json]

Reads the first N articles of SaudiNewsNet (never copied into the repository); cleaning, the
text layer, times, actors and quotes run outside the timed region.  Then it times
``extract_events`` over all of them ``--repeat`` times and reports the best pass, in CPU
time of this process (the machine is shared; wall time under load says little).  The stage's budget is 1 ms per ~300-word article (the whole pipeline
must reach 200 articles/s per core).  Also reported: events per article, by type and mode.
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

from snn import dated_texts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not (args.data / "dataset").is_dir():
        print(f"skipped: SaudiNewsNet not found at {args.data}", file=sys.stderr)
        return

    from marsad.actors import extract_actors
    from marsad.clean import clean_text
    from marsad.events import extract_events
    from marsad.quotes import extract_quotes
    from marsad.resources import load_resources
    from marsad.text import make_doc
    from marsad.times import extract_times

    res = load_resources()
    prepared = []
    words = 0
    for text, pub in dated_texts(args.data, args.n):
        doc = make_doc(clean_text(text, res.lang).text, res.lang)
        words += sum(1 for t in doc.tokens if t.is_word)
        times = extract_times(doc, pub)
        actors = extract_actors(doc, pub, res)
        quotes = extract_quotes(doc, actors, res)
        prepared.append((doc, actors, quotes, times, pub))
    extract_events(prepared[0][0], *prepared[0][1:], res)  # build the lexicon outside the timing
    best = float("inf")
    found: list = []
    for _ in range(args.repeat):
        t0 = time.process_time()  # CPU time of this process: the machine is shared
        found = [extract_events(doc, actors, quotes, times, pub, res) for doc, actors, quotes, times, pub in prepared]
        best = min(best, time.process_time() - t0)
    n = len(prepared)
    types = Counter(e.type for evs in found for e in evs)
    modes = Counter(e.mode for evs in found for e in evs)
    report = {
        "articles": n,
        "words_per_article": round(words / max(1, n), 1),
        "ms_per_article": round(1000 * best / max(1, n), 4),
        "ms_per_300_words": round(1000 * best / max(1, words) * 300, 4),
        "events_per_article": round(sum(types.values()) / max(1, n), 2),
        "types": dict(types.most_common()),
        "modes": dict(modes.most_common()),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{n} articles, {report['words_per_article']} words each: {report['ms_per_article']} ms per article, "
          f"{report['ms_per_300_words']} ms per 300 words (budget 1 ms)")
    print(f"{report['events_per_article']} events per article; types {report['types']}")
    print(f"modes {report['modes']}")


if __name__ == "__main__":
    main()
