"""`marsad eval` must agree with the reference scorer (../shared/gold/score.py) exactly.

The reference scorer and the dev gold are not ours to ship, so these tests read them from
../shared and skip when it is absent (they fail under MARSAD_ALL_TESTS=1 only if the shared
folder is there but the scorer is not).  Agreement is checked on the pipeline's own output and
on deliberately damaged versions of it (items dropped, speakers and directions swapped, modes
and dates changed), so that a scorer that agrees only on one output would be caught.
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SHARED

from marsad.cli import main

SCORE_PY = SHARED / "gold" / "score.py"
DEV = SHARED / "gold" / "dev"
HELD_OUT = ROOT / "tests" / "gold"

pytestmark = pytest.mark.skipif(not SCORE_PY.exists() or not DEV.is_dir(),
                                reason="needs ../shared/gold (score.py and the dev gold)")


def _reference(gold: Path, system: Path) -> dict:
    out = subprocess.run([sys.executable, str(SCORE_PY), str(gold), str(system), "--json", "--per-doc"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _ours(gold: Path, system: Path) -> dict:
    r = CliRunner().invoke(main, ["eval", str(gold), "--system", str(system), "--json", "--per-doc"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def _comparable(rep: dict) -> dict:
    """The layers both scorers report, with per-document counts as lists."""
    out = {k: v for k, v in rep.items() if k != "per_doc"}
    out["per_doc"] = {d: {k: list(v) for k, v in layers.items()} for d, layers in rep.get("per_doc", {}).items()}
    return out


@pytest.fixture(scope="module")
def dev_output(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("eval") / "dev.jsonl"
    r = CliRunner().invoke(main, ["eval", str(DEV), "--out", str(path), "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return path


def test_agrees_with_score_py_on_dev(dev_output):
    assert _comparable(_ours(DEV, dev_output)) == _comparable(_reference(DEV, dev_output))


def _damage(rec: dict, rng: random.Random) -> dict:
    rec = copy.deepcopy(rec)
    for layer in ("actors", "quotes", "events", "times"):
        rec[layer] = [x for x in rec[layer] if rng.random() > 0.3]
    for q in rec["quotes"]:
        if q.get("speaker") and rng.random() < 0.3:
            q["speaker"] = None
    for e in rec["events"]:
        if rng.random() < 0.3:
            e["source"], e["target"] = e["target"], e["source"]
        if rng.random() < 0.3:
            e["mode"] = "asserted" if e["mode"] != "asserted" else "claimed"
        if rng.random() < 0.3:
            e["date"] = None
    for t in rec["times"]:
        if rng.random() < 0.3:
            t["value"] = "1999"
    return rec


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_score_py_on_damaged_output(dev_output, tmp_path, seed):
    rng = random.Random(seed)
    recs = [json.loads(line) for line in dev_output.read_text(encoding="utf-8").splitlines() if line.strip()]
    damaged = [_damage(r, rng) for r in recs]
    damaged = damaged[: len(damaged) - 2]  # two articles without output: all their recall is lost
    system = tmp_path / "damaged.jsonl"
    system.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in damaged), encoding="utf-8")
    ours, ref = _ours(DEV, system), _reference(DEV, system)
    assert _comparable(ours) == _comparable(ref)
    assert ours["documents"]["with_output"] == len(recs) - 2


def test_agrees_with_score_py_on_held_out_gold(tmp_path):
    path = tmp_path / "held.jsonl"
    r = CliRunner().invoke(main, ["eval", str(HELD_OUT), "--out", str(path), "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert _comparable(_ours(HELD_OUT, path)) == _comparable(_reference(HELD_OUT, path))
