"""Store benchmark: write throughput and query latency on a synthetic 1,000,000-event store.

    .venv/bin/python benchmarks/queries.py                       # build (or reuse) and measure
    .venv/bin/python benchmarks/queries.py --events 200000       # smaller
    .venv/bin/python benchmarks/queries.py --corpus-db corpus.db # also time queries on a real store

The synthetic store is written through the real write API (``Store.write_articles``), so the
build doubles as the write benchmark.  Its distribution: ~250 countries with Zipf-like
activity (a few dominate, as in GDELT), events on random days over 2 years, 16 PLOVER types,
modes mostly asserted, 10 events per article on average, and a fifth of the stories
republished by 2–5 outlets (duplicate clusters).  Latencies are the median (and p90) of
repeated runs, measured after one warm-up run.  Results: stdout and
benchmarks/results/queries.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad import cameo  # noqa: E402
from marsad import queries as Q  # noqa: E402
from marsad.model import MODES, PLOVER_TYPES, Actor, ActorRef, Analysis, Event, Quote, Span  # noqa: E402
from marsad.store import Store, StoredArticle, open_store  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "queries.json"
CACHE = ROOT / "benchmarks" / ".cache"

# Our own filler vocabulary (no third-party text).
WORDS = ("قال وزير الخارجية إن المحادثات مع الوفد تناولت التعاون الاقتصادي والأمني بين البلدين وأكد أن "
         "الحكومة ستواصل دعم الجهود الدبلوماسية لحل الأزمة وأشار المتحدث باسم الرئاسة إلى أن الاجتماع "
         "بحث تطورات الأوضاع في المنطقة والعلاقات الثنائية وسبل تعزيزها في مجالات الطاقة والتجارة والاستثمار "
         "كما ناقش الجانبان ملفات اللاجئين والحدود والمساعدات الإنسانية ودعا البيان إلى وقف التصعيد").split()
TYPE_CAMEO = {"AGREE": "030", "CONSULT": "040", "SUPPORT": "051", "CONCEDE": "080", "COOPERATE": "061",
              "AID": "070", "RETREAT": "087", "REQUEST": "020", "ACCUSE": "112", "REJECT": "120",
              "THREATEN": "130", "PROTEST": "140", "SANCTION": "160", "MOBILIZE": "150", "COERCE": "170",
              "ASSAULT": "190"}
TYPE_WEIGHTS = [8, 20, 7, 2, 6, 4, 1, 3, 12, 5, 4, 4, 3, 2, 6, 13]
MODE_WEIGHTS = [70, 14, 3, 2, 8, 3]
OUTLETS = [f"outlet{i:02d}" for i in range(40)]


def countries() -> list[tuple[str, str]]:
    from marsad.kb import default_kb

    kb = default_kb()
    out = [(e.id, e.ar[0] if e.ar else e.name) for e in kb.entries.values()
           if e.type == "GPE" and len(e.id) == 3 and e.id.isupper()]
    if len(out) < 50:  # no shipped country list: make codes up
        out = [(f"C{i:02d}", f"بلد{i}") for i in range(200)]
    return sorted(out)


class Synth:
    """Generates articles with analyses following the distribution in the module docstring."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        cs = countries()
        self.rng.shuffle(cs)
        self.countries = cs
        self.cweights = [1.0 / (i + 1) ** 1.1 for i in range(len(cs))]
        self.start = dt.date(2022, 1, 1)
        self.days = 730

    def article(self, n: int) -> list[StoredArticle]:
        """One story: an article and, for a fifth of stories, 1–4 republished copies."""
        rng = self.rng
        n_events = max(1, min(30, int(rng.expovariate(1 / 10)) + 1))
        pub = self.start + dt.timedelta(days=rng.randrange(self.days))
        words = [rng.choice(WORDS) for _ in range(60 + 3 * n_events)]
        picks = rng.choices(range(len(self.countries)), weights=self.cweights, k=2 * n_events + 2)
        involved = sorted(set(picks))
        # put each involved country's Arabic name into the text, so mentions are real substrings
        slots = rng.sample(range(len(words)), min(len(words), len(involved)))
        for slot, ci in zip(slots, involved, strict=False):
            words[slot] = self.countries[ci][1]
        text, offs, pos = [], [], 0
        for w in words:
            offs.append(pos)
            text.append(w)
            pos += len(w) + 1
        body = " ".join(text) + "."
        where = {words[s]: (offs[s], offs[s] + len(words[s])) for s in slots}
        actors = []
        refs: dict[str, ActorRef] = {}
        for ci in involved:
            code, name = self.countries[ci]
            sp = where.get(name)
            ment = (Span(name, *sp),) if sp else ()
            a = Actor(code, "GPE", code, None, code, None, ment)
            actors.append(a)
            refs[code] = a.ref(ment[0] if ment else None)
        evs = []
        types = rng.choices(PLOVER_TYPES, weights=TYPE_WEIGHTS, k=n_events)
        modes = rng.choices(MODES, weights=MODE_WEIGHTS, k=n_events)
        for k in range(n_events):
            s_code = self.countries[picks[2 * k]][0]
            t_code = self.countries[picks[2 * k + 1]][0]
            code = TYPE_CAMEO[types[k]]
            wi = rng.randrange(len(words))
            trig = Span(words[wi], offs[wi], offs[wi] + len(words[wi]))
            day = pub - dt.timedelta(days=rng.choice((0, 0, 0, 1, 1, 2, 7)))
            date = day.isoformat() if rng.random() < 0.8 else day.isoformat()[:7]
            evs.append(Event(types[k], code, cameo.goldstein(code), cameo.quad_class(code), modes[k], date,
                             refs[s_code], refs[t_code] if t_code != s_code else None, trig, (0, len(body)), None))
        qs = []
        if rng.random() < 0.6:
            spk = refs[self.countries[picks[0]][0]]
            qs.append(Quote(" ".join(text[5:15]), offs[5], offs[14] + len(text[14]), "indirect", "قال", spk))
        out = []
        copies = 1 + (rng.randrange(1, 5) if rng.random() < 0.2 else 0)
        for c in range(copies):
            aid = f"s{n:07d}-{c}"
            an = Analysis(aid, body, f"خبر {n}", pub.isoformat(), "ar", f"https://example.org/{aid}",
                          rng.choice(OUTLETS), tuple(actors), tuple(qs), tuple(evs), ())
            out.append(StoredArticle.from_analysis(an, minhash=rng.randbytes(64)))
        return out


def build(path: Path, n_events: int, batch: int = 2000) -> dict[str, Any]:
    """Write stories until ``n_events`` event mentions are stored; time the writes."""
    if path.exists():
        path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    store = open_store(path)
    syn = Synth()
    done_ev = done_art = 0
    write_s = gen_s = 0.0
    story = 0
    clusters: dict[str, str] = {}
    while done_ev < n_events:
        t0 = time.perf_counter()
        items: list[StoredArticle] = []
        while len(items) < batch and done_ev < n_events:
            copies = syn.article(story)
            if len(copies) > 1:
                for c in copies:
                    clusters[c.id] = copies[0].id
            items.extend(copies)
            done_ev += sum(len(c.analysis.events) for c in copies if c.analysis)
            story += 1
        t1 = time.perf_counter()
        store.write_articles(items)
        t2 = time.perf_counter()
        gen_s += t1 - t0
        write_s += t2 - t1
        done_art += len(items)
        print(f"\r  built {done_art:,} articles, {done_ev:,} events", end="", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    store.assign_clusters(clusters)
    cluster_s = time.perf_counter() - t0
    print(file=sys.stderr)
    counts = store.counts()
    store.close()
    size = path.stat().st_size + sum(Path(str(path) + s).stat().st_size for s in ("-wal",)
                                     if Path(str(path) + s).exists())
    return {"articles": done_art, "events": counts["events"], "quotes": counts["quotes"],
            "write_seconds": round(write_s, 2), "articles_per_s": round(done_art / write_s, 1),
            "events_per_s": round(counts["events"] / write_s, 1), "assign_clusters_seconds": round(cluster_s, 2),
            "clustered_articles": len(clusters), "generate_seconds": round(gen_s, 2),
            "store_mb": round(size / 1e6, 1)}


def measure(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    fn()  # warm-up (page cache, statement cache)
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
    ts.sort()
    return {"median_ms": round(statistics.median(ts), 2), "p90_ms": round(ts[int(0.9 * (len(ts) - 1))], 2),
            "min_ms": round(ts[0], 2)}


def query_suite(store: Store, repeat: int, synthetic: bool) -> dict[str, Any]:
    top = Q.top_dyads(store, limit=50, directed=False)
    if not top:
        return {"note": "no events in this store"}
    busiest = top[0]
    mid = top[min(len(top) - 1, 20)]
    out: dict[str, Any] = {"busiest_dyad": busiest, "mid_dyad": {k: mid[k] for k in ("a", "b", "n_events")}}
    a, b = busiest["a"], busiest["b"]
    cases: dict[str, Callable[[], Any]] = {
        f"timeline {a} {b} by month": lambda: Q.timeline(store, a, b, by="month"),
        f"timeline {a} {b} by week": lambda: Q.timeline(store, a, b, by="week"),
        f"timeline {a} {b} by day, asserted+claimed": lambda: Q.timeline(store, a, b, by="day",
                                                                         modes="asserted,claimed"),
        f"timeline {mid['a']} {mid['b']} by month": lambda: Q.timeline(store, mid["a"], mid["b"], by="month"),
        f"timeline {a} (vs everyone) by month": lambda: Q.timeline(store, a, None, by="month"),
        f"events {a}>{b} limit 50": lambda: Q.events(store, source=a, target=b, limit=50),
        f"events {a}>{b} CONSULT since 2023-01": lambda: Q.events(store, source=a, target=b, type="CONSULT",
                                                                 since="2023-01"),
        f"events {a}>{b} --mentions limit 50": lambda: Q.events(store, source=a, target=b, mentions=True),
        "events one month, any dyad, limit 50": lambda: Q.events(store, since="2023-06", until="2023-06"),
        "quotes --speaker (country) limit 50": lambda: Q.quotes(store, speaker=a, limit=50),
        f"quotes --speaker {a} --about {b}": lambda: Q.quotes(store, speaker=a, about=b),
        f"quotes --about {b} (much-named actor)": lambda: Q.quotes(store, about=b),
        f"events --actor {b} limit 50": lambda: Q.events(store, actor=b),
        f"actor page {b} (events, meetings, months, quotes by/about)": lambda: Q.actor(store, b),
        f"actor page {mid['a']}": lambda: Q.actor(store, mid["a"]),
        "top_dyads one month": lambda: Q.top_dyads(store, since="2023-06", until="2023-06"),
        "top_actors one month": lambda: Q.top_actors(store, since="2023-06", until="2023-06"),
    }
    if synthetic:
        cases["search 'المساعدات الإنسانية' limit 20"] = lambda: Q.search(store, "المساعدات الإنسانية")
    lat: dict[str, Any] = {}
    for name, fn in cases.items():
        lat[name] = measure(fn, repeat)
        print(f"  {name:55s} median {lat[name]['median_ms']:8.2f} ms   p90 {lat[name]['p90_ms']:8.2f} ms",
              file=sys.stderr)
    slow = {"stats (whole store)": lambda: Q.stats(store),
            "top_dyads (whole store)": lambda: Q.top_dyads(store)}
    for name, fn in slow.items():
        lat[name] = measure(fn, max(3, repeat // 5))
        print(f"  {name:55s} median {lat[name]['median_ms']:8.2f} ms", file=sys.stderr)
    out["latency"] = lat
    return out


def _n_matches(store: Store, q: str) -> int:
    n, off = 0, 0
    while True:
        res = Q.search(store, q, limit=Q.MAX_LIMIT, offset=off)
        n += len(res["items"])
        if not res["has_more"]:
            return n
        off += Q.MAX_LIMIT


def fts_suite(store: Store, repeat: int, terms: list[str]) -> dict[str, Any]:
    lat = {}
    for t in terms:
        res = Q.search(store, t)
        lat[t] = {**measure(lambda t=t: Q.search(store, t), repeat), "hits_first_page": len(res["items"]),
                  "matches": _n_matches(store, t)}
        print(f"  search {t!r:32s} median {lat[t]['median_ms']:8.2f} ms  p90 {lat[t]['p90_ms']:8.2f} ms  "
              f"({lat[t]['matches']} matching articles)", file=sys.stderr)
    return lat


FTS_TERMS = ["كوريا الشمالية", "السعودية", "وزير الخارجية", '"مجلس الأمن"', "اليمن الحوثي", "الحوثيين",
             "خادم الحرمين الشريفين", "إيران النووي"]


def saudinewsnet_text_store(data: Path, db: Path) -> dict[str, Any]:
    """All SaudiNewsNet articles, text only (not analysed), into a store: FTS at corpus scale.

    The data is non-commercial: it is read from ../shared and written only to the ignored
    benchmark cache, never into the repository."""
    import zipfile

    from marsad.model import article_id

    if db.exists():
        db.unlink()
    store = open_store(db)
    n = 0
    write_s = 0.0
    for z in sorted(data.glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                recs = json.loads(zf.read(name))
                items = [StoredArticle(id=article_id(r.get("url"), r.get("content") or ""), text=r.get("content") or "",
                                       url=r.get("url"), source=r.get("source"), title=r.get("title") or None,
                                       published=(r.get("date_extracted") or "")[:10] or None, language="ar",
                                       status="not_analysed") for r in recs]
                t0 = time.perf_counter()
                n += store.write_articles(items)
                write_s += time.perf_counter() - t0
    store.close()
    return {"articles": n, "write_seconds": round(write_s, 2), "articles_per_s": round(n / write_s, 1),
            "store_mb": round(db.stat().st_size / 1e6, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=None, help="synthetic store path (default benchmarks/.cache/)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the synthetic store even if cached")
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--corpus-db", help="a store built by marsad ingest: time FTS and timeline on it too")
    ap.add_argument("--saudinewsnet", type=Path, nargs="?", const=ROOT.parent / "shared" / "data" / "saudinewsnet" /
                    "dataset", help="also build a text-only store of SaudiNewsNet (../shared) and time FTS on it")
    ap.add_argument("--skip-synthetic", action="store_true", help="only the corpus measurements")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    result: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_at_start": [round(x, 1) for x in os.getloadavg()]},
        "date": dt.datetime.now().isoformat(timespec="seconds"),
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")  # cached stores stay out of git
    if args.saudinewsnet:
        if not args.saudinewsnet.is_dir():
            print(f"SaudiNewsNet not found at {args.saudinewsnet}: skipping the corpus FTS measurement",
                  file=sys.stderr)
        else:
            sdb = CACHE / "saudinewsnet-text.db"
            if args.rebuild or not sdb.exists():
                print(f"writing SaudiNewsNet (text only) to {sdb}", file=sys.stderr)
                result["saudinewsnet_text_build"] = saudinewsnet_text_store(args.saudinewsnet, sdb)
                print(f"  {result['saudinewsnet_text_build']}", file=sys.stderr)
            open_store(sdb).close()  # upgrades a store cached by an older marsad
            with open_store(sdb, readonly=True) as store:
                print("FTS on SaudiNewsNet (31k articles):", file=sys.stderr)
                result["saudinewsnet_fts"] = fts_suite(store, args.repeat, FTS_TERMS)
    if args.skip_synthetic:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    db = args.db or CACHE / f"synthetic-{args.events}.db"
    meta = Path(str(db) + ".build.json")
    if args.rebuild or not db.exists() or not meta.exists():
        print(f"building a synthetic store of {args.events:,} events at {db}", file=sys.stderr)
        info = build(db, args.events)
        meta.write_text(json.dumps(info, indent=2))
    else:
        info = json.loads(meta.read_text())
        print(f"reusing {db} (built earlier; --rebuild to rebuild)", file=sys.stderr)
    result["synthetic_build"] = info
    print(f"  write: {info['articles_per_s']:,} articles/s, {info['events_per_s']:,} events/s, "
          f"store {info['store_mb']} MB", file=sys.stderr)
    open_store(db).close()  # upgrades a store cached by an older marsad
    with open_store(db, readonly=True) as store:
        print("queries on the synthetic store:", file=sys.stderr)
        result["synthetic_queries"] = query_suite(store, args.repeat, synthetic=True)
    if args.corpus_db:
        with open_store(args.corpus_db, readonly=True) as store:
            print(f"queries on {args.corpus_db}:", file=sys.stderr)
            result["corpus"] = {"store": args.corpus_db, "counts": store.counts(),
                                "fts": fts_suite(store, args.repeat, FTS_TERMS),
                                "queries": query_suite(store, args.repeat, synthetic=False)}
    result["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
