"""Scoring against gold files, by the rules of the reference scorer (gold/FORMAT.md).

This is a re-implementation, not a copy: the rules are FORMAT.md's, and a test checks that
the numbers equal those of the reference ``score.py`` on the development gold.  Strings are
compared after the scorer's normalisation (``compare_key``): diacritics and tatweel removed,
alef forms unified, ى → ي, ة → ه, punctuation dropped, spaces collapsed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from marsad.lang.ar.normalize import compare_key as norm

Record = Mapping[str, Any]


def _tokens(s: str) -> list[str]:
    return norm(s).split()


def token_f1(a: str, b: str) -> float:
    ta, tb = Counter(_tokens(a)), Counter(_tokens(b))
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    p, r = common / sum(ta.values()), common / sum(tb.values())
    return 2 * p * r / (p + r)


def _field(x: Any, key: str) -> Any:
    return x.get(key) if isinstance(x, dict) else x


def _mention_texts(actor: Record) -> set[str]:
    out = []
    for m in actor.get("mentions") or []:
        out.append(m.get("text") if isinstance(m, dict) else m)
    return {norm(m) for m in out if m}


def _same_actor(sys_name: str | None, sys_mentions: set[str], gold: Record) -> bool:
    if sys_name and gold.get("name") and norm(sys_name) == norm(gold["name"]):
        return True
    gm = _mention_texts(gold) | {norm(gold.get("name", ""))}
    return bool((sys_mentions | {norm(sys_name or "")}) & gm - {""})


def _group(t: str | None) -> str | None:
    return {"PER": "PER", "ORG": "ORG", "GPE": "ORG"}.get((t or "").upper())


def prf(tp: int, nsys: int, ngold: int) -> dict[str, Any]:
    p = tp / nsys if nsys else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "sys": nsys, "gold": ngold}


def _greedy(pairs: Iterable[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """One-to-one matching, best score first (ties broken as the reference does)."""
    used_i: set[int] = set()
    used_j: set[int] = set()
    out = []
    for _s, i, j in sorted(pairs, reverse=True):
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        out.append((i, j))
    return out


def _speaker_matches(sys_speaker: Any, gold_quote: Record, gold_actors: list[Record]) -> bool:
    name = _field(sys_speaker, "name") or _field(sys_speaker, "text")
    if not name:
        return False
    mentions = set()
    if isinstance(sys_speaker, dict):
        for k in ("text", "surface"):
            if sys_speaker.get(k):
                mentions.add(norm(sys_speaker[k]))
    target = next((a for a in gold_actors if a.get("name") == gold_quote.get("speaker")), None)
    if target is None:
        target = {"name": gold_quote.get("speaker"), "mentions": []}
    return _same_actor(name, mentions, target)


def _code(x: Any) -> Any:
    return _field(x, "country") or None


def score_doc(gold: Record, sysd: Record) -> dict[str, tuple[int, ...]]:
    """Counts for one article: (tp, sys, gold) per layer, (right, of) for accuracies."""
    res: dict[str, tuple[int, ...]] = {}
    g_act = [a for a in gold.get("actors", []) if _group(a.get("type"))]
    s_act = [a for a in sysd.get("actors", []) if _group(a.get("type"))]
    pairs = []
    for i, sa in enumerate(s_act):
        sm = _mention_texts(sa)
        for j, ga in enumerate(g_act):
            if _group(sa.get("type")) == _group(ga.get("type")) and _same_actor(sa.get("name"), sm, ga):
                pairs.append((1.0, i, j))
    res["actors"] = (len(_greedy(pairs)), len(s_act), len(g_act))

    g_q, s_q = gold.get("quotes", []), sysd.get("quotes", [])
    pairs = []
    for i, sq in enumerate(s_q):
        for j, gq in enumerate(g_q):
            f = token_f1(sq.get("text", ""), gq["text"])
            if f >= 0.5:
                pairs.append((f, i, j))
    matched = _greedy(pairs)
    right = sum(_speaker_matches(s_q[i].get("speaker"), g_q[j], gold.get("actors", [])) for i, j in matched)
    res["quotes"] = (len(matched), len(s_q), len(g_q))
    res["quotes+speaker"] = (right, len(s_q), len(g_q))

    g_e, s_e = gold.get("events", []), sysd.get("events", [])
    directed = [(1.0, i, j) for i, se in enumerate(s_e) for j, ge in enumerate(g_e)
                if (_code(se.get("source")), _code(se.get("target")), se.get("type"))
                == (_code(ge.get("source")), _code(ge.get("target")), ge.get("type"))]
    m = _greedy(directed)
    res["events"] = (len(m), len(s_e), len(g_e))
    res["event_mode"] = (sum(s_e[i].get("mode") == g_e[j].get("mode") for i, j in m), len(m))
    dated = [(i, j) for i, j in m if g_e[j].get("date")]
    res["event_date"] = (sum((s_e[i].get("date") or "") == g_e[j]["date"] for i, j in dated), len(dated))
    undirected = [(1.0, i, j) for i, se in enumerate(s_e) for j, ge in enumerate(g_e)
                  if (frozenset([_code(se.get("source")), _code(se.get("target"))]), se.get("type"))
                  == (frozenset([_code(ge.get("source")), _code(ge.get("target"))]), ge.get("type"))]
    res["events_undirected"] = (len(_greedy(undirected)), len(s_e), len(g_e))

    g_t, s_t = gold.get("times", []), sysd.get("times", [])
    pairs = []
    for i, st in enumerate(s_t):
        for j, gt in enumerate(g_t):
            a, b = norm(st.get("text", "")), norm(gt["text"])
            if a and b and (a in b or b in a):
                pairs.append((token_f1(a, b), i, j))
    m = _greedy(pairs)
    res["times"] = (len(m), len(s_t), len(g_t))
    res["time_value"] = (sum(str(s_t[i].get("value")) == g_t[j]["value"] for i, j in m), len(m))
    return res


ORDER = ("actors", "quotes", "quotes+speaker", "events", "events_undirected", "event_mode",
         "event_date", "times", "time_value")


def score(gold: Mapping[str, Record], system: Mapping[str, Record], per_doc: bool = False) -> dict[str, Any]:
    """The report for a set of gold articles and system outputs, keyed by article id."""
    totals: dict[str, tuple[int, ...]] = {}
    docs: dict[str, Any] = {}
    for gid, g in gold.items():
        r = score_doc(g, system.get(gid, {}))
        docs[gid] = r
        for k, v in r.items():
            totals[k] = tuple(a + b for a, b in zip(totals.get(k, (0,) * len(v)), v, strict=True))
    report: dict[str, Any] = {}
    for k in ORDER:
        v = totals.get(k)
        if v is None:
            continue
        if len(v) == 3:
            report[k] = prf(*v)
        else:
            report[k] = {"acc": round(v[0] / v[1], 4) if v[1] else 0.0, "right": v[0], "of": v[1]}
    report["documents"] = {"gold": len(gold), "with_output": sum(1 for g in gold if g in system)}
    if per_doc:
        report["per_doc"] = docs
    return report


def load_gold(gold_dir: str | Path) -> dict[str, dict[str, Any]]:
    """Gold files (*.json) of a directory, keyed by id.  Raises ValueError on a bad file."""
    d = Path(gold_dir)
    if not d.is_dir():
        raise ValueError(f"gold directory {d} does not exist")
    gold: dict[str, dict[str, Any]] = {}
    for p in sorted(d.glob("*.json")):
        try:
            g = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{p}: not a readable gold JSON file: {exc}") from exc
        if not isinstance(g, dict) or "id" not in g or "text" not in g:
            raise ValueError(f"{p}: gold file needs at least 'id' and 'text'")
        gold[g["id"]] = g
    if not gold:
        raise ValueError(f"no gold files (*.json) in {d}")
    return gold


def format_table(report: Mapping[str, Any]) -> str:
    """The report as a human table."""
    lines = [f"{'layer':18s} {'P':>7s} {'R':>7s} {'F1':>7s}   counts"]
    for k in ORDER:
        v = report.get(k)
        if v is None:
            continue
        if "f1" in v:
            lines.append(f"{k:18s} {v['p']:7.3f} {v['r']:7.3f} {v['f1']:7.3f}   tp={v['tp']} sys={v['sys']} gold={v['gold']}")
        else:
            lines.append(f"{k:18s} {'':7s} {'':7s} {v['acc']:7.3f}   accuracy {v['right']}/{v['of']}")
    docs = report.get("documents", {})
    lines.append(f"documents: {docs.get('gold', 0)} gold, {docs.get('with_output', 0)} with output")
    return "\n".join(lines)
