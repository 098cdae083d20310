"""Highlighting an article's text from the stored offsets, without ever writing HTML.

The text is cut at every span boundary into segments; each segment knows which quote, actor
mention, event trigger and date cover it.  The template turns segments into elements and
Jinja escapes every piece of text and every attribute, so article text (scraped, untrusted)
can never become markup.  Spans whose offsets do not match the text are dropped and counted,
not trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("quote", "actor", "trigger", "time")


@dataclass(frozen=True, slots=True)
class Mark:
    """One highlighted span: ``kind`` is one of KINDS, ``index`` its row in the tables."""

    kind: str
    start: int
    end: int
    index: int
    label: str = ""  # tooltip: who, what type, which value


@dataclass(slots=True)
class Segment:
    """A run of text covered by the same marks (at most one of each kind: the innermost)."""

    text: str
    start: int
    end: int
    marks: dict[str, Mark] = field(default_factory=dict)
    first: set[str] = field(default_factory=set)  # kinds whose mark starts here (anchor targets)

    @property
    def link(self) -> Mark | None:
        """The mark a click on this segment goes to: trigger, then actor, then quote, then date."""
        for kind in ("trigger", "actor", "quote", "time"):
            if kind in self.marks:
                return self.marks[kind]
        return None

    @property
    def quote(self) -> Mark | None:
        return self.marks.get("quote")

    def classes(self) -> str:
        return " ".join(f"hl-{k}" for k in KINDS if k in self.marks)


@dataclass
class Highlighted:
    segments: list[Segment]
    dropped: int  # spans whose offsets did not fit the text


def marks_of(analysis: dict[str, Any], actor_labels: list[str] | None = None) -> list[Mark]:
    """The marks of an analysis dict (``Analysis.to_dict()`` shape)."""
    out: list[Mark] = []
    for i, a in enumerate(analysis.get("actors") or []):
        label = (actor_labels[i] if actor_labels and i < len(actor_labels) else None) or a.get("name") or ""
        for m in a.get("mentions") or []:
            out.append(Mark("actor", m["start"], m["end"], i, label))
    for i, q in enumerate(analysis.get("quotes") or []):
        who = (q.get("speaker") or {}).get("name") or ""
        out.append(Mark("quote", q["start"], q["end"], i, f"{q.get('kind', '')} quote: {who}".strip()))
    for i, e in enumerate(analysis.get("events") or []):
        tr = e.get("trigger") or {}
        src = (e.get("source") or {}).get("country") or "?"
        tgt = (e.get("target") or {}).get("country") or "?"
        out.append(Mark("trigger", tr.get("start", -1), tr.get("end", -1), i,
                        f"{e.get('type')} {src}→{tgt} ({e.get('mode')})"))
    for i, t in enumerate(analysis.get("times") or []):
        out.append(Mark("time", t["start"], t["end"], i, t.get("value") or ""))
    return out


def _valid(m: Mark, text: str, expect: str | None) -> bool:
    if not (isinstance(m.start, int) and isinstance(m.end, int)):
        return False
    if not 0 <= m.start < m.end <= len(text):
        return False
    return expect is None or text[m.start:m.end] == expect


def highlight(text: str, analysis: dict[str, Any], actor_labels: list[str] | None = None) -> Highlighted:
    """Cut ``text`` into segments carrying the marks of ``analysis`` (offsets checked)."""
    expected = _expected_texts(analysis)
    marks: list[Mark] = []
    dropped = 0
    for m in marks_of(analysis, actor_labels):
        if _valid(m, text, expected.get((m.kind, m.index, m.start, m.end))):
            marks.append(m)
        else:
            dropped += 1
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    starts: dict[int, list[Mark]] = {}
    for m in marks:
        starts.setdefault(m.start, []).append(m)
    # sweep: marks open at each segment; the innermost (shortest) of each kind wins
    segments: list[Segment] = []
    open_marks: list[Mark] = []
    seen: set[tuple[str, int]] = set()
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        open_marks = [m for m in open_marks if m.end > lo] + starts.get(lo, [])
        seg = Segment(text[lo:hi], lo, hi)
        for m in sorted(open_marks, key=lambda m: (m.end - m.start, m.start)):
            if m.kind not in seg.marks:
                seg.marks[m.kind] = m
        for kind, m in seg.marks.items():
            if (kind, m.index) not in seen:
                seen.add((kind, m.index))
                seg.first.add(kind)
        segments.append(seg)
    return Highlighted(segments, dropped)


def _expected_texts(analysis: dict[str, Any]) -> dict[tuple[str, int, int, int], str]:
    """What each span says it covers, to check against the text at its offsets."""
    out: dict[tuple[str, int, int, int], str] = {}
    for i, a in enumerate(analysis.get("actors") or []):
        for m in a.get("mentions") or []:
            out[("actor", i, m["start"], m["end"])] = m["text"]
    for i, q in enumerate(analysis.get("quotes") or []):
        out[("quote", i, q["start"], q["end"])] = q["text"]
    for i, e in enumerate(analysis.get("events") or []):
        tr = e.get("trigger") or {}
        out[("trigger", i, tr.get("start", -1), tr.get("end", -1))] = tr.get("text", "")
    for i, t in enumerate(analysis.get("times") or []):
        out[("time", i, t["start"], t["end"])] = t["text"]
    return out
