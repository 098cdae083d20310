"""Phrase matching over tokens: the compiled form of every lexicon and dictionary.

Phrases are stored in a trie of token keys.  Matching tries, at each token, the token's key
and its clitic-stripped variants (وبيونغيانغ → بيونغيانغ), then follows the trie over the next
tokens' keys; optionally the last token may also carry a pronoun suffix (اتهمتها → اتهمت).
Matching is linear in the number of tokens times the (small) number of variants, which is
what lets dictionaries of tens of thousands of aliases run at hundreds of articles a second.
"""

from __future__ import annotations

import bisect
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from marsad.lang.base import Language
from marsad.text import Doc, tokenize

T = TypeVar("T")

# Token keys whose start bits are remembered (for all matchers of a language together):
# ~60 bytes each, so the cap is ~30 MB; a long run's vocabulary keeps growing (Heaps' law).
_MASKS_MAX = 500_000


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A phrase found in a doc: tokens [i, j), characters [start, end)."""

    i: int
    j: int
    start: int
    end: int
    payloads: tuple[T, ...]
    prefix: str  # the clitic removed from the first token ("" if none)
    text: str
    restored: bool = False  # the phrase's article was elided in the text (للجيش → الجيش)

    def __len__(self) -> int:
        return self.j - self.i

    @property
    def surface(self) -> str:
        """The phrase as a name: the text, with an elided article restored (لجيش → الجيش)."""
        return "ا" + self.text if self.restored else self.text


class _Node:
    __slots__ = ("children", "payloads")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.payloads: list[Any] = []


class _StartIndex:
    """Where phrases may start, for every matcher of one language at once.

    A pipeline runs a dozen lexicons over each document.  Asking each of them "can a
    phrase start at this word?" costs a walk over the word's clitic variants per lexicon,
    and news brings tens of new words per article.  Here each matcher owns a bit; ``first``
    maps a first-token key to the bits of the matchers with a phrase starting with it, so
    one walk over a word's variants answers for all matchers (``masks`` remembers it), and
    a document's start positions are grouped by matcher once (``positions``).
    """

    def __init__(self, lang: Language) -> None:
        self.lang = lang
        self.first: dict[str, int] = {}
        self.art = 0  # matchers that strip the article from the first token
        self.suf = 0  # matchers whose last token may carry a pronoun suffix
        self.masks: dict[str, int] = {}
        self.gen = 0  # bumped on every change, so a document's grouping can tell it is stale
        self._free: list[int] = []
        self._next = 0
        # re-entrant: a matcher's finalizer (_release) can run from a garbage collection
        # triggered inside register() or add_first(), on the same thread
        self._lock = threading.RLock()

    def register(self, matcher: PhraseMatcher[Any]) -> int:
        with self._lock:
            bit = self._free.pop() if self._free else self._next
            if bit == self._next:
                self._next += 1
            b = 1 << bit
            if matcher.article:
                self.art |= b
            if matcher.suffixes:
                self.suf |= b
            self._changed()
        weakref.finalize(matcher, self._release, bit, matcher.root)
        return bit

    def add_first(self, key: str, bit: int) -> None:
        with self._lock:
            self.first[key] = self.first.get(key, 0) | (1 << bit)
            self._changed()

    def _release(self, bit: int, root: _Node) -> None:
        with self._lock:
            b = 1 << bit
            for k in root.children:
                m = self.first.get(k, 0) & ~b
                if m:
                    self.first[k] = m
                else:
                    self.first.pop(k, None)
            self.art &= ~b
            self.suf &= ~b
            self._free.append(bit)
            self._changed()

    def _changed(self) -> None:
        self.gen += 1
        self.masks = {}

    def mask(self, key: str) -> int:
        """Bits of the matchers in which a phrase may start at a token with this key."""
        m = self.masks.get(key)
        if m is not None:
            return m
        gen, masks = self.gen, self.masks
        first = self.first
        get = first.get
        lang = self.lang
        m = 0
        for article in (False, True):
            sel = self.art if article else ~self.art
            suf = self.suf & sel
            for _, stem in lang.prefix_variants(key, article):
                m |= get(stem, 0) & sel
                if suf:
                    for sv in lang.suffix_variants(stem)[1:]:
                        m |= get(sv, 0) & suf
        if gen == self.gen:
            if len(masks) >= _MASKS_MAX:  # bound memory on huge corpora
                masks.clear()
            masks[key] = m
        return m

    def positions(self, doc: Doc) -> dict[int, list[int]]:
        """For each matcher (by its bit), the sorted token indexes of ``doc`` where one of its
        phrases may start; computed once per document (and again only if a matcher changed)."""
        cached = doc._match_starts
        if cached is not None and cached[0] == self.gen and cached[1] is self:
            return cached[2]
        gen = self.gen
        masks = self.masks
        get = masks.get
        mask = self.mask
        per: dict[int, list[int]] = {}
        for k, lst in doc.key_positions.items():
            m = get(k)
            if m is None:
                m = mask(k)
            while m:
                low = m & -m
                b = low.bit_length() - 1
                cur = per.get(b)
                if cur is None:
                    per[b] = list(lst)
                else:
                    cur.extend(lst)
                m ^= low
        for v in per.values():
            v.sort()
        doc._match_starts = (gen, self, per)
        return per


_INDEXES: dict[int, _StartIndex] = {}
_INDEXES_LOCK = threading.Lock()


def _index_for(lang: Language) -> _StartIndex:
    ix = _INDEXES.get(id(lang))
    if ix is None or ix.lang is not lang:
        with _INDEXES_LOCK:
            ix = _INDEXES.get(id(lang))
            if ix is None or ix.lang is not lang:
                ix = _INDEXES[id(lang)] = _StartIndex(lang)
    return ix


class PhraseMatcher(Generic[T]):
    """A trie of phrases (token-key sequences) with payloads.

    ``article``: whether a leading definite article may be stripped from the first token
    (right for ordinary words, wrong for names: الهادي is not هادي).  ``suffixes``: whether
    the last token may carry a pronoun suffix.
    """

    def __init__(self, lang: Language, article: bool = False, suffixes: bool = False) -> None:
        self.lang = lang
        self.article = article
        self.suffixes = suffixes
        self.root = _Node()
        self.size = 0
        # where phrases may start is answered for all matchers of the language at once
        self._index = _index_for(lang)
        self._bit = self._index.register(self)

    def add(self, phrase: str, payload: T) -> bool:
        """Add ``phrase`` with ``payload``; returns False for an empty phrase."""
        return self.add_keys(phrase_keys(phrase, self.lang), payload)

    def add_keys(self, keys: Sequence[str], payload: T) -> bool:
        """Add a phrase already turned into token keys (callers that key their phrases
        anyway, such as the actor dictionary, save tokenising them twice)."""
        if not keys:
            return False
        if keys[0] not in self.root.children:
            self._index.add_first(keys[0], self._bit)
        node = self.root
        for k in keys:
            node = node.children.setdefault(k, _Node())
        if payload not in node.payloads:
            node.payloads.append(payload)
            self.size += 1
        return True

    def add_all(self, items: Iterable[tuple[str, T]]) -> None:
        for phrase, payload in items:
            self.add(phrase, payload)

    def lookup(self, phrase: str) -> list[T]:
        """Payloads of exactly this phrase (no clitic handling)."""
        node: _Node | None = self.root
        for k in phrase_keys(phrase, self.lang):
            node = node.children.get(k) if node else None
        return list(node.payloads) if node else []

    def may_start(self, key: str) -> bool:
        """Whether some phrase may begin at a token whose key is ``key``."""
        return bool(self._index.mask(key) >> self._bit & 1)

    def _walk(self, doc: Doc, i: int, limit: int, out: list[Match[T]]) -> None:
        """Append every phrase starting at token i (within tokens [i, limit)) to ``out``.

        One plain loop rather than generators: this runs a few hundred times per article.
        """
        tokens = doc.tokens
        first = tokens[i]
        root_children = self.root.children
        suffixes = self.suffixes
        lang = self.lang
        for n, stem in lang.prefix_variants(first.key, self.article):
            restored = bool(n) and stem != first.key[n:]
            node = root_children.get(stem)
            if node is None:
                if suffixes:
                    for sv in lang.suffix_variants(stem)[1:]:
                        nd = root_children.get(sv)
                        if nd is not None and nd.payloads:
                            out.append(self._make(doc, i, i + 1, n, nd.payloads, restored))
                continue
            if node.payloads:
                out.append(self._make(doc, i, i + 1, n, node.payloads, restored))
            j = i + 1
            while j < limit and node.children:
                tk = tokens[j].key
                nxt = node.children.get(tk)
                if nxt is None:
                    if suffixes:
                        for sv in lang.suffix_variants(tk)[1:]:
                            nd = node.children.get(sv)
                            if nd is not None and nd.payloads:
                                out.append(self._make(doc, i, j + 1, n, nd.payloads, restored))
                    break
                node = nxt
                j += 1
                if node.payloads:
                    out.append(self._make(doc, i, j, n, node.payloads, restored))

    def find_all(self, doc: Doc, start: int = 0, end: int | None = None) -> list[Match[T]]:
        """Every match (overlapping ones included) in tokens [start, end)."""
        limit = len(doc.tokens) if end is None else end
        out: list[Match[T]] = []
        pos = self._index.positions(doc).get(self._bit, ())  # sorted token indexes
        for k in range(bisect.bisect_left(pos, start), bisect.bisect_left(pos, limit)):
            self._walk(doc, pos[k], limit, out)
        return out

    def find(self, doc: Doc, start: int = 0, end: int | None = None) -> list[Match[T]]:
        """Non-overlapping matches, longest first, left to right."""
        cands = self.find_all(doc, start, end)
        cands.sort(key=lambda m: (-(m.end - m.start), m.start))
        taken = bytearray(len(doc.tokens) + 1)
        out: list[Match[T]] = []
        for m in cands:
            if any(taken[m.i:m.j]):
                continue
            taken[m.i:m.j] = b"\x01" * (m.j - m.i)
            out.append(m)
        out.sort(key=lambda m: m.start)
        return out

    def _make(self, doc: Doc, i: int, j: int, n: int, payloads: list[Any], restored: bool = False) -> Match[T]:
        tok = doc.tokens[i]
        start = tok.start
        prefix = ""
        if n:
            if len(tok.key) == len(tok.text):
                start = tok.start + n
            else:  # diacritics inside the token: map key offset back to text offset
                _, idx = self.lang.key_with_offsets(tok.text)
                start = tok.start + idx[n] if n < len(idx) else tok.end
            prefix = doc.text[tok.start:start]
            # "لل" → "ال": the restored alef is not in the text; the match starts after لل
            # minus one, i.e. at the second ل, which is right.
        end = doc.tokens[j - 1].end
        return Match(i, j, start, end, tuple(payloads), prefix, doc.text[start:end], restored)


def phrase_keys(phrase: str, lang: Language) -> list[str]:
    return [t.key for t in tokenize(phrase.strip(), lang)]
