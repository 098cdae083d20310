"""Ingest benchmark: the whole SaudiNewsNet corpus (31,030 articles) through `marsad ingest`.

    .venv/bin/python benchmarks/ingest.py                  # all 18 daily zips, 2 workers
    .venv/bin/python benchmarks/ingest.py --days 2         # the first two days only (a quick check)
    .venv/bin/python benchmarks/ingest.py --keep corpus.db # keep the store for other benchmarks

It runs the real command (`python -m marsad ingest DATASET --db TMP --workers 2 --json`) in a
subprocess, samples the resident memory of that process and all its workers every 0.2 s
(the peak of their sum is "peak RSS"), then reports articles/s, store size and the latency
of a timeline query and a full-text query on the resulting store (median of repeated runs
after a warm-up).  Targets (issue 4): whole corpus in under 5 minutes on 2 cores, RSS under
2 GB.  Results: stdout and benchmarks/results/ingest.json.  Skips (exit 0) without the data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = Path(os.environ.get("MARSAD_SHARED", ROOT.parent / "shared")) / "data" / "saudinewsnet" / "dataset"
RESULTS = ROOT / "benchmarks" / "results" / "ingest.json"


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and all its descendants."""
    kids = _children()
    todo, total = [pid], 0
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, []))
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total


class PeakRSS(threading.Thread):
    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.peak_procs = pid, every, 0, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def median_ms(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"median_ms": round(statistics.median(times), 2), "p90_ms": round(times[int(0.9 * (len(times) - 1))], 2)}


def store_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--days", type=int, default=None, help="Only the first N daily zips.")
    ap.add_argument("--repeat", type=int, default=21, help="Runs per query latency.")
    ap.add_argument("--keep", metavar="DB", help="Keep the store here (default: a temporary file).")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"benchmarks/ingest.py: skipped, SaudiNewsNet not found at {DATA}")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="marsad-ingest-"))
    try:
        src: Path = DATA
        if args.days:
            src = tmp / "days"
            src.mkdir()
            for z in sorted(DATA.glob("*.zip"))[: args.days]:
                (src / z.name).symlink_to(z)
        db = Path(args.keep).resolve() if args.keep else tmp / "bench.db"
        for p in db.parent.glob(db.name + "*"):
            p.unlink()
        cmd = [sys.executable, "-m", "marsad", "ingest", str(src), "--db", str(db), "--workers", str(args.workers),
               "--json", "-q"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        mon = PeakRSS(proc.pid)
        mon.start()
        out, err = proc.communicate()
        wall = time.perf_counter() - t0
        mon.stop()
        if proc.returncode not in (0, 1):
            print(err[-3000:], file=sys.stderr)
            print(f"ingest failed with exit code {proc.returncode}", file=sys.stderr)
            return 1
        summary = json.loads(out.strip().splitlines()[-1])
        errors = [ln for ln in err.splitlines() if ln.startswith("marsad: ") and ": warning:" not in ln]

        from marsad import queries as Q
        from marsad.store import open_store

        store = open_store(db)  # not read-only: a schema upgrade by a newer marsad may be due
        try:
            counts = store.counts()
            top = Q.stats(store)
            lat = {
                "timeline SAU YEM by month": median_ms(lambda: Q.timeline(store, "SAU", "YEM", by="month"),
                                                       args.repeat),
                "timeline SAU (all partners) by week": median_ms(lambda: Q.timeline(store, "SAU", by="week"),
                                                                 args.repeat),
                "search اليمن": median_ms(lambda: Q.search(store, "اليمن"), args.repeat),
                'search "الأمم المتحدة"': median_ms(lambda: Q.search(store, '"الأمم المتحدة"'), args.repeat),
            }
        finally:
            store.close()
        res = {
            "command": " ".join(["marsad", *cmd[3:]]).replace(str(src), "DATASET").replace(str(db), "DB"),
            "corpus": "SaudiNewsNet" + (f" (first {args.days} days)" if args.days else " (all 18 days)"),
            "wall_seconds": round(wall, 1),
            "articles_per_second": round(summary["read"] / wall, 1),
            "target_whole_corpus_under_300s": (wall < 300) if not args.days else None,
            "peak_rss_mb_all_processes": round(mon.peak / 2**20),
            "target_rss_under_2048mb": mon.peak < 2 * 2**30,
            "store_mb": round(store_size(db) / 2**20, 1),
            "summary": summary,
            "stored": {k: counts.get(k) for k in ("articles", "articles_ok", "articles_not_analysed", "clusters",
                                                  "events", "quotes", "mentions", "actors", "ingest_errors")},
            "distinct_events": top.get("events", {}).get("distinct") if isinstance(top.get("events"), dict) else None,
            "bad_items_sample": errors[:5],
            "query_latency": lat,
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                        "loadavg_after": os.getloadavg()[0]},
        }
        if args.days is None:
            RESULTS.parent.mkdir(parents=True, exist_ok=True)
            RESULTS.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(json.dumps({k: v for k, v in res.items() if k != "bad_items_sample"}, ensure_ascii=False, indent=2))
        if args.days is None:
            print(f"results: {RESULTS.relative_to(ROOT)}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
