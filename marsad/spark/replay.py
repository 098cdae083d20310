"""marsad.dedup's cluster decisions, replayed on a graph of verified duplicate pairs.

The single-machine index (:class:`marsad.dedup.DedupIndex`) takes articles one by one: an
exact copy joins the cluster of the first article with the same normalised text; otherwise the
article joins the cluster of its most similar *earlier* near duplicate (ties: smallest cluster
id, then the earliest article), or starts a cluster named after itself.  Each decision only looks
at the article's verified neighbours, and those at theirs, so the decisions inside one connected
component of the "is a duplicate of" graph depend on that component alone.  The Spark job finds
the pairs (LSH banding + the same verification), cuts the graph into components, and replays the
index's rule here, component by component, in input order: the same clusters, the same ids.

Near-duplicate pairs are only needed between *representatives* (the first article of each exact
group): a later copy has the same signature, the same cluster and a later position than its
representative, so the index's tie-break never prefers it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Member:
    """An article of a component: its order key, its id, and (for an exact copy) its representative."""

    okey: int
    fid: str
    rep: int | None = None


@dataclass(frozen=True, slots=True)
class Assigned:
    okey: int
    cluster_id: str
    kind: str  # new | exact | near
    similarity: float = 1.0


def replay(members: Iterable[Member], edges: Iterable[tuple[int, int, float]]) -> list[Assigned]:
    """Cluster every member as DedupIndex.assign would, taking them in order-key order.

    ``edges``: verified near-duplicate pairs ``(i, j, similarity)`` between representatives.
    """
    earlier: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for i, j, sim in edges:
        a, b = (i, j) if i < j else (j, i)
        earlier[b].append((a, sim))
    cluster: dict[int, str] = {}
    out: list[Assigned] = []
    for m in sorted(members, key=lambda m: m.okey):
        if m.rep is not None and m.rep != m.okey:
            cid = cluster[m.rep]
            out.append(Assigned(m.okey, cid, "exact"))
        else:
            best: tuple[float, str, int] | None = None
            for a, sim in earlier.get(m.okey, ()):
                cand = (-sim, cluster[a], a)
                if best is None or cand < best:
                    best = cand
            if best is None:
                cid = m.fid
                out.append(Assigned(m.okey, cid, "new"))
            else:
                cid = best[1]
                out.append(Assigned(m.okey, cid, "near", -best[0]))
        cluster[m.okey] = cid
    return out


class UnionFind:
    """Connected components of a small edge list (on the driver); labels are the smallest key."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        p = self.parent.setdefault(x, x)
        root = x
        while p != root:
            root = p
            p = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo  # the root is always the smallest key of the component

    def labels(self) -> dict[int, int]:
        return {x: self.find(x) for x in self.parent}
