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
_TOKEN_RE = re.compile(rf"[^\W_](?:[^\W_]|[{_MARKS}])*(?:[.,٫٬][0-9٠-٩۰-۹]+)*|[^\w\s]|_", re.UNICODE)


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

    def __post_init__(self) -> None:
        self._starts = [t.start for t in self.tokens]

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


def tokenize(text: str, lang: Language) -> list[Token]:
    key = lang.normalize_key
    out: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        s = m.group()
        out.append(Token(len(out), s, m.start(), m.end(), key(s), s[0].isalnum()))
    return out


def find_quote_regions(text: str, lang: Language) -> list[QuoteRegion]:
    """Pairs of quote marks within one paragraph.

    Directional pairs (« ») must match; the curly and straight double quotes are treated as
    interchangeable toggles, because scraped Arabic often opens with ” or closes with “.
    An unclosed mark is ignored at the end of its paragraph.
    """
    closers = {o: c for o, c in lang.quote_pairs}
    toggles = set(lang.quote_toggles)
    regions: list[QuoteRegion] = []
    for para in re.finditer(r"[^\n]+", text):
        stack: list[tuple[str, int]] = []
        base = para.start()
        for j, ch in enumerate(para.group()):
            pos = base + j
            if ch in closers:
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


def split_sentences(text: str, tokens: list[Token], regions: list[QuoteRegion], lang: Language) -> list[Sentence]:
    """Sentences end at a newline or at . ! ? ؟ followed by space, never inside quotes or on commas."""
    inside = [False] * (len(text) + 1)
    for r in regions:
        for k in range(r.start, r.end):
            inside[k] = True
    bounds: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    i = 0
    ends = set(lang.sentence_end)
    while i < n:
        ch = text[i]
        cut = None
        if ch == "\n":
            cut = i
            nxt = i + 1
        elif ch in ends and not inside[i]:
            j = i
            while j + 1 < n and (text[j + 1] in ends or text[j + 1] in "…"):
                j += 1
            # a closing quote or bracket right after the mark stays with this sentence
            while j + 1 < n and text[j + 1] in "\"”“»)]":
                j += 1
            if j + 1 >= n or text[j + 1].isspace():
                prev = _word_before(text, i)
                if not (ch == "." and prev in lang.abbreviations):
                    cut = j + 1
                    nxt = j + 1
            if cut is None:
                i = j + 1
                continue
        if cut is not None:
            bounds.append((start, cut))
            start = nxt
            i = nxt
            continue
        i += 1
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
        for k in range(sent.tok_start, sent.tok_end):
            tokens[k].sent = sent.i
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
