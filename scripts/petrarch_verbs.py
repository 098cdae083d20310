"""List candidate event triggers from UniversalPetrarch's Arabic CAMEO verb dictionary.

The dictionary (openeventdata/UniversalPetrarch, branch ``arabic``, MIT) is lemmatised and
partly machine-translated, so it is not shipped: this script only proposes candidates for
``marsad/lang/ar/data/event_triggers.yaml``, which a person then checks by hand (the curated
lexicon says which entries came from here).  Output: a TSV of lemma, CAMEO code, PLOVER type,
kind (verb = a synonym line with its own code, block = a verb block's default code,
noun = a pattern's object noun) and the English gloss.

    python scripts/petrarch_verbs.py ../shared/data/universalpetrarch_dictionaries/arabic/CAMEO.ar.0.5.txt \
        --type ASSAULT --type PROTEST
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

from marsad.cameo import lookup

_BLOCK_RE = re.compile(r"^---\s+(\S+)\s+\[([0-9-]+)\]\s+---")
_SYN_RE = re.compile(r"^([^\s#\-&+][^#\[]*?)\s*(?:\[(\d+)\])?\s*#\s*(.*)$")
_PATTERN_RE = re.compile(r"^-\s*\*\s*(.*?)\s*\[(\d+)\]")
_WORD_RE = re.compile(r"^[\u0621-\u064a]+$")


def parse(path: Path) -> list[tuple[str, str, str, str]]:
    """(lemma, code, kind, gloss) for every coded item of the verb-pattern section."""
    out: list[tuple[str, str, str, str]] = []
    in_verbs = False
    block_code: str | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("####### VERB PATTERNS"):
            in_verbs = True
            continue
        if not in_verbs or not line:
            continue
        m = _BLOCK_RE.match(line)
        if m:
            block_code = m.group(2) if m.group(2) != "---" else None
            if block_code:
                out.append((m.group(1).replace("+", " "), block_code, "block", ""))
            continue
        m = _PATTERN_RE.match(line)
        if m:
            obj = m.group(1).strip("() {}")
            # keep single-word object nouns: they are nominal trigger candidates
            if _WORD_RE.match(obj):
                out.append((obj, m.group(2), "noun", ""))
            continue
        m = _SYN_RE.match(line)
        if m:
            lemma = m.group(1).strip().replace("+", " ")
            code = m.group(2) or block_code
            if code:
                out.append((lemma, code, "verb", m.group(3).strip()))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dictionary", type=Path, help="CAMEO.ar.0.5.txt")
    ap.add_argument("--type", action="append", default=[], help="PLOVER type(s) to keep (default: all)")
    ap.add_argument("--min-count", type=int, default=1, help="keep lemmas seen at least this often per code")
    args = ap.parse_args(argv)
    if not args.dictionary.is_file():
        print(f"error: {args.dictionary} not found", file=sys.stderr)
        return 2
    wanted = {t.upper() for t in args.type}
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    glosses: dict[tuple[str, str, str], str] = {}
    for lemma, code, kind, gloss in parse(args.dictionary):
        counts[(lemma, code, kind)] += 1
        glosses.setdefault((lemma, code, kind), gloss)
    print("lemma\tcameo\tplover\tkind\tcount\tgloss")
    for (lemma, code, kind), n in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        entry = lookup(code)
        plover = entry.plover if entry else None
        if n < args.min_count or (wanted and plover not in wanted):
            continue
        print(f"{lemma}\t{code}\t{plover or ''}\t{kind}\t{n}\t{glosses[(lemma, code, kind)]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
