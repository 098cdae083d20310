"""The text layer: tokens with offsets and matching keys, sentences, quote regions.

A :class:`Doc` is built once per article and shared by every extractor.  It knows nothing
of actors or events; the language package supplies keys, clitic variants and punctuation.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from marsad.lang.base import Language

# A word: letters, marks and digits (with internal . , for numbers such as 19.589.137);
# anything else that is not a space is a one-character punctuation token.  Arabic
# diacritics (tanween, shadda, ...) are not \w for Python, so they are named explicitly:
# otherwise أيضاً would split into أيضا + ً.
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
# (One character class for the word body, not an alternation: this regex runs over every
# character of every article.  An underscore inside a word is tolerated.)
_TOKEN_RE = re.compile(rf"[^\W_][\w{_MARKS}]*(?:[.,٫٬][0-9٠-٩۰-۹]+)*|[^\w\s]|_", re.UNICODE)


@dataclass(slots=True)
class Token:
    """One token.  ``key`` is the normalised matching key of ``text``."""

    i: int
    text: str
    start: int
    end: int
    key: str
    is_word: bool
    sent: int = -1


@dataclass(frozen=True, slots=True)
class Sentence:
    i: int
    start: int
    end: int
    tok_start: int  # index of first token
    tok_end: int  # one past the last token


@dataclass(frozen=True, slots=True)
class QuoteRegion:
    """Text between a pair of quote marks: ``start``/``end`` exclude the marks."""

    start: int
    end: int
    open_mark: str
    close_mark: str


@dataclass
class Doc:
    text: str
    lang: Language
    tokens: list[Token]
    sentences: list[Sentence]
    quote_regions: list[QuoteRegion]
    _starts: list[int] = field(default_factory=list, repr=False)
    _key_pos: dict[str, list[int]] | None = field(default=None, repr=False)
    # where each phrase matcher may start, grouped once per document (matcher._StartIndex)
    _match_starts: tuple[int, object, dict[int, list[int]]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._starts = [t.start for t in self.tokens]

    @property
    def key_positions(self) -> dict[str, list[int]]:
        """Token indexes by key, built once per document and shared by every matcher, so
        that a lexicon looks at each distinct word once instead of at every token."""
        kp = self._key_pos
        if kp is None:
            kp = {}
            for t in self.tokens:
                lst = kp.get(t.key)
                if lst is None:
                    kp[t.key] = [t.i]
                else:
                    lst.append(t.i)
            self._key_pos = kp
        return kp

    def token_at(self, offset: int) -> int | None:
        """Index of the token that covers character ``offset``, if any."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.tokens[i].start <= offset < self.tokens[i].end:
            return i
        return None

    def tokens_in(self, start: int, end: int) -> range:
        """Indexes of the tokens lying within [start, end)."""
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        while hi > lo and self.tokens[hi - 1].end > end:
            hi -= 1
        return range(lo, hi)

    def sentence_of(self, offset: int) -> Sentence | None:
        starts = [s.start for s in self.sentences]
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and self.sentences[i].start <= offset <= self.sentences[i].end:
            return self.sentences[i]
        return None

    def sentence_text(self, s: Sentence) -> str:
        return self.text[s.start:s.end]

    def quote_region_at(self, offset: int) -> QuoteRegion | None:
        for q in self.quote_regions:
            if q.start <= offset < q.end:
                return q
        return None


_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_MAX = 500_000


def tokenize(text: str, lang: Language) -> list[Token]:
    """Tokens with keys.  Keys are memoised: news vocabulary repeats, and this is the
    pipeline's innermost loop."""
    key = lang.normalize_key
    cache = _KEY_CACHE if lang.code == "ar" else {}
    if len(cache) > _KEY_CACHE_MAX:
        cache.clear()
    out: list[Token] = []
    append = out.append
    find = text.find
    b = 0
    # Everything between tokens is whitespace (the pattern takes every other character), so
    # a token's offset is where its text next occurs: str.find is cheaper than match objects.
    for i, s in enumerate(_TOKEN_RE.findall(text)):
        a = find(s, b)
        b = a + len(s)
        k = cache.get(s)
        if k is None:
            k = cache[s] = key(s)
        append(Token(i, s, a, b, k, s[0].isalnum()))
    return out


def find_quote_regions(text: str, lang: Language) -> list[QuoteRegion]:
    """Pairs of quote marks within one paragraph.

    Directional pairs (« ») must match; the curly and straight double quotes are treated as
    interchangeable toggles, because scraped Arabic often opens with ” or closes with “.
    An unclosed mark is ignored at the end of its paragraph.
    """
    closers = {o: c for o, c in lang.quote_pairs}
    toggles = set(lang.quote_toggles)
    marks = "".join(closers) + "".join(closers.values()) + lang.quote_toggles
    pat = _mark_pattern(marks)
    regions: list[QuoteRegion] = []
    stack: list[tuple[str, int]] = []
    for m in pat.finditer(text):
        ch = m.group()
        pos = m.start()
        if ch == "\n":
            stack.clear()
        elif ch in closers:
            stack.append((ch, pos))
        elif stack and closers.get(stack[-1][0]) == ch:
            o, p = stack.pop()
            if not stack:
                regions.append(QuoteRegion(p + 1, pos, o, ch))
        elif ch in toggles:
            if stack and stack[-1][0] in toggles:
                o, p = stack.pop()
                if not stack:
                    regions.append(QuoteRegion(p + 1, pos, o, ch))
            elif not stack:
                stack.append((ch, pos))
    return regions


_MARK_PATTERNS: dict[str, re.Pattern[str]] = {}


def _mark_pattern(chars: str) -> re.Pattern[str]:
    p = _MARK_PATTERNS.get(chars)
    if p is None:
        p = _MARK_PATTERNS[chars] = re.compile("[" + re.escape(chars) + "\n]")
    return p


def split_sentences(text: str, tokens: list[Token], regions: list[QuoteRegion], lang: Language) -> list[Sentence]:
    """Sentences end at a newline or at . ! ? ؟ followed by space, never inside quotes or on commas."""
    r_starts = [r.start for r in regions]

    def inside(pos: int) -> bool:
        k = bisect.bisect_right(r_starts, pos) - 1
        return k >= 0 and regions[k].start <= pos < regions[k].end

    bounds: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    ends = lang.sentence_end
    after_mark = set(ends) | {"…"}
    closing = set("\"”“»)]")
    skip_to = -1
    for m in _mark_pattern(ends).finditer(text):
        i = m.start()
        if i < skip_to:
            continue
        ch = m.group()
        if ch == "\n":
            bounds.append((start, i))
            start = i + 1
            continue
        if inside(i):
            continue
        j = i
        while j + 1 < n and text[j + 1] in after_mark:
            j += 1
        while j + 1 < n and text[j + 1] in closing:
            j += 1
        skip_to = j + 1
        if j + 1 >= n or text[j + 1].isspace():
            if ch == "." and _word_before(text, i) in lang.abbreviations:
                continue
            bounds.append((start, j + 1))
            start = j + 1
    bounds.append((start, n))
    sentences: list[Sentence] = []
    starts = [t.start for t in tokens]
    for s, e in bounds:
        # trim spaces so that the sentence span starts and ends on text
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        lo = bisect.bisect_left(starts, s)
        hi = bisect.bisect_left(starts, e)
        sentences.append(Sentence(len(sentences), s, e, lo, hi))
    for sent in sentences:
        si = sent.i
        for k in range(sent.tok_start, sent.tok_end):
            tokens[k].sent = si
    return sentences


def _word_before(text: str, i: int) -> str:
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return text[j:i]


def make_doc(text: str, lang: Language) -> Doc:
    tokens = tokenize(text, lang)
    regions = find_quote_regions(text, lang)
    sentences = split_sentences(text, tokens, regions, lang)
    return Doc(text, lang, tokens, sentences, regions)
