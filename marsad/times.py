"""Time expressions: find them in a Doc and place them on the calendar.

Values are ISO 8601 at the precision the text supports: ``YYYY-MM-DD``, ``YYYY-Www`` (ISO
week), ``YYYY-MM`` or ``YYYY``.  Relative expressions are resolved against the publication
date; without one they are still reported, with ``value=None``.

How it works.  The words (month and weekday names, relative words, units, ordinals) live in
the language package's ``times.yaml``; this module knows only the shapes.  One
:class:`~marsad.matcher.PhraseMatcher` finds the *heads* (a month name, a weekday, اليوم/أمس,
الشهر/العام, a duration unit) and a regex finds digit runs.  From each head a small
hand-written grammar looks a few tokens back (day number, ordinal, part of day, trigger such
as منذ) and forward (second month name, year, direction word such as الماضي), and the
longest reading wins.  Only tokens near a head are ever examined, which keeps the stage at a
fraction of a millisecond per article.

Resolution rules (documented in docs/times.md too):

- weekday: the most recent one on or before the anchor day (publication day; the day before
  after أمس; the day after, forward, after غدا); الماضي → strictly before; المقبل → after;
- a month without a year: the nearest occurrence, past preferred (a future month wins only
  when it is at most two months ahead); الماضي/المقبل/الجاري force past/next/current;
  a day and month without a year: the same, counted in days;
- الأسبوع/الشهر/العام + الماضي/الجاري/المقبل: the previous/current/next week, month, year;
  نهاية/أواخر (مطلع/بداية) of a year narrows it to December (January);
- منذ/قبل/بعد + duration: the point that far back (forward for بعد) at the unit's precision
  (days → day, weeks → ISO week, months → month, years → year), except that one year
  ("قبل عام") or a year and a half resolve to the month;
- الأيام/الأسابيع/الأشهر الأخيرة (and منذ أيام): the month around their middle (3 days,
  2 weeks, 2 months back);
- Hijri dates are converted with hijridate (Umm al-Qura); a Hijri month alone becomes the
  Gregorian month of its 15th day; a Hijri year alone becomes the Gregorian year that holds
  most of its days (1436 هـ → 2015).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from hijridate import Gregorian, Hijri

from marsad.lang.base import Language
from marsad.matcher import Match, PhraseMatcher
from marsad.model import TimeExpr
from marsad.text import Doc, Token

_DIGITS_RE = re.compile(r"[0-9٠-٩۰-۹]+")
_FOLD_DIGITS = str.maketrans({**{chr(0x0660 + i): str(i) for i in range(10)},
                              **{chr(0x06F0 + i): str(i) for i in range(10)}})
_DMY_RE = re.compile(r"(\d{1,2})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{4})(?!\d)")
_YMD_RE = re.compile(r"(\d{4})\s?([/.\-])\s?(\d{1,2})\s?\2\s?(\d{1,2})(?!\d)")
_RANGE_RE = re.compile(r"\s*[-–—/]\s*(\d{4}|\d{2})(?!\d)")
_YEAR_KEY_RE = re.compile(r"^(\d{4})(م|ه)?$")
_DAY_KEY_RE = re.compile(r"^(?:ال)?(\d{1,2})$")
_MARKED_KEY_RE = re.compile(r"^\d+(?:م|ه)$")
_NUM_KEY_RE = re.compile(r"^\d{1,3}$")
_SEPARATORS = frozenset("/-–—()")

# Typical offset (days) of the middle of "the last few hours/days/weeks/months".
_RECENT_DAYS = {"hour": 0, "day": 3, "week": 14, "month": 60}
# A future month or day wins over the past one only when it is this many times nearer.
_FUTURE_COST = 3


@dataclass(frozen=True, slots=True)
class _Head:
    """What a head word is: ``kind`` and its value (month number, weekday, unit ...)."""

    kind: str  # month | hmonth | weekday | relday | period | plural | unit | feast
    val: Any
    count: int = 0  # units: 1 (singular), 2 (dual), 0 (plural); months: 1 if ambiguous
    word: str = ""  # the lexicon entry's key, for word-specific rules


@dataclass(frozen=True, slots=True)
class _Found:
    i: int  # first token
    j: int  # one past the last token
    start: int
    end: int
    value: str | None


class _Phrases:
    """A small set of phrases (token-key tuples) for looking a few tokens back or forward.

    Indexed by first and by last key, so that a look-up costs one dict access in the usual
    case where nothing matches.
    """

    def __init__(self, lang: Language, phrases: dict[str, Any]) -> None:
        self.lang = lang
        self.by_keys: dict[tuple[str, ...], Any] = {}
        for phrase, val in phrases.items():
            keys = tuple(lang.normalize_key(w) for w in str(phrase).split())
            if keys:
                self.by_keys.setdefault(keys, val)
        self.by_first: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        self.by_last: dict[str, list[tuple[tuple[str, ...], Any]]] = {}
        for keys, val in sorted(self.by_keys.items(), key=lambda kv: -len(kv[0])):
            self.by_first.setdefault(keys[0], []).append((keys, val))
            if len(keys) > 1:
                self.by_last.setdefault(keys[-1], []).append((keys, val))

    def forward(self, toks: list[Token], j: int, limit: int) -> tuple[int, Any] | None:
        """The longest phrase starting at token j: (tokens used, value)."""
        for keys, val in self.by_first.get(toks[j].key, ()):
            n = len(keys)
            if j + n <= limit and all(toks[j + k].key == keys[k] for k in range(1, n)):
                return n, val
        return None

    def backward(self, toks: list[Token], i: int, floor: int) -> tuple[int, int, Any] | None:
        """The longest phrase ending just before token i, no earlier than ``floor``.

        Returns (first token, clitic length in the first token's key, value); the first token
        may carry a proclitic (وخلال, ومساء, لعام).
        """
        if i - 1 < floor:
            return None
        variants = self.lang.prefix_variants
        for keys, val in self.by_last.get(toks[i - 1].key, ()):
            n = len(keys)
            if i - n < floor or not all(toks[i - n + k].key == keys[k] for k in range(1, n - 1)):
                continue
            for cut, stem in variants(toks[i - n].key, False):
                if stem == keys[0]:
                    return i - n, cut, val
        by_keys = self.by_keys
        for cut, stem in variants(toks[i - 1].key, False):
            if (stem,) in by_keys:
                return i - 1, cut, by_keys[(stem,)]
        return None


class TimeLexicon:
    """The compiled ``times.yaml`` of one language."""

    def __init__(self, lang: Language) -> None:
        data = lang.data("times.yaml")
        self.lang = lang
        key = lang.normalize_key
        m: PhraseMatcher[_Head] = PhraseMatcher(lang, article=False)
        ambiguous = {key(w) for w in data.get("ambiguous_months", [])}
        for num, names in data["months"].items():
            for name in names:
                m.add(name, _Head("month", int(num), int(key(name) in ambiguous)))
        for num, names in data["hijri_months"].items():
            for name in names:
                m.add(name, _Head("hmonth", int(num), 1, key(name)))
        for name, md in (data.get("hijri_feasts") or {}).items():
            m.add(name, _Head("feast", (int(md[0]), int(md[1]))))
        for num, names in data["weekdays"].items():
            for name in names:
                m.add(name, _Head("weekday", int(num)))
        for off, names in data["relative_days"].items():
            for name in names:
                m.add(name, _Head("relday", int(off), word=key(name)))
        for unit, names in data["periods"].items():
            for name in names:
                m.add(name, _Head("period", unit))
        for unit, names in data["recent_plurals"].items():
            for name in names:
                m.add(name, _Head("plural", unit))
        for unit, forms in data["units"].items():
            for form, count in (("one", 1), ("two", 2), ("many", 0)):
                for name in forms.get(form, []):
                    m.add(name, _Head("unit", unit, count))
        self.matcher = m

        def words(name: str) -> frozenset[str]:
            return frozenset(key(w) for w in data.get(name, []))

        def phrases(mapping: dict[str, Any]) -> _Phrases:
            return _Phrases(lang, mapping)

        def flat(name: str, val: Any = True) -> dict[str, Any]:
            return {w: val for w in data.get(name, [])}

        self.weekday_not_before = words("weekday_not_before")
        self.weekday_not_after = words("weekday_not_after")
        self.weekday_habitual = words("weekday_habitual")
        self.weekday_anchor_off = {key(w): int(off) for off, ws in data.get("weekday_anchors", {}).items()
                                   for w in ws}
        self.weekday_anchors = frozenset(self.weekday_anchor_off)
        self.today_not_after = words("today_not_after")
        self.today_words = words("today_words")
        self.relday_needs_context = words("relday_needs_context")
        self.relday_not_before = {key(w): frozenset(key(x) for x in xs)
                                  for w, xs in (data.get("relday_not_before") or {}).items()}
        self.today_not_before = words("today_not_before")
        self.day_adjectives = words("day_adjectives")
        self.adjective_suffixes = tuple(key(w) for w in data.get("adjective_suffixes", []))
        self.not_definite = words("not_definite")
        self.outlet_nouns = words("outlet_nouns")
        self.counted_nouns = words("counted_nouns")
        self.year_events = words("year_events")
        self.year_followers = words("year_followers")
        self.date_not_after = words("date_not_after")
        self.strict_months = words("strict_months")
        self.day_parts = phrases(flat("day_parts"))
        self.day_words = words("day_words")
        self.month_words = words("month_words")
        self.directions = phrases({w: d for d, ws in data["directions"].items() for w in ws})
        self.period_qualifiers = words("period_qualifiers")
        self.this_words = words("this_words")
        self.recent_fillers = phrases(flat("recent_fillers"))
        self.recent_last = words("recent_last")
        self.numbers = phrases({w: int(n) for n, ws in data["numbers"].items() for w in ws})
        self.half = words("half")
        self.duration_fillers = words("duration_fillers")
        self.anchor_links = words("anchor_links")
        self.triggers = phrases({w: d for d, ws in data["duration_triggers"].items() for w in ws})
        self.approximators = phrases(flat("approximators"))
        ords: dict[str, int] = {w: int(n) for n, ws in data["ordinals"].items() for w in ws}
        for n, ws in data["ordinal_units"].items():
            for w in ws:
                for teen in data.get("ordinal_teen", []):
                    ords.setdefault(f"{w} {teen}", 10 + int(n))
                for tens, tws in data.get("ordinal_tens", {}).items():
                    for tw in tws:
                        ords.setdefault(f"{w} {tw}", int(tens) + int(n))
        self.ordinals = phrases(ords)
        self.ordinal_links = phrases(flat("ordinal_links"))
        self.year_words = words("year_words")
        self.year_prepositions = words("year_prepositions")
        self.year_markers = phrases({w: "g" for w in data["year_markers"]["gregorian"]}
                                    | {w: "h" for w in data["year_markers"]["hijri"]})
        self.period_parts = phrases({w: p for p, ws in data["period_parts"].items() for w in ws})
        self.recurring = phrases(flat("recurring"))
        self.feast_days = phrases({w: int(n) for n, ws in (data.get("feast_days") or {}).items() for w in ws})
        self.leading = phrases(flat("leading_prepositions"))


def lexicon(lang: Language) -> TimeLexicon:
    """The compiled time lexicon of ``lang`` (built once, kept in the language's cache)."""
    lex = lang.cache.get("times")
    if lex is None:
        lex = lang.cache["times"] = TimeLexicon(lang)
    return lex


# ---------------------------------------------------------------------------------------
# calendar arithmetic


def _day(d: dt.date) -> str:
    return d.isoformat()


def _week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def _month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _weekday_date(anchor: dt.date, wd: int, mode: str) -> dt.date:
    """The weekday ``wd`` relative to ``anchor``: on/before (default), before, after, on/after."""
    back = (anchor.weekday() - wd) % 7
    ahead = (wd - anchor.weekday()) % 7
    if mode == "past":
        return anchor - dt.timedelta(days=back or 7)
    if mode == "next":
        return anchor + dt.timedelta(days=ahead or 7)
    if mode == "onafter":
        return anchor + dt.timedelta(days=ahead)
    return anchor - dt.timedelta(days=back)


def _pick(cands: list[tuple[int, Any]], mode: str | None) -> Any:
    """Choose among (signed distance from publication, value) candidates.

    past: the nearest at or before (strictly before when the distance unit is a month and the
    mode says so is handled by the caller); next: the nearest after; current: distance 0 side;
    None: the nearest, a future one costing ``_FUTURE_COST`` times its distance.
    """
    if mode == "past":
        ok = [c for c in cands if c[0] < 0]
        return max(ok, key=lambda c: c[0])[1] if ok else None
    if mode == "next":
        ok = [c for c in cands if c[0] > 0]
        return min(ok, key=lambda c: c[0])[1] if ok else None
    best = min(cands, key=lambda c: (-c[0] if c[0] <= 0 else _FUTURE_COST * c[0], c[0] > 0))
    return best[1]


def _resolve_month(pub: dt.date, month: int, mode: str | None) -> str:
    if mode == "current":
        return _month(pub.year, month)
    cands = [((y - pub.year) * 12 + month - pub.month, _month(y, month))
             for y in (pub.year - 1, pub.year, pub.year + 1)]
    if mode is None:
        return _pick(cands, None)
    # الماضي: strictly before this month; المقبل: strictly after
    return _pick(cands, mode)


def _resolve_day(pub: dt.date, month: int, day: int, mode: str | None) -> str | None:
    if mode == "current":
        return _safe_day(pub.year, month, day)
    cands = []
    for y in range(pub.year - 4, pub.year + 2):  # 29 February needs a leap year
        v = _safe_day(y, month, day)
        if v:
            cands.append(((dt.date.fromisoformat(v) - pub).days, v))
    if not cands:
        return None
    if mode == "past":
        ok = [c for c in cands if c[0] <= 0]
        return max(ok)[1] if ok else None
    return _pick(cands, mode)


def _safe_day(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _hijri_to_greg(y: int, m: int, d: int) -> dt.date | None:
    try:
        g = Hijri(y, m, d).to_gregorian()
    except (ValueError, OverflowError):
        return None
    return dt.date(g.year, g.month, g.day)


def _hijri_year(y: int) -> str | None:
    """The Gregorian year that holds most of Hijri year ``y``."""
    a, b = _hijri_to_greg(y, 1, 1), _hijri_to_greg(y + 1, 1, 1)
    if a is None:
        return None
    if b is None:
        return f"{a.year:04d}"
    if a.year == b.year:
        return f"{a.year:04d}"
    in_first = (dt.date(a.year, 12, 31) - a).days + 1
    in_second = (b - dt.date(b.year, 1, 1)).days
    return f"{a.year if in_first >= in_second else b.year:04d}"


def _hijri_nearest(pub: dt.date, month: int, day: int | None, mode: str | None) -> str | None:
    try:
        hy = Gregorian(pub.year, pub.month, pub.day).to_hijri().year
    except (ValueError, OverflowError):
        return None
    cands = []
    for y in (hy - 1, hy, hy + 1):
        g = _hijri_to_greg(y, month, day or 15)
        if g is not None:
            cands.append(((g - pub).days, g))
    if not cands:
        return None
    g = _pick(cands, mode if mode != "current" else None)
    if g is None:
        return None
    return g.isoformat() if day else _month(g.year, g.month)


# ---------------------------------------------------------------------------------------
# the grammar


class _Parser:
    """Reads time expressions around head words of one doc."""

    def __init__(self, doc: Doc, lex: TimeLexicon, pub: dt.date | None,
                 heads: dict[int, list[Match[_Head]]]) -> None:
        self.doc = doc
        self.heads = heads
        self.toks = doc.tokens
        self.n = len(doc.tokens)
        self.lex = lex
        self.pub = pub
        self.floor = 0  # tokens before this belong to an earlier expression

    # -- small helpers ------------------------------------------------------------------

    def heads_at(self, k: int, kind: str, clitic: bool = False) -> list[tuple[Match[_Head], _Head]]:
        """Head words of ``kind`` starting at token k (longest first), optionally clitic-free."""
        out = [(m, h) for m in self.heads.get(k, ()) if clitic or not m.prefix
               for h in m.payloads if h.kind == kind]
        out.sort(key=lambda mh: -mh[0].j)
        return out

    def key(self, i: int) -> str:
        return self.toks[i].key if 0 <= i < self.n else ""

    def same_sent(self, a: int, b: int) -> bool:
        return self.toks[a].sent == self.toks[b].sent

    def adjacent(self, a: int, b: int) -> bool:
        """Tokens a < b are in one sentence and separated only by spaces (no newline)."""
        if not (0 <= a < b < self.n) or not self.same_sent(a, b):
            return False
        gap = self.doc.text[self.toks[a].end:self.toks[b].start]
        return "\n" not in gap

    def fwd(self, phrases: _Phrases, j: int) -> tuple[int, Any] | None:
        if j >= self.n:
            return None
        r = phrases.forward(self.toks, j, self.n)
        if r and self.same_sent(j, j + r[0] - 1):
            return r
        return None

    def back(self, phrases: _Phrases, i: int) -> tuple[int, int, Any] | None:
        r = phrases.backward(self.toks, i, self.floor)
        if r and self.same_sent(r[0], i - 1 if i > 0 else 0) and (i >= self.n or self.same_sent(r[0], i)):
            return r
        return None

    def start_of(self, i: int, cut: int) -> int:
        """Character offset of token i after removing a ``cut``-character proclitic."""
        tok = self.toks[i]
        if not cut:
            return tok.start
        if len(tok.key) == len(tok.text):
            return tok.start + cut
        _, idx = self.lex.lang.key_with_offsets(tok.text)
        return tok.start + idx[cut] if cut < len(idx) else tok.end

    def found(self, i: int, cut: int, j: int, value: str | None) -> _Found:
        return _Found(i, j, self.start_of(i, cut), self.toks[j - 1].end, value)

    def word_in(self, i: int, words: frozenset[str], clitics: bool = False) -> bool:
        if not 0 <= i < self.n:
            return False
        k = self.toks[i].key
        if k in words:
            return True
        if clitics:
            return any(s in words for _, s in self.lex.lang.prefix_variants(k, False))
        return False

    def is_def_word(self, i: int) -> bool:
        """A word with the definite article (not إلى/إلا, whose keys look like one)."""
        t = self.toks[i] if 0 <= i < self.n else None
        return bool(t and t.is_word and t.key.startswith("ال") and not t.key[2:3].isdigit()
                    and t.key not in self.lex.not_definite)

    def is_adjective(self, i: int) -> bool:
        """A definite word that describes a preceding noun: اليوم التالي، اليوم الوطني، اليوم الأول."""
        lex = self.lex
        if not self.is_def_word(i):
            return False
        k = self.toks[i].key
        return (k in lex.day_adjectives or k.endswith(lex.adjective_suffixes)
                or lex.ordinals.forward(self.toks, i, self.n) is not None)

    def direction(self, j: int) -> tuple[int, str, int] | None:
        """A direction word at token j: (tokens used, past|next|current, steps).

        الماضي → past 1, قبل الماضي → past 2, المقبل → next 1, الجاري → current 0.
        """
        if j >= self.n:
            return None
        r = self.fwd(self.lex.directions, j)
        if not r:
            return None
        mode = r[1]
        step = 2 if mode.endswith("2") else (0 if mode == "current" else 1)
        return r[0], mode.rstrip("2"), step

    def year_at(self, j: int) -> tuple[int, int, str] | None:
        """A four-digit year at token j (with its marker): (tokens used, year, calendar)."""
        if j >= self.n:
            return None
        m = _YEAR_KEY_RE.match(self.key(j))
        if not m:
            return None
        y, cal = int(m.group(1)), {"م": "g", "ه": "h"}.get(m.group(2) or "", "")
        used = 1
        if not cal:
            mk = self.fwd(self.lex.year_markers, j + 1)
            if mk:
                used += mk[0]
                cal = mk[1]
        return used, y, cal

    # -- rules --------------------------------------------------------------------------

    def parse(self, i: int, heads: list[Match[_Head]]) -> _Found | None:
        best: _Found | None = None
        cands: list[_Found | None] = []
        if not heads:
            cands += [self.numeric_date(i), self.year(i), self.duration(i, None)]
        for m in heads:
            for h in m.payloads:
                j = m.j
                cut = len(m.prefix)
                if h.kind in ("month", "hmonth"):
                    cands.append(self.month(i, cut, j, h))
                elif h.kind == "weekday":
                    cands.append(self.weekday(i, cut, j, h.val))
                elif h.kind == "relday":
                    cands.append(self.relday(i, cut, j, h.val, h.word, m.prefix))
                elif h.kind == "feast":
                    cands.append(self.feast(i, cut, j, h.val))
                elif h.kind == "period":
                    cands.append(self.period(i, cut, j, h.val))
                elif h.kind == "plural":
                    cands.append(self.plural(i, cut, j, h.val, None))
                elif h.kind == "unit" and not cut_is_article(m.prefix):
                    cands.append(self.duration(i, (j, h)))
        for f in cands:
            if f and (best is None or (f.end - f.start) > (best.end - best.start)):
                best = f
        return best

    def leading(self, i: int, cut: int) -> tuple[int, int]:
        """Extend back over خلال/طوال (kept in the text, as annotators do)."""
        r = self.back(self.lex.leading, i) if not cut else None
        return (r[0], r[1]) if r else (i, cut)

    def numeric_date(self, i: int) -> _Found | None:
        tok = self.toks[i]
        s = self.doc.text[tok.start:tok.start + 24].translate(_FOLD_DIGITS)
        m = _YMD_RE.match(s)
        if m:
            y, mo, d = int(m.group(1)), int(m.group(3)), int(m.group(4))
        else:
            m = _DMY_RE.match(s)
            if not m:
                return None
            d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        if 1300 <= y <= 1600:
            g = _hijri_to_greg(y, mo, d)
            value = g.isoformat() if g else None
        elif 1800 <= y <= 2200:
            value = _safe_day(y, mo, d)
        else:
            return None
        if value is None:
            return None
        end = tok.start + m.end()
        j, end = self.through(i, end)
        r = self.fwd(self.lex.year_markers, j)
        if r:
            j += r[0]
            end = self.toks[j - 1].end
        return _Found(i, j, tok.start, end, value)

    def through(self, i: int, end: int) -> tuple[int, int]:
        """Token index after character ``end`` (from token i), taking in a glued year marker.

        "1436هـ" and "2015م" are one token: a regex match that stops at the digits still
        takes the whole token when the rest of it is a calendar marker.
        """
        j = i
        while j < self.n and self.toks[j].end <= end:
            j += 1
        if j < self.n and self.toks[j].start < end:
            m = _MARKED_KEY_RE.match(self.toks[j].key)
            if m:
                end = self.toks[j].end
                j += 1
        return j, end

    def year(self, i: int) -> _Found | None:
        """A year in a year context: عام 2015, في 2011, انتفاضة 2011, 2015م, 1436هـ, 2015-2016."""
        ya = self.year_at(i)
        if not ya:
            return None
        used, y, cal = ya
        j = i + used
        lex = self.lex
        # a range "2015-2016", "2015/16", "1436/1437هـ": the first year
        if used == 1:
            tail = self.doc.text[self.toks[i].end:self.toks[i].end + 12].translate(_FOLD_DIGITS)
            m = _RANGE_RE.match(tail)
            if m:
                j, _ = self.through(i, self.toks[i].end + m.end())
                mk = self.fwd(lex.year_markers, j)
                if mk:
                    j += mk[0]
                    cal = mk[1]
                elif self.toks[j - 1].key.endswith("ه"):
                    cal = "h"
        start_i, cut = i, 0
        strong = bool(cal)
        if i > self.floor and self.adjacent(i - 1, i):
            if self.word_in(i - 1, lex.year_words, clitics=True):
                strong = True
                start_i = i - 1
                cut = self.clitic_of(i - 1, lex.year_words)
            elif self.word_in(i - 1, lex.year_events, clitics=True):
                strong = True
            elif self.word_in(i - 1, lex.year_prepositions, clitics=True) and not self.counted(y, j):
                strong = True
        if not strong:
            return None
        if not cal and 1300 <= y <= 1600 and start_i < i:
            cal = "h"  # عام 1436: a Hijri year written without هـ
        if cal == "h":
            value = _hijri_year(y)
        elif 1900 <= y <= 2099:
            value = f"{y:04d}"
        else:
            return None
        pr = self.back(lex.period_parts, start_i) if not cut else None
        if pr:
            start_i, cut, part = pr
            value = self.narrow(value, part)
        return self.found(start_i, cut, j, value)

    def counted(self, y: int, j: int) -> bool:
        """Whether the number before token j counts things (في 2000 منزل) rather than dates."""
        if j >= self.n or not self.same_sent(j - 1, j):
            return False
        if self.word_in(j, self.lex.counted_nouns, clitics=True):
            return True
        # a round number followed by a word that is not a function word: الى 2000 مسجد
        return y % 100 == 0 and self.toks[j].is_word and not self.toks[j].key[:1].isdigit() \
            and not self.word_in(j, self.lex.year_followers)

    def clitic_of(self, i: int, words: frozenset[str]) -> int:
        for n, s in self.lex.lang.prefix_variants(self.toks[i].key, False):
            if s in words:
                return n
        return 0

    @staticmethod
    def narrow(value: str | None, part: str | None) -> str | None:
        if value and len(value) == 4 and part in ("start", "end"):
            return value + ("-01" if part == "start" else "-12")
        return value

    def day_before(self, i: int) -> tuple[int, int, int] | None:
        """A day of the month just before token i: (first token, clitic cut, day).

        14 يوليو، الـ14 من يوليو، 7 / يوليو، السابع من تموز، الحادي والعشرين من شهر.  A number
        after مدينة/شارع/ميدان names a place (مدينة 6 أكتوبر), not a day.
        """
        lex = self.lex
        k = i - 1
        if k >= self.floor and self.adjacent(k, i):
            skip = 1 if self.key(k) in ("من", "/", "-") else 0
            d = k - skip
            m = _DAY_KEY_RE.match(self.key(d)) if d >= self.floor else None
            if m and 1 <= int(m.group(1)) <= 31:
                if d - 1 >= 0 and self.word_in(d - 1, lex.date_not_after, clitics=True):
                    return d, 0, 0  # day 0: a place name, the caller drops the whole phrase
                first = d
                if self.key(d - 1) == "ال" and d - 1 >= self.floor:  # الـ 14 من
                    first = d - 1
                return first, 0, int(m.group(1))
        link = self.back(lex.ordinal_links, i)
        at = link[0] if link else i
        r = self.back(lex.ordinals, at)
        if r:
            return r[0], r[1], int(r[2])
        return None

    def with_day_word(self, i: int, cut: int) -> tuple[int, int]:
        """Extend back over يوم (and a part of the day before it)."""
        if not cut and i - 1 >= self.floor and self.adjacent(i - 1, i) and self.word_in(
                i - 1, self.lex.day_words, clitics=True):
            i, cut = i - 1, self.clitic_of(i - 1, self.lex.day_words)
        if not cut:
            r = self.back(self.lex.day_parts, i)
            if r:
                i, cut = r[0], r[1]
        return i, cut

    def month(self, i: int, cut: int, j: int, h: _Head) -> _Found | None:
        lex = self.lex
        hijri = h.kind == "hmonth"
        month = h.val
        context = False
        # a second name of the same month: سبتمبر/ أيلول، آذار (مارس)، نيسان - إبريل، يوليو تموز
        j, paired = self.month_pair(j, month, hijri)
        context |= paired
        # a year: مارس 2015، رمضان 1436 هـ، مارس من العام الماضي
        year: int | None = None
        cal = ""
        mode: str | None = None
        rel_year: str | None = None
        slash = 1 if j < self.n and self.toks[j].text in "/-" else 0  # 7 / يوليو /2015
        ya = self.year_at(j + slash)
        if ya and (ya[2] or (1900 <= ya[1] <= 2099 and not hijri) or (hijri and 1300 <= ya[1] <= 1600)):
            j += slash + ya[0]
            year, cal = ya[1], ya[2] or ("h" if hijri else "g")
            context = True
        elif self.key(j) == "من" and j + 1 < self.n:
            ya = self.year_at(j + 2) if self.key(j + 1) in lex.year_words else self.year_at(j + 1)
            if ya and self.key(j + 1) in lex.year_words:
                j += 2 + ya[0]
                year, cal = ya[1], ya[2] or ("h" if hijri else "g")
                context = True
            elif self.key(j + 1) in lex.year_words and not hijri:
                d = self.direction(j + 2)
                if d and self.pub:
                    off = {"past": -d[2], "next": d[2], "current": 0}[d[1]]
                    rel_year = str(self.pub.year + off)
                    j += 2 + d[0]
                    context = True
        if year is None and rel_year is None:
            d = self.direction(j)
            if d:
                j += d[0]
                mode = d[1]
                context = True
        # before: a day (14 يوليو، الـ 14 من يوليو، السابع من تموز), شهر, a preposition
        start_i, start_cut = i, cut
        day: int | None = None
        if not cut:
            db = self.day_before(i)
            if db and not db[2]:
                return None
            if db:
                start_i, start_cut, day = db
                # "4/ صفر" is a score: a strict month needs more than a bare number before it
                context = context or h.word not in lex.strict_months or not (
                    self.key(i - 1)[:1].isdigit() or self.key(i - 1) in ("/", "-"))
                start_i, start_cut = self.with_day_word(start_i, start_cut)
            elif i - 1 >= self.floor and self.adjacent(i - 1, i) and self.word_in(
                    i - 1, lex.month_words, clitics=True):
                start_i, start_cut = i - 1, self.clitic_of(i - 1, lex.month_words)
                context = True
                db = self.day_before(start_i) if not start_cut else None
                if db and db[2]:  # الـ 28 من شهر ذي الحجة
                    start_i, start_cut, day = db
                    start_i, start_cut = self.with_day_word(start_i, start_cut)
        if not context and h.count:
            if hijri or cut:  # في باب is not في آب
                return None
            prev = start_i - 1
            if not (prev >= 0 and (self.word_in(prev, lex.year_prepositions, clitics=True)
                                   or self.back(lex.period_parts, start_i))):
                return None
        part = None
        if not start_cut:
            pr = self.back(lex.period_parts, start_i)
            if pr:
                start_i, start_cut, part = pr
        if day is None:
            start_i, start_cut = self.leading(start_i, start_cut)
        if year is None and self.fwd(lex.recurring, j):
            return None  # في سبتمبر من كل عام: every year, not a date
        value = self.month_value(month, day, year, cal, hijri, mode, rel_year)
        return self.found(start_i, start_cut, j, value)

    def month_pair(self, j: int, month: int, hijri: bool) -> tuple[int, bool]:
        """Skip a second name of the same month after a separator; returns (new j, paired)."""
        k = j
        opened = False
        while k < self.n and self.toks[k].text in _SEPARATORS and k - j < 2:
            opened = opened or self.toks[k].text == "("
            k += 1
        if k >= self.n or not self.same_sent(j - 1, k):
            return j, False
        for m, h in self.heads_at(k, "hmonth" if hijri else "month"):
            if h.val == month:
                end = m.j
                if opened and end < self.n and self.toks[end].text == ")":
                    end += 1
                return end, True
        return j, False

    def month_value(self, month: int, day: int | None, year: int | None, cal: str, hijri: bool,
                    mode: str | None, rel_year: str | None) -> str | None:
        pub = self.pub
        if hijri:
            if year is not None:
                if day:
                    g = _hijri_to_greg(year, month, day)
                    return g.isoformat() if g else None
                g = _hijri_to_greg(year, month, 15)
                return _month(g.year, g.month) if g else None
            return _hijri_nearest(pub, month, day, mode) if pub else None
        if rel_year is not None:
            year = int(rel_year)
        if year is not None:
            if cal == "h":
                return None
            return _safe_day(year, month, day) if day else _month(year, month)
        if pub is None:
            return None
        if day:
            return _resolve_day(pub, month, day, mode)
        return _resolve_month(pub, month, mode)

    def weekday(self, i: int, cut: int, j: int, wd: int, anchor_off: int = 0,
                force: bool = False) -> _Found | None:
        lex = self.lex
        if not force:
            if self.word_in(j, lex.weekday_not_before) or (
                    i - 1 >= 0 and self.word_in(i - 1, lex.weekday_not_after, clitics=True)):
                return None
            if self.habitual(i):
                return None
        mode = "default"
        if self.fwd(lex.recurring, j):
            return None  # الجمعة من كل أسبوع: a schedule
        # forward: (closing paren), الماضي/المقبل, أمس, a date
        if force and j < self.n and self.toks[j].text == ")" and i > 0 and self.toks[i - 1].text == "(":
            j += 1
        d = self.direction(j)
        extra_weeks = 0
        if d:
            j += d[0]
            mode = {"past": "past", "next": "next", "current": "default"}[d[1]]
            extra_weeks = max(0, d[2] - 1) * (-1 if d[1] == "past" else 1)
        elif not anchor_off:
            r = self.fwd_relday(j)
            if r:
                j, anchor_off = r
        # a full date right after: الأربعاء 18 أكتوبر 2023
        k = j + (1 if j < self.n and self.toks[j].text in "،," else 0)
        date_f = self.date_after(k)
        start_i, start_cut = i, cut
        if not force:
            if not cut and i - 1 >= self.floor and self.adjacent(i - 1, i) and self.word_in(
                    i - 1, lex.weekday_anchors, clitics=True) and not anchor_off:
                start_i = i - 1
                start_cut = self.clitic_of(i - 1, lex.weekday_anchors)
                anchor_off = lex.weekday_anchor_off[self.key(i - 1)[start_cut:]]
            start_i, start_cut = self.with_day_word(start_i, start_cut)
            if not start_cut:
                start_i, start_cut = self.leading(start_i, start_cut)
        if date_f:
            # the date names the same day: it gives the weekday its value, and stays an
            # expression of its own (annotators mark "أمس الخميس" and "5 أكتوبر 2023" apart)
            return self.found(start_i, start_cut, j, date_f.value)
        value = None
        if self.pub:
            anchor = self.pub + dt.timedelta(days=anchor_off)
            if anchor_off > 0 and mode == "default":
                mode = "onafter"
            value = _day(_weekday_date(anchor, wd, mode) + dt.timedelta(days=7 * extra_weeks))
        return self.found(start_i, start_cut, j, value)

    def habitual(self, i: int) -> bool:
        """A weekday in a list after أيام (أيام الثلاثاء والخميس والسبت) is a schedule."""
        k = i - 1
        while k >= 0 and k >= i - 8 and self.same_sent(k, i):
            if self.word_in(k, self.lex.weekday_habitual, clitics=True):
                return True
            if not (self.toks[k].text in "،," or self.key(k) == "و" or any(
                    h.kind == "weekday" for m in self.heads.get(k, ()) for h in m.payloads)):
                return False
            k -= 1
        return False

    def fwd_relday(self, j: int) -> tuple[int, int] | None:
        """أمس / اليوم / غدا right after a weekday (الجمعة أمس)."""
        if j >= self.n or not self.same_sent(j - 1, j):
            return None
        for m, h in self.heads_at(j, "relday"):
            return m.j, int(h.val)
        return None

    def date_after(self, k: int) -> _Found | None:
        """A full date starting at token k, after a weekday (الأحد 26 يوليو، الأحد الموافق ...).

        Parsed with the floor at k, so that it cannot reach back into the weekday.
        """
        if k < self.n and self.key(k) == "الموافق":
            k += 1
        if k >= self.n or not self.same_sent(k - 1, k):
            return None
        if self.key(k)[:1].isdigit():
            f = self.numeric_date(k)
            if f:
                return f
        saved = self.floor
        self.floor = k
        try:
            for h_i in range(k + 1, min(self.n, k + 6)):
                for m, h in self.heads_at(h_i, "month") + self.heads_at(h_i, "hmonth"):
                    f = self.month(h_i, 0, m.j, h)
                    if f and f.i == k:
                        return f
        finally:
            self.floor = saved
        return None

    def relday(self, i: int, cut: int, j: int, off: int, word: str = "", prefix: str = ""
               ) -> _Found | None:
        lex = self.lex
        if self.word_in(j, lex.relday_not_before.get(word, frozenset())):
            return None  # في أمس الحاجة "in the greatest need"
        is_today = off == 0 and word in lex.today_words
        if is_today and prefix[-1:] in ("ل", "ب"):
            return None  # 4000 ريال لليوم، ثلاث مرات باليوم: "per day"
        if word in lex.relday_needs_context and not (
                self.weekday_head(j) or (not cut and i - 1 >= self.floor and (
                    self.word_in(i - 1, lex.day_words, clitics=True) or self.back(lex.day_parts, i)))):
            return None  # الغد alone is as often "the future"
        if is_today:
            # صحيفة عين اليوم، قناة روسيا اليوم، اليوم التالي، اليوم نفسه، في هذا اليوم
            if cut == 0 and i - 1 >= 0 and self.same_sent(i - 1, i):
                if self.word_in(i - 1, lex.today_not_after, clitics=True):
                    return None
                if i - 2 >= 0 and self.word_in(i - 2, lex.outlet_nouns, clitics=True):
                    return None
            if self.in_short_quote(i):
                return None  # صحيفة «إسرائيل اليوم»: a title in quote marks
        if off == 0:
            if self.word_in(j, lex.today_not_before):
                return None
            nxt = j
            if nxt < self.n and self.toks[nxt].text == "(":
                nxt += 1
            # اليوم التالي، اليوم الوطني، الليلة التي: another day; أعلن اليوم الرئيس: today
            if nxt < self.n and self.same_sent(i, nxt) and self.is_adjective(nxt) and not (
                    self.weekday_head(nxt) or self.direction(nxt)):
                return None
        # a weekday after: اليوم الخميس، أمس الخميس، اليوم (الجمعة)
        k = j
        if k < self.n and self.toks[k].text == "(":
            k += 1
        wd = self.weekday_head(k) if self.same_sent(i, min(k, self.n - 1)) else None
        if off == 0 and not is_today:
            d = self.direction(j)
            if d and d[1] == "past":
                j += d[0]
                off = -1
        start_i, start_cut = self.with_day_word(i, cut)
        start_i, start_cut = self.leading(start_i, start_cut)
        if wd is not None:
            f = self.weekday(wd[0], 0, wd[1], wd[2], anchor_off=off, force=True)
            if f:
                return _Found(start_i, f.j, self.start_of(start_i, start_cut), f.end, f.value)
        value = _day(self.pub + dt.timedelta(days=off)) if self.pub else None
        return self.found(start_i, start_cut, j, value)

    def in_short_quote(self, i: int) -> bool:
        """Whether token i ends a quoted name of at most three words («إسرائيل اليوم»)."""
        tok = self.toks[i]
        q = self.doc.quote_region_at(tok.start)
        if q is None or self.doc.text[tok.end:q.end].strip():
            return False
        return len(self.doc.text[q.start:tok.end].split()) <= 3

    def weekday_head(self, k: int) -> tuple[int, int, int] | None:
        if k >= self.n:
            return None
        for m, h in self.heads_at(k, "weekday"):
            return k, m.j, int(h.val)
        return None

    def period(self, i: int, cut: int, j: int, unit: str) -> _Found | None:
        """الأسبوع الماضي، الشهر الجاري، العام المقبل، السنة المالية الجارية 2015-2016، هذا العام."""
        lex = self.lex
        while j < self.n and self.key(j) in lex.period_qualifiers:
            j += 1
        d = self.direction(j)
        mode = None
        step = 1
        start_i, start_cut = i, cut
        if d:
            j += d[0]
            mode, step = d[1], d[2]
        elif not cut and i - 1 >= self.floor and self.key(i - 1) in lex.this_words:
            mode = "current"
            start_i = i - 1
        explicit = None
        if unit == "year":
            ya = self.year_at(j)
            if ya and (ya[2] == "g" or (not ya[2] and 1900 <= ya[1] <= 2099)):
                explicit = ya[1]
                j += ya[0]
                tail = self.doc.text[self.toks[j - 1].end:self.toks[j - 1].end + 12].translate(_FOLD_DIGITS)
                m = _RANGE_RE.match(tail)
                if m and ya[0] == 1:
                    j, _ = self.through(j, self.toks[j - 1].end + m.end())
        if mode is None and explicit is None:
            # مطلع العام، حتى نهاية الشهر: a part of the period alone means the current one
            if cut or not self.back(lex.period_parts, start_i):
                return None
            mode = "current"
        # a day of this month: العاشر من الشهر الجاري، 25 من الشهر الماضي
        day = None
        if unit == "month" and not start_cut:
            db = self.day_before(start_i)
            if db and db[2]:
                start_i, start_cut, day = db
                start_i, start_cut = self.with_day_word(start_i, start_cut)
        part = None
        if not start_cut:
            pr = self.back(lex.period_parts, start_i)
            if pr:
                start_i, start_cut, part = pr
        if not start_cut and day is None:
            start_i, start_cut = self.leading(start_i, start_cut)
        value: str | None = None
        if explicit is not None:
            value = f"{explicit:04d}"
        elif self.pub and mode:
            off = {"past": -step, "next": step, "current": 0}[mode]
            pub = self.pub
            if unit == "week":
                value = _week(pub + dt.timedelta(days=7 * off))
            elif unit == "month":
                y, m = _add_months(pub.year, pub.month, off)
                value = _safe_day(y, m, day) if day else _month(y, m)
            else:
                value = f"{pub.year + off:04d}"
        if unit == "year":
            value = self.narrow(value, part)
        return self.found(start_i, start_cut, j, value)

    def feast(self, i: int, cut: int, j: int, md: tuple[int, int]) -> _Found | None:
        """عيد الفطر، أول أيام عيد الأضحى، عيد الأضحى 1444هـ، عيد الفطر الماضي: a Hijri feast day."""
        lex = self.lex
        month, day = md
        year: int | None = None
        mode = None
        if self.fwd(lex.recurring, j):
            return None
        ya = self.year_at(j)
        if ya and (ya[2] == "h" or (not ya[2] and 1300 <= ya[1] <= 1600)):
            year = ya[1]
            j += ya[0]
        else:
            d = self.direction(j)
            if d:
                j += d[0]
                mode = d[1]
        start_i, start_cut, extra = i, cut, 0
        if not cut:
            r = self.back(lex.feast_days, i)
            if r:
                start_i, start_cut, extra = r
        start_i, start_cut = self.with_day_word(start_i, start_cut)
        value = None
        if year is not None:
            g = _hijri_to_greg(year, month, day)
            value = g.isoformat() if g else None
        elif self.pub:
            value = _hijri_nearest(self.pub, month, day, mode)
        if value and extra:
            value = (dt.date.fromisoformat(value) + dt.timedelta(days=extra)).isoformat()
        return self.found(start_i, start_cut, j, value)

    def plural(self, i: int, cut: int, j: int, unit: str, mode: str | None) -> _Found | None:
        """الأيام الأخيرة، الأسابيع القليلة الماضية، الأشهر المقبلة → the month around their middle."""
        lex = self.lex
        if mode is None:
            r = self.fwd(lex.recent_fillers, j)
            if r:
                j += r[0]
            d = self.direction(j)
            if d and d[1] != "current":
                j += d[0]
                mode = d[1]
            elif self.key(j) in lex.recent_last:
                j += 1
                mode = "past"
                # الأيام الأخيرة من شهر رمضان: the end of something else
                if self.key(j) in lex.anchor_links:
                    return None
            else:
                return None
            start_i, start_cut = self.leading(i, cut)
        else:
            start_i, start_cut = i, cut
        value = None
        if self.pub:
            days = _RECENT_DAYS.get(unit)
            if days is None:
                return None
            point = self.pub + dt.timedelta(days=days if mode == "next" else -days)
            value = _day(point) if unit == "hour" else _month(point.year, point.month)
        return self.found(start_i, start_cut, j, value)

    def duration(self, i: int, unit_head: tuple[int, _Head] | None) -> _Found | None:
        """منذ 20 شهرًا، قبل ثلاثة أيام، منذ عامين، بعد أسبوع، بعد مضي عام ونصف."""
        lex = self.lex
        if unit_head is None:  # a digit head: the unit must follow
            if not _NUM_KEY_RE.match(self.key(i)):
                return None
            heads = [(m.j, h) for m, h in self.heads_at(i + 1, "unit")]
            if not heads or not self.adjacent(i, i + 1):
                return None
            u_end, h = heads[0]
            count = int(self.key(i))
            num_i: int = i
        else:
            u_end, h = unit_head
            count = h.count
            num_i = i
            if i - 1 >= self.floor and _NUM_KEY_RE.match(self.key(i - 1)) and self.adjacent(i - 1, i):
                return None  # the digit head handles it
            r = self.back(lex.numbers, i)
            if r:
                if h.count == 2:
                    return None
                num_i, count = r[0], int(r[2])
        unit = h.val
        j = u_end
        half = False
        if count and self.key(j) in lex.half:
            half = True
            j += 1
        # a singular unit that heads a phrase is not a duration: قبل يوم الجمعة، منذ عام 2006،
        # منذ يوم 30 يونيو، منذ شهر محرم
        nxt = j + 1 if j < self.n and self.toks[j].text == "(" else j
        if count == 1 and h.count == 1 and nxt < self.n and self.same_sent(j - 1, nxt) and (
                self.key(nxt)[:1].isdigit() or (self.is_def_word(nxt) and not self.direction(nxt))
                or self.heads_at(nxt, "month") or self.heads_at(nxt, "hmonth")):
            return None
        at = num_i
        a = self.back(lex.approximators, at)
        if a:
            at = a[0]
        trig = self.back(lex.triggers, at)
        if not trig:
            return None
        t_i, t_cut, kind = trig
        k = j
        while k < self.n and self.key(k) in lex.duration_fillers:
            k += 1
        anchored = self.key(k) in lex.anchor_links and self.same_sent(j - 1, min(k, self.n - 1))
        if kind in ("before", "after") and anchored:
            return None  # بعد أسبوع من الهجوم: counted from another event, not from publication
        if kind == "elapsed":  # بعد مضي عام على انطلاقه → back; بعد مرور 15 عامًا → ahead
            kind = "since" if anchored else "after"
        sign = 1 if kind == "after" else -1
        if count == 0:  # منذ أيام، قبل أسابيع: a vague recent period
            if unit in ("year", "decade"):
                return None
            f = self.plural(num_i, 0, u_end, unit, "next" if sign > 0 else "past")
            return _Found(t_i, f.j, self.start_of(t_i, t_cut), f.end, f.value) if f else None
        value = self.shift(unit, count, half, sign)
        return self.found(t_i, t_cut, j, value)

    def shift(self, unit: str, count: int, half: bool, sign: int) -> str | None:
        pub = self.pub
        if pub is None:
            return None
        if unit in ("hour", "day", "week"):
            days = {"hour": count / 24, "day": count, "week": 7 * count}[unit]
            if half:
                days += {"hour": 1 / 48, "day": 0.5, "week": 3.5}[unit]
            d = pub + dt.timedelta(days=sign * int(days))
            return _week(d) if unit == "week" else _day(d)
        if unit == "month" or (unit == "year" and (half or count == 1)):
            months = count * (12 if unit == "year" else 1) + ((6 if unit == "year" else 0) if half else 0)
            if unit == "month" and half:
                d = pub + dt.timedelta(days=sign * (30 * count + 15))
                return _month(d.year, d.month)
            y, m = _add_months(pub.year, pub.month, sign * months)
            return _month(y, m)
        years = count * (10 if unit == "decade" else 1)
        return f"{pub.year + sign * years:04d}"


def cut_is_article(prefix: str) -> bool:
    """Whether a matched clitic included the article (units are indefinite: عام, not العام)."""
    return prefix.endswith("ال") or prefix.endswith("لل")


def extract_times(doc: Doc, published: dt.date | None) -> list[TimeExpr]:
    """Every time expression in ``doc``, resolved against ``published`` when given."""
    lex = lexicon(doc.lang)
    heads: dict[int, list[Match[_Head]]] = {}
    for m in lex.matcher.find_all(doc):
        heads.setdefault(m.i, []).append(m)
    text = doc.text
    for dm in _DIGITS_RE.finditer(text):
        i = doc.token_at(dm.start())
        if i is not None and i not in heads:
            heads[i] = []
    p = _Parser(doc, lex, published, heads)
    out: list[TimeExpr] = []
    for i in sorted(heads):
        if i < p.floor:
            continue
        f = p.parse(i, heads[i])
        if f is None:
            continue
        out.append(TimeExpr(text[f.start:f.end], f.start, f.end, f.value))
        p.floor = f.j
    return out


def date_for_span(times: list[TimeExpr] | tuple[TimeExpr, ...], start: int, end: int,
                  sentence: tuple[int, int]) -> str | None:
    """The value of the time expression that governs [start, end) in ``sentence``.

    Rule: among the expressions with a value lying inside the sentence, the one nearest to
    the span (character distance between the two spans; 0 when they overlap); on a tie the
    one before the span, as Arabic news puts the time next to the verb ("وصل لافروف مساء
    الأربعاء").  None when the sentence has no time expression; the caller decides whether
    the publication date applies.
    """
    s0, s1 = sentence
    best: tuple[int, int, str] | None = None
    for t in times:
        if t.value is None or t.start < s0 or t.end > s1:
            continue
        if t.end <= start:
            dist, after = start - t.end, 0
        elif t.start >= end:
            dist, after = t.start - end, 1
        else:
            dist, after = 0, 0
        if best is None or (dist, after) < best[:2]:
            best = (dist, after, t.value)
    return best[2] if best else None
