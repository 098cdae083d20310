"""Query results kept between requests, dropped the moment the store changes.

The server only reads (ingest runs elsewhere), and a dyad's timeline over a million events
takes a few hundred milliseconds to aggregate: recomputing it for every visitor would cap a
2-core server at a handful of requests per second.  So results are kept, keyed by the page and
its parameters, until the store changes.  For a SQLite store, "changed" is read from the size
and modification time of the database file and its write-ahead log (every commit touches one
of them; two ``stat`` calls per request); for a server database, entries expire after
``ttl`` seconds.  Concurrent requests for the same missing entry compute it once.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from marsad.store import Store

#: Entries kept (least recently used dropped first), and a bound on the bytes they hold.
MAX_ENTRIES = 2048
MAX_BYTES = 256 * 1024 * 1024


class StoreVersion:
    """A value that changes whenever the store's contents may have changed."""

    def __init__(self, store: Store, ttl: float) -> None:
        self.ttl = ttl
        self.paths: list[Path] = []
        if store.dialect == "sqlite" and "://" not in store.location:
            db = Path(store.location)
            self.paths = [db, Path(f"{db}-wal")]

    def current(self) -> Hashable:
        if not self.paths:
            return int(time.monotonic() // self.ttl) if self.ttl > 0 else time.monotonic()
        out = []
        for p in self.paths:
            try:
                st = os.stat(p)
                out.append((st.st_size, st.st_mtime_ns))
            except OSError:
                out.append(None)
        return tuple(out)


class ResultCache:
    """LRU of computed results, invalidated as a whole when the store version changes."""

    def __init__(self, version: StoreVersion, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 enabled: bool = True) -> None:
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.enabled = enabled
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._seen: Hashable = version.current()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def _check_version(self) -> None:
        v = self.version.current()
        if v != self._seen:
            with self._lock:
                self._data.clear()
                self._bytes = 0
                self._seen = v

    def _get(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            hit = self._data.get(key)
            if hit is None:
                return False, None
            self._data.move_to_end(key)
            return True, hit[0]

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """(found, value) without computing: cheap enough for the event loop."""
        if not self.enabled:
            return False, None
        self._check_version()
        found, value = self._get(key)
        if found:
            self.hits += 1
        return found, value

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached result for ``key``, computing it (once, however many ask at once) if needed."""
        if not self.enabled:
            return compute()
        self._check_version()
        found, value = self._get(key)
        if found:
            self.hits += 1
            return value
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:  # the first caller computes; the others wait and then find it
            found, value = self._get(key)
            if found:
                self.hits += 1
                return value
            self.misses += 1
            seen = self._seen
            value = compute()
            size = len(value) if isinstance(value, bytes | str) else 0
            with self._lock:
                if seen == self._seen:  # the store did not change while computing
                    self._data[key] = (value, size)
                    self._bytes += size
                    while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
                        _, (_, n) = self._data.popitem(last=False)
                        self._bytes -= n
                self._computing.pop(key, None)
            return value


class QuerySlots:
    """At most ``n`` threads of a server process query the store at once.

    A query function may take a second pooled connection while holding one (a filter checked
    against the store inside a read), so 40 request threads computing at once can each hold
    one connection and wait for another until the pool times out.  Few slots also suit the
    machine: on 2 cores more concurrent aggregations only share the same CPU.  Re-entrant:
    a computation that asks for another cached result (the home page's parts) keeps its slot.
    """

    def __init__(self, n: int = 4) -> None:
        self._sem = threading.BoundedSemaphore(n)
        self._local = threading.local()

    def run(self, compute: Callable[[], Any]) -> Any:
        depth = getattr(self._local, "depth", 0)
        if depth:
            self._local.depth = depth + 1
            try:
                return compute()
            finally:
                self._local.depth = depth
        with self._sem:
            self._local.depth = 1
            try:
                return compute()
            finally:
                self._local.depth = 0
