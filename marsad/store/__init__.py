"""The event store: articles, duplicate clusters, actors, mentions, quotes and events.

SQLite by default (one file, WAL, FTS5 over normalised Arabic), PostgreSQL through a
``postgresql://`` URL; one schema (:mod:`.schema`), the same queries (:mod:`marsad.queries`).

    >>> from marsad.store import open_store, StoredArticle
    >>> store = open_store("corpus.db")
    >>> store.write_articles([StoredArticle.from_analysis(analysis)])
"""

from marsad.store.database import DEFAULT_PATH, Store, StoreError, default_location, open_store
from marsad.store.rows import StoredArticle, actor_store_id, text_hash
from marsad.store.schema import SCHEMA_VERSION

__all__ = [
    "DEFAULT_PATH", "SCHEMA_VERSION", "Store", "StoreError", "StoredArticle", "actor_store_id",
    "default_location", "open_store", "text_hash",
]
