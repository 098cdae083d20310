"""Phrase matching over tokens: the compiled form of every lexicon and dictionary.

Phrases are stored in a trie of token keys.  Matching tries, at each token, the token's key
and its clitic-stripped variants (وبيونغيانغ → بيونغيانغ), then follows the trie over the next
tokens' keys; optionally the last token may also carry a pronoun suffix (اتهمتها → اتهمت).
Matching is linear in the number of tokens times the (small) number of variants, which is
what lets dictionaries of tens of thousands of aliases run at hundreds of articles a second.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from marsad.lang.base import Language
from marsad.text import Doc, Token, tokenize

T = TypeVar("T")

_START_CACHE_MAX = 50_000  # per matcher; a dozen matchers per worker process


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
        # key -> can a phrase start at a token with this key?  Lets find_all skip most
        # tokens with one dict lookup instead of walking clitic variants (5-10x faster).
        self._start_cache: dict[str, bool] = {}
        self._yes: set[str] = set()  # keys where a phrase may start (for whole-document scans)
        self._no: set[str] = set()

    def add(self, phrase: str, payload: T) -> bool:
        """Add ``phrase`` with ``payload``; returns False for an empty phrase."""
        return self.add_keys(phrase_keys(phrase, self.lang), payload)

    def add_keys(self, keys: Sequence[str], payload: T) -> bool:
        """Add a phrase already turned into token keys (callers that key their phrases
        anyway, such as the actor dictionary, save tokenising them twice)."""
        if not keys:
            return False
        node = self.root
        for k in keys:
            node = node.children.setdefault(k, _Node())
        if payload not in node.payloads:
            node.payloads.append(payload)
            self.size += 1
        self._start_cache.clear()
        self._yes.clear()
        self._no.clear()
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
        """Whether some phrase may begin at a token whose key is ``key`` (cached)."""
        r = self._start_cache.get(key)
        if r is None:
            children = self.root.children
            r = False
            for _, stem in self.lang.prefix_variants(key, self.article):
                if stem in children or (self.suffixes and any(
                        sv in children for sv in self.lang.suffix_variants(stem)[1:])):
                    r = True
                    break
            if len(self._start_cache) >= _START_CACHE_MAX:  # bound memory on huge corpora
                self._start_cache.clear()
            self._start_cache[key] = r
        return r

    def _walk(self, tokens: list[Token], i: int, limit: int) -> Iterator[tuple[int, int, list[Any], bool]]:
        """Yield (prefix_len, j, payloads) for every phrase starting at token i."""
        first = tokens[i]
        pv = self.lang.prefix_variants(first.key, self.article)
        for n, stem in pv:
            restored = bool(n) and stem != first.key[n:]
            for nn, j, payloads in self._walk_from(tokens, i, limit, n, stem):
                yield nn, j, payloads, restored

    def _walk_from(self, tokens: list[Token], i: int, limit: int, n: int, stem: str
                   ) -> Iterator[tuple[int, int, list[Any]]]:
        root = self.root
        node = root.children.get(stem)
        if node is None:
            if self.suffixes:
                for sv in self.lang.suffix_variants(stem)[1:]:
                    nd = root.children.get(sv)
                    if nd is not None and nd.payloads:
                        yield n, i + 1, nd.payloads
            return
        if node.payloads:
            yield n, i + 1, node.payloads
        j = i + 1
        while j < limit and node.children:
            tk = tokens[j].key
            nxt = node.children.get(tk)
            if nxt is None:
                if self.suffixes:
                    for sv in self.lang.suffix_variants(tk)[1:]:
                        nd = node.children.get(sv)
                        if nd is not None and nd.payloads:
                            yield n, j + 1, nd.payloads
                break
            node = nxt
            j += 1
            if node.payloads:
                yield n, j, node.payloads

    def _start_positions(self, doc: Doc) -> list[int]:
        """Token indexes where a phrase may start, from the document's distinct keys: set
        operations in C instead of a lookup per token."""
        kp = doc.key_positions
        keys = kp.keys()
        yes, no = self._yes, self._no
        unknown = keys - yes - no
        if unknown:
            if len(yes) + len(no) > _START_CACHE_MAX:
                yes.clear()
                no.clear()
                unknown = set(keys)
            for k in unknown:
                (yes if self.may_start(k) else no).add(k)
        hits = keys & yes
        if not hits:
            return []
        pos: list[int] = []
        for k in hits:
            pos.extend(kp[k])
        pos.sort()
        return pos

    def find_all(self, doc: Doc, start: int = 0, end: int | None = None) -> list[Match[T]]:
        """Every match (overlapping ones included) in tokens [start, end)."""
        tokens = doc.tokens
        limit = len(tokens) if end is None else end
        out: list[Match[T]] = []
        if start == 0 and limit == len(tokens):
            for i in self._start_positions(doc):
                for n, j, payloads, restored in self._walk(tokens, i, limit):
                    out.append(self._make(doc, i, j, n, payloads, restored))
            return out
        cache = self._start_cache
        may_start = self.may_start
        for i in range(start, limit):
            key = tokens[i].key
            ok = cache.get(key)
            if not (ok or (ok is None and may_start(key))):
                continue
            for n, j, payloads, restored in self._walk(tokens, i, limit):
                out.append(self._make(doc, i, j, n, payloads, restored))
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
