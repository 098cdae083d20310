"""Duplicate clusters: exact copies and lightly edited republications of one story.

An event reported by ten outlets is one event with ten mentions, so ingest puts every
article into a cluster and the store counts an event once per cluster.  Two tests decide
whether a new article joins an earlier one's cluster:

* **exact**: the same *normalised* text (matching keys of the cleaned text: diacritics,
  hamza forms and digits folded, punctuation and spacing ignored), and
* **near**: MinHash (datasketch) over word 3-shingles of that normalised text, an LSH index
  to find candidates, then a decision on the estimated similarity: Jaccard >= ``THRESHOLD``,
  or (for a copy that adds or drops paragraphs) the share of the shorter text's shingles
  found in the longer one >= ``CONTAINMENT`` while Jaccard is still >= ``MIN_JACCARD``.

The text is the *cleaned* text (scraper artifacts such as ``[ad_1]`` already removed), so a
scraper copy is an exact duplicate of its source.  Clusters are stable: an article keeps the
cluster it was given, a new article joins the cluster of its most similar earlier article
(ties: the smallest cluster id), and a cluster's id is the id of its first article.  The
decision depends only on the set of earlier articles, so an index rebuilt from the store's
stored signatures (:meth:`DedupIndex.add_stored`) assigns exactly what an uninterrupted run
would have assigned.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from marsad.lang.ar.normalize import normalize_key

#: Words per shingle.  3 keeps a one-word edit from touching more than 3 shingles while
#: still telling apart two texts that share a topic's vocabulary.
SHINGLE_WORDS = 3
NUM_PERM = 128
SEED = 1
#: Estimated Jaccard similarity of shingle sets at or above which two articles are one story.
#: Chosen on 200 hand-labelled SaudiNewsNet pairs (benchmarks/dedup.py): with CONTAINMENT
#: below, precision 0.93 and recall 0.82 on that sample.
THRESHOLD = 0.45
#: Estimated containment (shared shingles / shingles of the shorter text) that also makes a
#: duplicate: a republication that adds background paragraphs or cuts the story short.
CONTAINMENT = 0.7
#: ... but only above this Jaccard, and only when the shorter text has enough shingles for
#: the estimate to mean something.
MIN_JACCARD = 0.2
MIN_SHINGLES_FOR_CONTAINMENT = 20

_SCHEME = "affine32"
#: Shingles are hashed with CRC-32 (3x faster than datasketch's SHA-1 here; the affine32
#: scheme mixes the values before permuting, so CRC's linearity does not matter).  Part of
#: the stored format: a change needs a new magic.
_HASHFUNC = zlib.crc32
_MAGIC = b"MH1"
_HEADER = struct.Struct("<3sBHHI")  # magic, shingle words, num_perm, seed, shingles
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Signature:
    """What dedup keeps of an article: the hash of its normalised text and its MinHash."""

    exact: bytes  # 20 bytes: sha1 of the normalised words
    hashvalues: np.ndarray  # NUM_PERM uint32 values
    n_shingles: int = 0

    def to_bytes(self) -> bytes:
        """Serialised for the store's ``signatures`` table (self-describing, 32 + 4*NUM_PERM bytes)."""
        head = _HEADER.pack(_MAGIC, SHINGLE_WORDS, len(self.hashvalues), SEED, self.n_shingles)
        return head + self.exact + self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Read a stored signature; ValueError when it was made with other parameters."""
        if len(data) < _HEADER.size + 20:
            raise ValueError("signature too short")
        magic, words, num_perm, seed, n_shingles = _HEADER.unpack_from(data)
        if magic != _MAGIC:
            raise ValueError("not a marsad MinHash signature")
        if (words, num_perm, seed) != (SHINGLE_WORDS, NUM_PERM, SEED):
            raise ValueError(f"signature made with {words}-word shingles, {num_perm} permutations, seed {seed}")
        off = _HEADER.size
        exact = data[off:off + 20]
        if len(data) < off + 20 + 4 * num_perm:
            raise ValueError("signature truncated")
        values = np.frombuffer(data, dtype="<u4", count=num_perm, offset=off + 20).astype(np.uint32)
        return cls(exact, values, n_shingles)

    def minhash(self) -> MinHash:
        return MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=self.hashvalues, scheme=_SCHEME,
                       permutations=_permutations(), hashfunc=_HASHFUNC)

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        return _jaccard(self.hashvalues, other.hashvalues)


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / NUM_PERM


def containment(jaccard: float, n_a: int, n_b: int) -> float:
    """Estimated share of the smaller set inside the larger, from Jaccard and the set sizes."""
    small = min(n_a, n_b)
    if small <= 0:
        return 0.0
    shared = jaccard / (1.0 + jaccard) * (n_a + n_b)
    return min(1.0, shared / small)


def is_duplicate(jaccard: float, n_a: int, n_b: int) -> bool:
    """The near-duplicate decision for two texts with these estimates."""
    if jaccard >= THRESHOLD:
        return True
    return (jaccard >= MIN_JACCARD and min(n_a, n_b) >= MIN_SHINGLES_FOR_CONTAINMENT
            and containment(jaccard, n_a, n_b) >= CONTAINMENT)


def words(text: str) -> list[str]:
    """The normalised words of a (cleaned) text: what both exact and near matching compare."""
    return _WORD_RE.findall(normalize_key(text))


def shingles(ws: list[str], k: int = SHINGLE_WORDS) -> set[str]:
    """Word k-shingles; a text shorter than k words is one shingle."""
    if len(ws) <= k:
        return {" ".join(ws)} if ws else set()
    return {" ".join(ws[i:i + k]) for i in range(len(ws) - k + 1)}


_PERMS: list[tuple[np.ndarray, np.ndarray]] = []


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The shared permutations, computed once per process (datasketch makes them per MinHash)."""
    if not _PERMS:
        _PERMS.append(MinHash(num_perm=NUM_PERM, seed=SEED, scheme=_SCHEME, hashfunc=_HASHFUNC).permutations)
    return _PERMS[0]


def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=_SCHEME, permutations=_permutations(), hashfunc=_HASHFUNC)


def signature(text: str) -> Signature:
    """Signature of a cleaned text (artifacts already removed)."""
    ws = words(text)
    exact = hashlib.sha1(" ".join(ws).encode("utf-8")).digest()
    m = _template()
    sh = shingles(ws)
    if sh:
        m.update_batch([s.encode("utf-8") for s in sh])
    return Signature(exact, np.asarray(m.hashvalues, dtype=np.uint32), len(sh))


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an article went: its cluster, and why (``new``, ``exact`` or ``near``)."""

    cluster_id: str
    kind: str
    similarity: float = 1.0
    matched: str | None = None  # the earlier article it matched

    @property
    def duplicate(self) -> bool:
        return self.kind != "new"


class DedupIndex:
    """Incremental duplicate clustering over the articles seen so far.

    Memory: about 0.6 KB per article (signature values, LSH buckets, ids), so a store of a
    million articles needs some 600 MB to resume; the LSH is in memory.
    """

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=MIN_JACCARD, num_perm=NUM_PERM)
        self._ids: list[str] = []
        self._clusters: list[str] = []
        self._sigs: list[np.ndarray] = []
        self._sizes: list[int] = []
        self._index_of: dict[str, int] = {}
        self._exact: dict[bytes, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._index_of

    def cluster_of(self, article_id: str) -> str | None:
        i = self._index_of.get(article_id)
        return self._clusters[i] if i is not None else None

    def _add(self, article_id: str, cluster_id: str, sig: Signature) -> None:
        if article_id in self._index_of:
            return
        i = len(self._ids)
        self._ids.append(article_id)
        self._clusters.append(cluster_id)
        self._sigs.append(sig.hashvalues)
        self._sizes.append(sig.n_shingles)
        self._index_of[article_id] = i
        self._exact.setdefault(sig.exact, i)
        if sig.n_shingles:
            self._lsh.insert(i, sig.minhash(), check_duplication=False)

    def add_stored(self, article_id: str, cluster_id: str | None, sig: Signature) -> None:
        """An article already in the store, with the cluster it was given then."""
        self._add(article_id, cluster_id or article_id, sig)

    def load(self, stored: Iterable[tuple[str, str | None, Signature]]) -> int:
        n = 0
        for aid, cid, sig in stored:
            self.add_stored(aid, cid, sig)
            n += 1
        return n

    def match(self, sig: Signature) -> Assignment | None:
        """The earlier article this signature duplicates (without adding it), or None."""
        i = self._exact.get(sig.exact)
        if i is not None:
            return Assignment(self._clusters[i], "exact", 1.0, self._ids[i])
        if not sig.n_shingles:
            return None
        best: tuple[float, str, int] | None = None
        for j in self._lsh.query(sig.minhash()):
            sim = _jaccard(self._sigs[j], sig.hashvalues)
            if not is_duplicate(sim, self._sizes[j], sig.n_shingles):
                continue
            # most similar first; ties go to the smallest cluster id, then the earliest article
            if best is None or (-sim, self._clusters[j], j) < (-best[0], best[1], best[2]):
                best = (sim, self._clusters[j], j)
        if best is None:
            return None
        return Assignment(best[1], "near", best[0], self._ids[best[2]])

    def assign(self, article_id: str, sig: Signature) -> Assignment:
        """Put a new article into a cluster (an existing one, or its own) and remember it."""
        known = self.cluster_of(article_id)
        if known is not None:
            return Assignment(known, "known", 1.0, article_id)
        found = self.match(sig)
        a = found if found is not None else Assignment(article_id, "new")
        self._add(article_id, a.cluster_id, sig)
        return a

    def candidates(self, sig: Signature) -> list[tuple[str, float]]:
        """Every LSH candidate of ``sig`` with its estimated Jaccard (for measurement)."""
        out = [(self._ids[j], _jaccard(self._sigs[j], sig.hashvalues)) for j in self._lsh.query(sig.minhash())]
        return sorted(out, key=lambda x: (-x[1], x[0]))
