"""The Spark job on SaudiNewsNet: throughput with local[1] and local[2], the speedup, and a
projection of the cores and hours for 100 million articles.

    python benchmarks/spark.py                      # the whole corpus (31,030 records), both masters
    python benchmarks/spark.py --limit 3000         # the first 3,000 records (as JSONL)
    python benchmarks/spark.py --masters 'local[2]'

Reads ../shared/data/saudinewsnet/dataset/*.zip (skips with a message when absent) and writes
benchmarks/results/spark.json.  What is measured: the wall time of one whole job per master
(listing, reading the zips, analysis, dedup, writing every table), without the session start;
articles/s counts the items read.  The projection divides 100M by the measured per-core rate
(whole job, and the analysis stage alone) and is labelled as such: it assumes the analysis,
which is per article and shares nothing, keeps scaling with cores, as it does from 1 to 2 here.
The machine's load average is recorded before and after each run: on a shared machine the
figures are lower bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any

from snn import records

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data" / "saudinewsnet" / "dataset"
TARGET = 100_000_000


def _subset(limit: int, where: Path) -> list[str]:
    """The first ``limit`` records of the corpus as one JSONL file (in corpus order)."""
    path = where / f"saudinewsnet-{limit}.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for rec in islice(records(DATA.parent), limit):
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return [str(path)]


def _java() -> str:
    try:
        r = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
        return (r.stderr or r.stdout).splitlines()[0]
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_one(master: str, inputs: list[str], out: Path) -> dict[str, Any]:
    from marsad.spark import job

    cores = int(master[len("local["):-1]) if master.startswith("local[") and master[6:-1].isdigit() else 2
    spark = job.build_session(master, [("spark.ui.showConsoleProgress", "false"),
                                       ("spark.sql.shuffle.partitions", str(4 * cores))])
    load_before = os.getloadavg()
    try:
        t0 = time.monotonic()
        s = job.run(spark, job.JobOptions(inputs, str(out), overwrite=True),
                    progress=lambda m: print(f"  {master} {m}", file=sys.stderr))
        wall = time.monotonic() - t0
    finally:
        spark.stop()
    d = s.to_dict()
    analysed = d["read"] - d["errors"]
    return {
        "master": master, "cores": cores, "wall_s": round(wall, 1),
        "articles_per_s": round(d["read"] / wall, 1),
        "articles_per_s_per_core": round(d["read"] / wall / cores, 1),
        "analyse_stage_s": d["stage_seconds"].get("analyse"),
        "analysed_per_s_per_core": round(analysed / d["stage_seconds"]["analyse"] / cores, 1),
        "stage_seconds": d["stage_seconds"], "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "summary": {k: d[k] for k in ("read", "new", "duplicates", "exact_duplicates", "near_duplicates",
                                      "already_stored", "errors", "events", "quotes", "clusters",
                                      "analysis_tasks", "candidate_pairs", "duplicate_edges", "components")},
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--masters", default="local[1],local[2]")
    p.add_argument("--limit", type=int, default=0, help="only the first N records (written as JSONL)")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "spark.json"))
    a = p.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: SaudiNewsNet is not at {DATA} (set MARSAD_SHARED)", file=sys.stderr)
        return 0
    try:
        import pyspark
    except ImportError:
        print("skipped: pyspark is not installed (pip install 'marsad[spark]')", file=sys.stderr)
        return 0
    if shutil.which("java") is None:
        print("skipped: no Java (scripts/install-system-deps.sh)", file=sys.stderr)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="marsad-spark-bench-"))
    try:
        inputs = _subset(a.limit, tmp) if a.limit else [str(z) for z in sorted(DATA.glob("*.zip"))]
        runs = []
        for master in [m.strip() for m in a.masters.split(",") if m.strip()]:
            print(f"{master} …", file=sys.stderr)
            runs.append(run_one(master, inputs, tmp / "out"))
            print(json.dumps(runs[-1], ensure_ascii=False), file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    by = {r["master"]: r for r in runs}
    result: dict[str, Any] = {
        "corpus": "SaudiNewsNet" + (f" (first {a.limit} records)" if a.limit else " (18 zips, 31,030 records)"),
        "runs": runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "pyspark": pyspark.__version__,
                    "java": _java(), "platform": platform.platform()},
    }
    if "local[1]" in by and "local[2]" in by:
        result["speedup_local2_vs_local1"] = round(by["local[1]"]["wall_s"] / by["local[2]"]["wall_s"], 2)
        result["analysis_speedup_local2_vs_local1"] = round(
            by["local[1]"]["analyse_stage_s"] / by["local[2]"]["analyse_stage_s"], 2)
    best = max(runs, key=lambda r: r["articles_per_s_per_core"]) if runs else None
    if best:
        rate, arate = best["articles_per_s_per_core"], best["analysed_per_s_per_core"]
        result["projection_100M"] = {
            "measured_per_core_rate": {"whole_job": rate, "analysis_stage": arate, "from": best["master"]},
            "core_hours_whole_job": round(TARGET / rate / 3600),
            "core_hours_analysis_only": round(TARGET / arate / 3600),
            "hours_on_100_cores": round(TARGET / rate / 3600 / 100, 1),
            "note": "projected, not measured: 100M / measured per-core rate; assumes linear scaling of the "
                    "per-article analysis and that dedup stays a small share (it grows with the number of "
                    "LSH candidate pairs, see docs/spark.md)",
        }
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
