#!/usr/bin/env python3
"""How fast the statistical NER tags news articles (one core).

usage: python benchmarks/ner.py [--n 1000] [--data ../shared/data/saudinewsnet] [--json]

Reads the first N articles of SaudiNewsNet (never copied into the repository), builds their
Docs outside the timed region, then times ``NerModel.tag(doc)`` over all of them twice: the
first pass fills the per-token-type caches (cold), the second is the steady state of a long
ingest (warm).  Rates are per CPU second of this process (time.process_time), so other jobs
on the machine do not distort them.  The pipeline's budget is 200 articles/s for everything, so NER should stay
near 2 ms per ~300-word article (about 150k tokens/s).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from snn import texts  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "saudinewsnet")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not (args.data / "dataset").is_dir():
        print(f"skipped: SaudiNewsNet not found at {args.data}", file=sys.stderr)
        return

    from marsad.clean import clean_text
    from marsad.lang import get_language
    from marsad.ner import load_default_model
    from marsad.text import make_doc

    t0 = time.perf_counter()
    model = load_default_model()
    load_s = time.perf_counter() - t0
    if model is None:
        print("skipped: no NER model shipped (make ner-model)", file=sys.stderr)
        return
    lang = get_language("ar")
    docs = [make_doc(clean_text(t, lang).text, lang) for t in texts(args.data, args.n)]
    ntok = sum(len(d.tokens) for d in docs)
    nwords = sum(sum(t.is_word for t in d.tokens) for d in docs)
    res: dict = {"articles": len(docs), "tokens": ntok, "words_per_article": round(nwords / len(docs)),
                 "load_seconds": round(load_s, 2)}
    nent = 0
    for phase in ("cold", "warm"):
        t0, c0 = time.perf_counter(), time.process_time()
        nent = sum(len(model.tag(d)) for d in docs)
        # CPU time of this process: the per-core figure, robust to other jobs on the machine
        dt, wall = time.process_time() - c0, time.perf_counter() - t0
        res[phase] = {"articles_per_s": round(len(docs) / dt), "tokens_per_s": round(ntok / dt),
                      "ms_per_article": round(1000 * dt / len(docs), 3), "wall_seconds": round(wall, 2)}
    res["entities_per_article"] = round(nent / len(docs), 1)
    # the budget is stated for ~300-word articles: time those on their own (warm caches)
    mid = [d for d in docs if 250 <= sum(t.is_word for t in d.tokens) <= 350]
    if mid:
        c0 = time.process_time()
        for d in mid:
            model.tag(d)
        dt = time.process_time() - c0
        res["warm_300_words"] = {"articles": len(mid), "articles_per_s": round(len(mid) / dt),
                                 "ms_per_article": round(1000 * dt / len(mid), 3)}
    if args.json:
        print(json.dumps(res))
        return
    print(f"{res['articles']} SaudiNewsNet articles, {res['words_per_article']} words each on average, "
          f"model loaded in {res['load_seconds']} s")
    for phase in ("cold", "warm"):
        r = res[phase]
        print(f"  {phase}: {r['articles_per_s']} articles/s, {r['tokens_per_s']} tokens/s, "
              f"{r['ms_per_article']} ms/article")
    if "warm_300_words" in res:
        r = res["warm_300_words"]
        print(f"  warm, the {r['articles']} articles of 250-350 words: {r['articles_per_s']} articles/s, "
              f"{r['ms_per_article']} ms/article")
    print(f"  {res['entities_per_article']} entities per article")


if __name__ == "__main__":
    main()
