"""Web benchmark: latency of /api/dyad/{A}/{B} under 50 concurrent clients on a 1M-event store.

    .venv/bin/python benchmarks/serve.py                  # build (or reuse) the store, measure
    .venv/bin/python benchmarks/serve.py --seconds 60 --clients 50 --workers 2
    .venv/bin/python benchmarks/serve.py --no-cache-run   # also measure with the result cache off

The store is benchmarks/queries.py's synthetic 1,000,000-event store (built by its builder
through the real write API, or reused from benchmarks/.cache/).  The server is the real
command, ``marsad serve --workers 2`` (one process per core), started as a subprocess on a
free port of 127.0.0.1.  The URLs are the dyad API of the most active pairs (default: the top
100, so from ~26,000 events down to a few hundred), by month and (one in five) by week.

Phases:
  cold   one client requests every URL once, in turn: what a dyad costs when nobody asked
         for it since the store last changed (the queries themselves);
  warm   every URL again, each over a new connection, until four passes in a row are fast
         (each worker process keeps its own cache, and the kernel chooses the worker of a
         connection);
  load   N clients (default 50), each sending its next request as soon as the previous
         answer is in, for a fixed time, each picking URLs at random: median, p90, p99 and
         max latency, throughput and errors (any non-200 answer or broken connection).
         This is the steady state of a server whose pages have been seen since the last
         ingest; the cold phase gives the cost of a page nobody has asked for yet.
  nocache (with --no-cache-run) the load phase against a server started with --no-cache.

The clients are a small asyncio HTTP/1.1 keep-alive client rather than httpx: client and
server share the machine's two cores, and a heavier client would take CPU from the server
being measured.  The client's own CPU time is reported.  Other work on the machine distorts
the numbers: the load average before and after is recorded.  Results: stdout and
benchmarks/results/serve.json.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import json
import os
import platform
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad import queries as Q  # noqa: E402
from marsad.store import StoreError, open_store  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "serve.json"
CACHE = ROOT / "benchmarks" / ".cache"


def _queries_bench() -> Any:
    """benchmarks/queries.py as a module (its synthetic builder)."""
    spec = importlib.util.spec_from_file_location("bench_queries", ROOT / "benchmarks" / "queries.py")
    if spec is None or spec.loader is None:
        raise SystemExit("benchmarks/queries.py is missing: it builds the synthetic store")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ensure_store(db: Path, events: int, rebuild: bool, upgrade: bool) -> dict[str, Any]:
    """Reuse the synthetic store at ``db`` (upgrading its schema if needed) or build it."""
    meta = Path(str(db) + ".build.json")
    if not rebuild and db.exists():
        try:
            open_store(db, readonly=True).close()
        except StoreError as exc:
            if not upgrade:
                raise SystemExit(f"{exc}\n(rerun with --upgrade to upgrade it in place, or --rebuild)") from None
            print(f"  {exc}: upgrading", file=sys.stderr)
            open_store(db).close()
        return json.loads(meta.read_text()) if meta.exists() else {"reused": str(db)}
    print(f"building a synthetic store of {events:,} events at {db} (takes minutes)", file=sys.stderr)
    db.parent.mkdir(parents=True, exist_ok=True)
    info = _queries_bench().build(db, events)
    meta.write_text(json.dumps(info, indent=2))
    return info


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int, cache: bool) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "marsad", "serve", "--db", str(db), "--port", str(port), "--workers", str(workers),
           "--cache" if cache else "--no-cache"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"marsad serve exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("marsad serve did not answer within 120 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- a light HTTP/1.1 keep-alive client ----------------------------------------------------------
class Conn:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_error = ""

    async def get(self, path: str) -> tuple[int, int]:
        """(status, body bytes); reconnects when the server closed the connection."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n\r\n".encode("ascii"))
        line = await self.reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        status = int(line.split()[1])
        length, chunked, close = 0, False, False
        while True:
            h = await self.reader.readline()
            if h in (b"\r\n", b""):
                break
            k, _, v = h.decode("latin-1").partition(":")
            k = k.strip().lower()
            if k == "content-length":
                length = int(v)
            elif k == "transfer-encoding" and "chunked" in v.lower():
                chunked = True
            elif k == "connection" and "close" in v.lower():
                close = True
        n = 0
        body = b""
        if chunked:
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                body = (await self.reader.readexactly(size + 2)) if status != 200 else b""
                n += size
                if size == 0:
                    break
        else:
            body = await self.reader.readexactly(length)
            n = length
        if status != 200:
            self.last_error = body[:300].decode("utf-8", "replace")
        if close:
            await self.close()
        return status, n

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


async def _load(port: int, urls: list[str], clients: int, seconds: float, seed: int,
                timeout: float = 60.0) -> dict[str, Any]:
    """Closed loop: each client sends its next request when the last answer is in; a request
    not answered within ``timeout`` seconds is an error."""
    results: list[float] = []
    errors: dict[str, int] = {}
    messages: set[str] = set()
    bytes_in = 0
    stop_at = time.perf_counter() + seconds

    async def one(k: int) -> None:
        nonlocal bytes_in
        rng = random.Random(seed * 1000 + k)
        conn = Conn(port)
        while time.perf_counter() < stop_at:
            url = rng.choice(urls)
            t0 = time.perf_counter()
            try:
                status, n = await asyncio.wait_for(conn.get(url), timeout)
            except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError, TimeoutError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                await conn.close()
                continue
            results.append((time.perf_counter() - t0) * 1000)
            bytes_in += n
            if status != 200:
                errors[f"HTTP {status}"] = errors.get(f"HTTP {status}", 0) + 1
                if len(messages) < 5:
                    messages.add(f"{status} {url}: {conn.last_error}")
        await conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(k) for k in range(clients)))
    wall = time.perf_counter() - t0
    return {"latencies": results, "errors": errors, "messages": sorted(messages), "wall_s": wall, "bytes": bytes_in}


def _summary(lat: list[float], wall: float | None = None) -> dict[str, Any]:
    if not lat:
        return {"requests": 0}
    s = sorted(lat)

    def pct(p: float) -> float:
        return round(s[min(len(s) - 1, int(round(p * (len(s) - 1))))], 1)

    out: dict[str, Any] = {"requests": len(s), "median_ms": round(statistics.median(s), 1), "p90_ms": pct(0.90),
                           "p99_ms": pct(0.99), "max_ms": round(s[-1], 1), "mean_ms": round(statistics.fmean(s), 1)}
    if wall:
        out["throughput_rps"] = round(len(s) / wall, 1)
    return out


def cold(port: int, urls: list[str]) -> dict[str, Any]:
    async def run() -> tuple[list[float], dict[str, int]]:
        conn = Conn(port)
        lat, errs = [], {}
        for u in urls:
            t0 = time.perf_counter()
            status, _ = await conn.get(u)
            lat.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                errs[f"HTTP {status}"] = errs.get(f"HTTP {status}", 0) + 1
        await conn.close()
        return lat, errs

    lat, errs = asyncio.run(run())
    return {**_summary(lat), "errors": errs}


def warm_up(port: int, urls: list[str], workers: int, max_passes: int = 40, fast_ms: float = 60.0,
            quiet_passes: int = 4) -> dict[str, Any]:
    """Request every URL, each over a new connection, until ``quiet_passes`` passes in a row are
    all fast.  Each worker process keeps its own cache and the kernel picks the worker of each
    new connection, so a pass reaches a random worker per URL; with one worker (URL) still
    cold, a pass stays all-fast with probability 1/workers, four in a row with 1/16 for two."""
    t0 = time.perf_counter()
    passes = quiet = requests = 0
    slow = len(urls)
    while passes < max_passes and quiet < (quiet_passes if workers > 1 else 1):
        passes += 1
        res = asyncio.run(_fresh_connections(port, urls, concurrency=2 * workers))
        requests += len(res)
        slow = sum(1 for x in res if x > fast_ms)
        quiet = quiet + 1 if slow == 0 else 0
    return {"passes": passes, "requests": requests, "slow_in_last_pass": slow,
            "seconds": round(time.perf_counter() - t0, 1)}


async def _fresh_connections(port: int, urls: list[str], concurrency: int) -> list[float]:
    """Every URL once, each on a connection of its own."""
    out: list[float] = []
    queue = list(urls)
    random.shuffle(queue)

    async def one() -> None:
        while queue:
            u = queue.pop()
            conn = Conn(port)
            t0 = time.perf_counter()
            await conn.get(u)
            out.append((time.perf_counter() - t0) * 1000)
            await conn.close()

    await asyncio.gather(*(one() for _ in range(concurrency)))
    return out


def load(port: int, urls: list[str], clients: int, seconds: float, seed: int = 1) -> dict[str, Any]:
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    res = asyncio.run(_load(port, urls, clients, seconds, seed))
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    out = _summary(res["latencies"], res["wall_s"])
    out.update(errors=res["errors"], error_messages=res["messages"], n_errors=sum(res["errors"].values()), clients=clients, seconds=round(res["wall_s"], 1),
               mb_received=round(res["bytes"] / 1e6, 1),
               client_cpu_s=round((ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime), 2))
    return out


def dyad_urls(db: Path, n: int) -> tuple[list[str], list[dict[str, Any]]]:
    with open_store(db, readonly=True) as store:
        top = Q.top_dyads(store, limit=n)
    urls = []
    for d in top:
        base = f"/api/dyad/{quote(d['a'], safe='')}/{quote(d['b'], safe='')}"
        urls += [base] * 4 + [base + "?by=week"]  # by month four times as often as by week
    return urls, top


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # so that the server is stopped too


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=None, help="store (default: the synthetic store in benchmarks/.cache/)")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--rebuild", action="store_true", help="build the synthetic store even if cached")
    ap.add_argument("--upgrade", action="store_true", help="upgrade a cached store from an older schema")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2, help="server processes (default 2: one per core)")
    ap.add_argument("--dyads", type=int, default=100, help="how many of the most active pairs to request")
    ap.add_argument("--no-cache-run", action="store_true", help="also measure with the result cache off")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    db = args.db or CACHE / f"synthetic-{args.events}.db"
    if args.db is None:
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / ".gitignore").write_text("*\n")
    build = ensure_store(db, args.events, args.rebuild, args.upgrade)
    urls, top = dyad_urls(db, args.dyads)
    if not urls:
        raise SystemExit(f"{db} has no dyads")
    distinct = sorted(set(urls))
    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "store": {"path": str(db.relative_to(ROOT)) if db.is_relative_to(ROOT) else str(db), "build": build},
        "setup": {"workers": args.workers, "clients": args.clients, "seconds": args.seconds,
                  "dyads": len(top), "distinct_urls": len(distinct),
                  "busiest": {k: top[0][k] for k in ("a", "b", "n_events")},
                  "quietest": {k: top[-1][k] for k in ("a", "b", "n_events")}},
        "loadavg_before": loadavg(),
        "target": {"p99_ms": 250, "clients": 50, "errors": 0},
    }
    port = free_port()
    print(f"marsad serve --workers {args.workers} on port {port}, {len(distinct)} dyad URLs "
          f"({top[0]['a']}–{top[0]['b']}: {top[0]['n_events']:,} events … {top[-1]['n_events']:,})", file=sys.stderr)
    proc = start_server(db, port, args.workers, cache=True)
    try:
        result["cold"] = cold(port, distinct)
        print(f"  cold (first request of each URL, one client): median {result['cold']['median_ms']} ms, "
              f"p99 {result['cold']['p99_ms']} ms, max {result['cold']['max_ms']} ms", file=sys.stderr)
        result["warmup"] = warm_up(port, distinct, args.workers)
        print(f"  warm-up: {result['warmup']['passes']} passes, {result['warmup']['seconds']} s", file=sys.stderr)
        result["load"] = load(port, urls, args.clients, args.seconds)
        ld = result["load"]
        print(f"  load ({args.clients} clients, {ld['seconds']} s): {ld['requests']:,} requests, "
              f"{ld.get('throughput_rps', 0)} req/s, median {ld.get('median_ms')} ms, p99 {ld.get('p99_ms')} ms, "
              f"max {ld.get('max_ms')} ms, errors {ld['n_errors']}", file=sys.stderr)
    finally:
        stop_server(proc)
    if args.no_cache_run:
        port = free_port()
        try:
            proc = start_server(db, port, args.workers, cache=False)
        except SystemExit as exc:  # keep the measured phases
            result["nocache_load"] = {"error": str(exc)}
            proc = None
    if args.no_cache_run and proc is not None:
        try:
            result["nocache_load"] = load(port, urls, args.clients, min(args.seconds, 30.0))
            nl = result["nocache_load"]
            print(f"  load without the cache: {nl['requests']:,} requests, {nl.get('throughput_rps', 0)} req/s, "
                  f"median {nl.get('median_ms')} ms, p99 {nl.get('p99_ms')} ms, errors {nl['n_errors']}",
                  file=sys.stderr)
        finally:
            stop_server(proc)
    result["loadavg_after"] = loadavg()
    ld = result["load"]
    result["meets_target"] = bool(ld.get("p99_ms") is not None and ld["p99_ms"] < 250 and ld["n_errors"] == 0
                                  and args.clients >= 50)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}  (target p99 < 250 ms at 50 clients, 0 errors: "
          f"{'met' if result['meets_target'] else 'NOT met'})", file=sys.stderr)


if __name__ == "__main__":
    main()
