"""Deduplication on SaudiNewsNet: exact groups recovered, near-duplicate precision/recall on
the hand-labelled pairs of tests/fixtures/dedup_pairs.tsv, and speed.

    .venv/bin/python benchmarks/dedup.py                 # measure (needs ../shared/data/saudinewsnet)
    .venv/bin/python benchmarks/dedup.py --review 0 20   # print labelled pairs as a word diff, to check labels

The corpus is read with marsad's own source readers (zip → JSON records), cleaned with the
pipeline's cleaner and signed exactly as ingest signs articles; then every article goes
through one DedupIndex in corpus order, as an ingest of the whole corpus would.  Nothing of
the corpus is written to the repository: the fixture holds article ids and labels only.
Results: stdout and benchmarks/results/dedup.json.  Skips (exit 0) when the data is absent.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import sys
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad import dedup  # noqa: E402
from marsad.sources import iter_source  # noqa: E402

DATA = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared")) / "data" / "saudinewsnet" / "dataset"
FIXTURE = ROOT / "tests" / "fixtures" / "dedup_pairs.tsv"
RESULTS = ROOT / "benchmarks" / "results" / "dedup.json"


def read_corpus() -> list[dict[str, Any]]:
    """Every record, in corpus order, with the raw content for the byte-identity check."""
    out = []
    for item in iter_source(DATA):
        if item.article is None:
            out.append({"where": item.where, "error": item.error})
            continue
        a = item.article
        out.append({"where": item.where, "id": a.id, "text": a.text, "title": a.title, "source": a.source})
    return out


def _sign(texts: list[str]) -> list[tuple[bytes, float]]:
    from marsad.clean import clean_text
    from marsad.lang import get_language

    ar = get_language("ar")
    out = []
    for t in texts:
        t0 = time.perf_counter()
        s = dedup.signature(clean_text(t, ar).text)
        out.append((s.to_bytes(), time.perf_counter() - t0))
    return out


def sign_all(texts: list[str], workers: int) -> tuple[list[dedup.Signature], float]:
    chunks = [texts[i:i + 500] for i in range(0, len(texts), 500)]
    with get_context("fork").Pool(workers) as pool:
        parts = pool.map(_sign, chunks)
    sigs = [dedup.Signature.from_bytes(b) for part in parts for b, _ in part]
    cpu = sum(t for part in parts for _, t in part)
    return sigs, cpu


def load_pairs() -> list[tuple[str, str, int, str, str]]:
    rows = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("id_a\t"):
            continue
        a, b, label, stratum, why = line.split("\t")
        rows.append((a, b, int(label), stratum, why))
    return rows


def prf(pred: list[bool], gold: list[int]) -> dict[str, float | int]:
    tp = sum(1 for p, g in zip(pred, gold, strict=True) if p and g)
    fp = sum(1 for p, g in zip(pred, gold, strict=True) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold, strict=True) if not p and g)
    return {"precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0, "tp": tp, "fp": fp, "fn": fn}


def review(records: list[dict[str, Any]], start: int, end: int) -> None:
    """Print labelled pairs as a word-level diff (for checking labels; not stored anywhere)."""
    import difflib

    by_id = {r["id"]: r for r in records if "id" in r}
    for n, (a, b, label, stratum, why) in enumerate(load_pairs()[start:end], start):
        ra, rb = by_id[a], by_id[b]
        wa, wb = dedup.words(ra["text"]), dedup.words(rb["text"])
        sm = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
        same = sum(bl.size for bl in sm.get_matching_blocks())
        print(f"#{n} label={label} ({why}, {stratum}) words {len(wa)}/{len(wb)} shared {same / max(1, len(wa)):.2f}/"
              f"{same / max(1, len(wb)):.2f}")
        print(f"  A {ra['source']} | {ra['title']}\n  B {rb['source']} | {rb['title']}")
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag != "equal" and (i2 - i1 + j2 - j1) > 3:
                print(f"   {tag[:3]} A[{i1}:{i2}] {' '.join(wa[i1:i2][:14])} || B[{j1}:{j2}] {' '.join(wb[j1:j2][:14])}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--review", nargs=2, type=int, metavar=("FROM", "TO"))
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"benchmarks/dedup.py: skipped, SaudiNewsNet not found at {DATA}")
        return 0
    t0 = time.perf_counter()
    records = read_corpus()
    t_read = time.perf_counter() - t0
    if args.review:
        review(records, *args.review)
        return 0
    good = [r for r in records if "id" in r]
    bad = [r for r in records if "error" in r]
    t0 = time.perf_counter()
    sigs, cpu = sign_all([r["text"] for r in good], args.workers)
    t_sign = time.perf_counter() - t0

    idx = dedup.DedupIndex()
    t0 = time.perf_counter()
    assigned = {r["id"]: idx.assign(r["id"], s) for r, s in zip(good, sigs, strict=True)}
    t_index = time.perf_counter() - t0
    kinds = collections.Counter(a.kind for a in assigned.values())
    sizes = collections.Counter(a.cluster_id for a in assigned.values())

    # exact groups: byte-identical content (as SOURCE.md counts them: stripped)
    raw_groups: dict[str, list[str]] = collections.defaultdict(list)
    for r in good:
        raw_groups[r["text"].strip()].append(r["id"])
    groups = [g for g in raw_groups.values() if len(g) > 1]
    recovered = sum(1 for g in groups if len({assigned[i].cluster_id for i in g}) == 1)
    empty = [r for r in bad if r["error"] in ("empty text", "empty 'content' field")]

    # near duplicates on the labelled pairs
    sig_of = {r["id"]: s for r, s in zip(good, sigs, strict=True)}
    pairs = load_pairs()
    missing = [p for p in pairs if p[0] not in sig_of or p[1] not in sig_of]
    pairs = [p for p in pairs if p not in missing]
    gold = [p[2] for p in pairs]
    pred_pair = []
    for a, b, *_ in pairs:
        sa, sb = sig_of[a], sig_of[b]
        pred_pair.append(sa.exact == sb.exact or dedup.is_duplicate(sa.jaccard(sb), sa.n_shingles, sb.n_shingles))
    pred_cluster = [assigned[a].cluster_id == assigned[b].cluster_id for a, b, *_ in pairs]
    by_stratum = {s: prf([p for p, q in zip(pred_pair, pairs, strict=True) if q[3] == s],
                         [g for g, q in zip(gold, pairs, strict=True) if q[3] == s])
                  for s in sorted({q[3] for q in pairs})}
    errors_by_why = collections.Counter(f"{'FP' if p else 'FN'}:{q[4]}" for p, g, q in
                                        zip(pred_pair, gold, pairs, strict=True) if bool(p) != bool(g))

    res = {
        "corpus": {"records": len(records), "articles": len(good), "bad_items": len(bad),
                   "bad_items_empty_content": len(empty)},
        "exact_groups": {
            "groups_nonempty": len(groups), "articles_in_them": sum(map(len, groups)), "recovered": recovered,
            "all_recovered": recovered == len(groups),
            "note": "SOURCE.md's 560 groups / 1,489 articles include one 'group' of 354 records whose content "
                    "is empty or whitespace; ingest reports those as bad items (no text) and does not store them",
        },
        "clusters": {"articles": len(assigned), "clusters": len(sizes),
                     "multi_article": sum(1 for v in sizes.values() if v > 1),
                     "articles_in_multi": sum(v for v in sizes.values() if v > 1),
                     "largest": max(sizes.values()), "joined_exact": kinds["exact"], "joined_near": kinds["near"]},
        "near_duplicates_on_labelled_pairs": {
            "pairs": len(pairs), "positives": sum(gold), "pairs_missing_from_corpus": len(missing),
            "pair_decision": prf(pred_pair, gold),
            "same_cluster_after_full_run": prf(pred_cluster, gold),
            "pair_decision_by_stratum": by_stratum,
            "errors_by_label_reason": dict(sorted(errors_by_why.items())),
            "note": "the sample over-represents hard cases (100 LSH pairs >= 0.5, 60 pairs at 0.3-0.5, 40 sharing "
                    "a title), so recall here is a lower bound for recall on the corpus",
        },
        "parameters": {"shingle_words": dedup.SHINGLE_WORDS, "num_perm": dedup.NUM_PERM,
                       "jaccard_threshold": dedup.THRESHOLD, "containment": dedup.CONTAINMENT,
                       "min_jaccard": dedup.MIN_JACCARD},
        "speed": {"read_seconds": round(t_read, 1), "sign_seconds_wall": round(t_sign, 1),
                  "sign_workers": args.workers,
                  "sign_per_second_per_core": round(len(good) / cpu, 0) if cpu else None,
                  "index_seconds": round(t_index, 1), "index_per_second": round(len(good) / t_index, 0)},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    e, n = res["exact_groups"], res["near_duplicates_on_labelled_pairs"]
    print(f"articles {len(good):,} (bad items {len(bad)}: {len(empty)} with empty content)")
    print(f"exact groups (byte-identical non-empty content): {e['recovered']}/{e['groups_nonempty']} recovered "
          f"({e['articles_in_them']} articles)")
    c = res["clusters"]
    print(f"clusters: {c['multi_article']:,} with 2+ articles ({c['articles_in_multi']:,} articles, largest "
          f"{c['largest']}); joined exact {c['joined_exact']:,}, near {c['joined_near']:,}")
    pd, pc = n["pair_decision"], n["same_cluster_after_full_run"]
    print(f"labelled pairs: {n['pairs']} ({n['positives']} duplicates): pair decision P={pd['precision']} "
          f"R={pd['recall']}; same cluster after a full run P={pc['precision']} R={pc['recall']}")
    print(f"errors by reason: {n['errors_by_label_reason']}")
    sp = res["speed"]
    print(f"speed: clean+sign {sp['sign_per_second_per_core']:,.0f} articles/s per core; index "
          f"{sp['index_per_second']:,.0f} articles/s (one core)")
    print(f"results: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
