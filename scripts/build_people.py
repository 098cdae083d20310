#!/usr/bin/env python3
"""Check (and mechanically extend) the people files of the actor dictionary.

usage:
  python scripts/build_people.py                 # report: validator, raw-YAML checks, office coverage
  python scripts/build_people.py --corpus        # ... plus alias risk measured on SaudiNewsNet
  python scripts/build_people.py --expand        # add عبد-compound variants in place (idempotent)

The people files (marsad/kb/data/people-*.yaml) are written by hand: office dates come from
what the editors know and check, not from a generator.  This script is what keeps them
honest:

* coverage: for every (office, country) the issue requires since 2000 — heads of state and
  government, foreign and defence ministers of the G20, the Arab League, Iran, Israel,
  Turkey, Ukraine and North Korea — the days nobody holds the office (gaps) and the days two
  people hold it (overlaps beyond a handover day);
* raw-YAML checks the loader cannot see: an office without an explicit ``to`` (an omitted
  end date silently means "still in office");
* alias risk (``--corpus``): a one-word alias that a corpus uses mostly *without* any of the
  actor's longer names is probably an ordinary word (هادي "calm", صالح "good") and belongs
  under ``ambiguous``.  The corpus is read, never copied.
* ``--expand``: Arabic news writes compound names both joined and apart (عبدالله / عبد الله,
  عبدربه / عبد ربه); the matcher compares tokens, so both spellings must be listed.  This
  rewrites each ``ar:``/``ambiguous:`` list in place, adding the missing twin.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.kb import load_kb, validate  # noqa: E402
from marsad.lang.base import load_yaml  # noqa: E402

DATA = ROOT / "marsad" / "kb" / "data"
SHARED = ROOT.parent / "shared" / "data"

G20 = ["ARG", "AUS", "BRA", "CAN", "CHN", "FRA", "DEU", "IND", "IDN", "ITA", "JPN", "KOR", "MEX",
       "RUS", "SAU", "ZAF", "TUR", "GBR", "USA"]
ARAB_LEAGUE = ["DZA", "BHR", "COM", "DJI", "EGY", "IRQ", "JOR", "KWT", "LBN", "LBY", "MRT", "MAR",
               "OMN", "PSE", "QAT", "SAU", "SOM", "SDN", "SYR", "TUN", "ARE", "YEM"]
OTHERS = ["IRN", "ISR", "TUR", "UKR", "PRK"]
REQUIRED = sorted(set(G20 + ARAB_LEAGUE + OTHERS))
# Which office ids answer "head of state" / "head of government" in a country.
HEAD_OF_STATE = {"head_of_state", "king", "emir", "sultan", "leader", "supreme_leader", "council_chair", "emperor"}
HEAD_OF_GOV = {"prime_minister", "chancellor"}
# Countries where nobody holds a separate head-of-government office (the president governs),
# or where the head of state is a foreign monarch.
NO_HEAD_OF_GOV = {"USA", "MEX", "BRA", "ARG", "IDN", "COM", "ZAF"}
NO_HEAD_OF_STATE = {"CAN", "AUS"}
START = "2000-01-01"
# Periods when the office was vacant, held only by acting officials we do not list, or did
# not exist: gaps inside them are expected and not reported.  (country, group, from, to)
EXPECTED_GAPS = [
    ("LBN", "head of state", "2007-11-23", "2008-05-25"), ("LBN", "head of state", "2014-05-25", "2016-10-31"),
    ("LBN", "head of state", "2022-10-30", "2025-01-09"),
    ("IRQ", "head of state", "2003-04-09", "2004-06-28"), ("IRQ", "head of government", "2003-04-09", "2004-06-28"),
    ("IRQ", "foreign minister", "2003-04-09", "2003-09-03"), ("IRQ", "defence minister", "2003-04-09", "2004-06-28"),
    ("IRQ", "defence minister", "2016-08-25", "2017-01-30"), ("IRQ", "defence minister", "2018-10-25", "2019-06-24"),
    ("IRN", "head of government", "1989-07-28", "9999-12-31"), ("TUR", "head of government", "2018-07-09", "9999-12-31"),
    ("SYR", "head of government", "2025-03-29", "9999-12-31"), ("SDN", "head of government", "1989-06-30", "2017-03-02"),
    ("PSE", "head of government", "1994-01-01", "2003-04-30"), ("PSE", "defence minister", "1994-01-01", "9999-12-31"),
    ("LBY", "head of state", "2014-08-04", "2016-03-30"), ("LBY", "defence minister", "1969-09-01", "2021-03-15"),
    ("SYR", "head of state", "2024-12-08", "2025-01-29"), ("CHN", "defence minister", "2023-10-24", "2023-12-29"),
    ("KOR", "head of state", "2025-05-01", "2025-06-04"), ("KOR", "defence minister", "2024-12-05", "2025-07-01"),
    ("DEU", "head of state", "2010-05-31", "2010-06-30"), ("DEU", "head of state", "2012-02-17", "2012-03-18"),
]
PEOPLE_GLOB = "people*.yaml"
COMPOUND_RE = re.compile(r"(?<!\S)عبد (ال\S+|ربه)")
JOINED_RE = re.compile(r"(?<!\S)عبد(ال\S+|ربه)")


def _day(s: str | None, low: bool) -> dt.date | None:
    if not s:
        return None
    if len(s) == 4:
        return dt.date(int(s), 1, 1) if low else dt.date(int(s), 12, 31)
    if len(s) == 7:
        y, m = int(s[:4]), int(s[5:7])
        if low:
            return dt.date(y, m, 1)
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date.fromisoformat(s)


def coverage(kb, today: dt.date) -> list[str]:
    """Gaps (> 31 days) and overlaps (> 1 day) per required (office group, country)."""
    out: list[str] = []
    groups = {"head of state": HEAD_OF_STATE, "head of government": HEAD_OF_GOV,
              "foreign minister": {"foreign_minister"}, "defence minister": {"defence_minister"}}
    start = dt.date.fromisoformat(START)
    for c in REQUIRED:
        for label, ids in groups.items():
            if label == "head of government" and c in NO_HEAD_OF_GOV:
                continue
            if label == "head of state" and c in NO_HEAD_OF_STATE:
                continue
            spans = []
            for e in kb.entries.values():
                for o in e.offices:
                    if o.office in ids and o.country == c:
                        a = _day(o.start, True) or start
                        b = _day(o.end, False) or today
                        if b >= start:
                            vague = any(d is not None and len(d) < 10 for d in (o.start, o.end))
                            spans.append((max(a, start), min(b, today), e.id, o.office, vague))
            spans.sort()
            known = [(dt.date.fromisoformat(a), dt.date.fromisoformat(b))
                     for cc, lab, a, b in EXPECTED_GAPS if cc == c and lab == label]

            def expected(a: dt.date, b: dt.date, known=known) -> bool:
                return any(ka <= a + dt.timedelta(days=31) and b - dt.timedelta(days=31) <= kb_ for ka, kb_ in known)

            cursor = start
            for a, b, who, _, _ in spans:
                if (a - cursor).days > 31 and not expected(cursor, a):
                    out.append(f"{c} {label}: gap {cursor} .. {a} (before {who})")
                cursor = max(cursor, b)
            if (today - cursor).days > 31 and not expected(cursor, today):
                out.append(f"{c} {label}: gap {cursor} .. now")
            for i, (a1, b1, w1, o1, p1) in enumerate(spans):
                for a2, b2, w2, o2, p2 in spans[i + 1:]:
                    if w1 == w2 or o1 != o2:
                        continue
                    days = (min(b1, b2) - max(a1, a2)).days
                    # a handover day is shared; a month-precision handover shares a month
                    if days > (31 if p1 or p2 else 1):
                        out.append(f"{c} {label}: {w1} and {w2} overlap {days} days")
    return out


def raw_checks(paths: list[Path]) -> list[str]:
    out = []
    for p in paths:
        for e in load_yaml(p.read_text("utf-8")) or []:
            for o in e.get("offices") or []:
                if "to" not in o:
                    out.append(f"{p.name}: {e.get('id')}: office {o.get('office')} has no explicit `to`")
                if "from" not in o:
                    out.append(f"{p.name}: {e.get('id')}: office {o.get('office')} has no `from`")
    return out


def corpus_docs(limit: int | None = None):
    for z in sorted(glob.glob(str(SHARED / "saudinewsnet" / "dataset" / "*.zip"))):
        with zipfile.ZipFile(z) as zf:
            for n in zf.namelist():
                if n.endswith(".json"):
                    for a in json.loads(zf.read(n)):
                        yield a.get("content") or ""
                        if limit is not None:
                            limit -= 1
                            if limit <= 0:
                                return


def alias_risk(kb, paths: list[Path], min_docs: int = 15) -> list[str]:
    """One-word aliases that the corpus mostly uses without the actor's longer names."""
    from marsad.text import make_doc

    people = {e["id"] for p in paths for e in load_yaml(p.read_text("utf-8")) or []}
    alone: Counter[tuple[str, str]] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    n = 0
    for text in corpus_docs():
        n += 1
        doc = make_doc(text, kb.lang)
        short: set[tuple[str, str]] = set()
        full: set[str] = set()
        for m in kb.matcher.find_all(doc):
            for h in m.payloads:
                if h.actor_id not in people or h.kind not in ("name",):
                    continue
                if m.j - m.i == 1:
                    short.add((h.actor_id, kb.lang.normalize_key(h.alias)))
                else:
                    full.add(h.actor_id)
        for aid, alias in short:
            seen[(aid, alias)] += 1
            if aid not in full:
                alone[(aid, alias)] += 1
    out = [f"corpus: {n} documents"]
    for (aid, alias), k in sorted(seen.items(), key=lambda x: -alone[x[0]]):
        a = alone[(aid, alias)]
        if a >= min_docs and a / k >= 0.6:
            out.append(f"{aid}: {alias!r} in {k} docs, {a} without a longer name → ambiguous?")
    return out


def expand(paths: list[Path]) -> int:
    """Add the joined/split twin of every عبد-compound alias and drop spellings that fold
    to an alias already listed (أ/ا, ى/ي, ة/ه); returns how many aliases were added."""
    from marsad.lang import get_language
    from marsad.matcher import phrase_keys

    lang = get_language("ar")
    added = 0
    line_re = re.compile(r"^(?P<head>.*?\b(?:ar|ambiguous): \[)(?P<body>[^\[\]]*)(?P<tail>\].*)$")
    for p in paths:
        lines = p.read_text("utf-8").split("\n")
        changed = False
        for k, line in enumerate(lines):
            m = line_re.match(line)
            if not m:
                continue
            items = [x.strip() for x in m["body"].split(",") if x.strip()]
            new = list(items)
            for a in items:
                for twin in (COMPOUND_RE.sub(r"عبد\1", a), JOINED_RE.sub(r"عبد \1", a)):
                    if twin != a and twin not in new:
                        new.append(twin)
                        added += 1
            seen: set[tuple[str, ...]] = set()
            unique = []
            for a in new:
                key = tuple(phrase_keys(a, lang))
                if key not in seen:
                    seen.add(key)
                    unique.append(a)
            new = unique
            if new != items:
                lines[k] = m["head"] + ", ".join(new) + m["tail"]
                changed = True
        if changed:
            p.write_text("\n".join(lines), "utf-8")
    return added


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", action="store_true", help="measure alias risk on SaudiNewsNet")
    ap.add_argument("--min-docs", type=int, default=15, help="alias risk: report aliases seen alone in this many documents")
    ap.add_argument("--expand", action="store_true", help="add عبد-compound twins, drop folded duplicates, in place")
    ap.add_argument("--today", default=dt.date.today().isoformat(), help="end of the coverage window")
    args = ap.parse_args()
    paths = sorted(DATA.glob(PEOPLE_GLOB))
    if args.expand:
        print(f"added {expand(paths)} aliases")
    kb = load_kb()
    names = {p.name for p in paths}
    people = [e for e in kb.entries.values() if e.source_file in names]
    errs = [x for x in validate(kb) if any(n in x for n in names) or "alias" in x]
    print(f"{len(people)} people in {len(paths)} files, "
          f"{sum(len(e.offices) for e in people)} offices, {sum(len(e.ar) for e in people)} aliases")
    for x in errs + raw_checks(paths):
        print("ERROR", x)
    for x in coverage(kb, dt.date.fromisoformat(args.today)):
        print("COVERAGE", x)
    if args.corpus:
        for x in alias_risk(kb, paths, args.min_docs):
            print("RISK", x)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
