"""The store's schema: every table, index and full-text object, defined once.

SQLAlchemy Core tables serve SQLite and PostgreSQL alike.  Dates are ISO strings
(``YYYY-MM-DD``) so that both databases sort and group them the same way; an event's
``day``/``week``/``month`` buckets are computed in Python at write time for the same reason
(no dialect-specific date functions in queries).

Full text differs by dialect and is created here too: an FTS5 table on SQLite (contentless:
the article text is already stored once), a ``tsvector`` table with a GIN index on
PostgreSQL.  Both index the *normalised* key of title + text (marsad.lang.ar.normalize).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Connection

#: Bumped whenever a table or column changes; a database from a newer version is refused,
#: an older one is upgraded when opened for writing (see database._migrate).
SCHEMA_VERSION = 8

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("created_at", String(32), nullable=False),
)

clusters = Table(
    "clusters", metadata,
    Column("id", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),
    Column("sources", Text),  # JSON list of outlets
    Column("first_published", String(32)),
    Column("last_published", String(32)),
)

articles = Table(
    "articles", metadata,
    # doc_no: a small integer key for the full-text index (FTS5 rowids are integers)
    Column("doc_no", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("url", Text),
    Column("source", String(200)),
    Column("title", Text),
    Column("published", String(32)),
    Column("language", String(16)),
    Column("ingested_at", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # ok | not_analysed | error
    Column("error", Text),
    Column("cluster_id", String(64)),
    Column("text", Text, nullable=False),
    Column("text_hash", String(64), nullable=False),
    Column("n_chars", Integer, nullable=False),
    Column("warnings", Text),  # JSON list
    Column("schema_version", String(16)),  # of the analysis (marsad.model.SCHEMA_VERSION)
)
Index("ix_articles_published", articles.c.published)
Index("ix_articles_cluster", articles.c.cluster_id)
Index("ix_articles_source", articles.c.source)
Index("ix_articles_status_language", articles.c.status, articles.c.language)  # stats without a table scan

# One row per distinct actor over the whole store: KB id, or "_" + hash for unknown actors.
actors = Table(
    "actors", metadata,
    Column("id", String(80), primary_key=True),
    Column("kb_id", String(80)),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False),  # compare_key(name), for lookups by name
    Column("type", String(8)),
    Column("country", String(32)),
    Column("role", String(16)),
    Column("wikidata", String(32)),
)
Index("ix_actors_name_key", actors.c.name_key)
Index("ix_actors_country", actors.c.country)

# An actor as found in one article (order and per-article role kept for the round trip).
article_actors = Table(
    "article_actors", metadata,
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("actor_id", String(80), ForeignKey("actors.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("type", String(8)),
    Column("country", String(32)),
    Column("role", String(16)),
    Column("kb_id", String(80)),
    Column("wikidata", String(32)),
)
Index("ix_article_actors_actor", article_actors.c.actor_id)

mentions = Table(
    "mentions", metadata,
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("actor_idx", Integer, primary_key=True, autoincrement=False),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("actor_id", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("key", Text, nullable=False),  # compare_key(text): find actors by Arabic surface
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)
# Only the key is indexed: mentions are written 15 to an article, and each index costs at
# ingest; by-article lookups use the primary key, by-actor ones go through article_actors.
Index("ix_mentions_key", mentions.c.key)


def _ref_columns(prefix: str) -> list[Column]:
    """Columns of an ActorRef (speaker, via, source, target): who, and where in the text."""
    return [
        Column(f"{prefix}_id", String(80)),  # store actor id (KB id or "_" hash)
        Column(f"{prefix}_kb_id", String(80)),
        Column(f"{prefix}_name", Text),
        Column(f"{prefix}_country", String(32)),
        Column(f"{prefix}_role", String(16)),
        Column(f"{prefix}_text", Text),
        Column(f"{prefix}_start", Integer),
        Column(f"{prefix}_end", Integer),
    ]


quotes = Table(
    "quotes", metadata,
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("cluster_id", String(64), nullable=False),  # the article's cluster, or its id
    Column("sig", String(32), nullable=False),  # hash(speaker, normalised text): same quote in a cluster
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("cue", Text),
    Column("day", String(10)),  # the article's publication day
    *_ref_columns("speaker"),
    *_ref_columns("via"),
)
# by speaker, newest first: a speaker's latest quotes are read off the index
Index("ix_quotes_speaker_day", quotes.c.speaker_id, quotes.c.day)
Index("ix_quotes_speaker_country_day", quotes.c.speaker_country, quotes.c.day)
Index("ix_quotes_day", quotes.c.day)  # quotes about a much-named actor, newest first
Index("ix_quotes_cluster_sig", quotes.c.cluster_id, quotes.c.sig)

events = Table(
    "events", metadata,
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("cluster_id", String(64), nullable=False),  # the article's cluster, or its id
    # sig: hash(source country, target country, type, mode, date); (cluster_id, sig) is the
    # event key, so one story reported by ten outlets counts once.
    Column("sig", String(32), nullable=False),
    Column("type", String(16), nullable=False),
    Column("cameo", String(8)),
    Column("goldstein", Float),
    Column("quad_class", Integer),
    Column("mode", String(16), nullable=False),
    Column("date", String(16)),  # as coded: YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY or NULL
    Column("date_precision", String(8)),
    Column("day", String(10)),  # bucket day: see rows.effective_day
    Column("week", String(8)),  # ISO week of ``day``: YYYY-Www
    Column("month", String(7)),
    *_ref_columns("source"),
    *_ref_columns("target"),
    Column("source_country_key", String(32), nullable=False),  # country or "" (for indexes)
    Column("target_country_key", String(32), nullable=False),
    Column("trigger_text", Text, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("quote_index", Integer),
    Column("is_root", Boolean, nullable=False),  # in the first paragraph (GDELT's IsRootEvent)
    Column("confidence", Float),  # v8: Event.confidence (occurrence model, PROTEST/ASSAULT), else NULL
)
Index("ix_events_cluster_sig", events.c.cluster_id, events.c.sig)
Index("ix_events_dyad_day", events.c.source_country_key, events.c.target_country_key, events.c.day)
# covering: top actors of a period read only this index
Index("ix_events_day_actors", events.c.day, events.c.source_id, events.c.target_id, events.c.cluster_id,
      events.c.sig, events.c.article_id)
Index("ix_events_source_actor", events.c.source_id)
Index("ix_events_target_actor", events.c.target_id)

# One row per event key (cluster_id, sig): the deduplicated view of ``events``, kept up to date
# by every write and cluster assignment, as GDELT keeps its events table beside its mentions.
# Timelines, event lists, dyads and stats read this table: no GROUP BY over mentions at query
# time.  ``day`` is the earliest counted day of the key's mentions; ``rep_*`` its first mention.
event_keys = Table(
    "event_keys", metadata,
    Column("cluster_id", String(64), primary_key=True),
    Column("sig", String(32), primary_key=True),
    Column("type", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("cameo", String(8)),
    Column("goldstein", Float),
    Column("quad_class", Integer),
    Column("date", String(16)),
    Column("day", String(10)),
    Column("week", String(8)),
    Column("month", String(7)),
    Column("source_country_key", String(32), nullable=False),
    Column("target_country_key", String(32), nullable=False),
    Column("rep_article_id", String(64), nullable=False),
    Column("rep_idx", Integer, nullable=False),
    Column("n_mentions", Integer, nullable=False),
    Column("n_articles", Integer, nullable=False),
    Column("n_sources", Integer, nullable=False),
)
_ek = event_keys.c
# covering: a dyad's timeline (each direction, or a country against everyone) reads only an
# index range, never the table
_EK_TIMELINE = (_ek.day, _ek.mode, _ek.type, _ek.goldstein, _ek.quad_class, _ek.week, _ek.month, _ek.n_mentions)
Index("ix_event_keys_dyad", _ek.source_country_key, _ek.target_country_key, *_EK_TIMELINE)
Index("ix_event_keys_target", _ek.target_country_key, _ek.source_country_key, *_EK_TIMELINE)
# covering: the most active dyads of a period, counts per type and mode
Index("ix_event_keys_day", _ek.day, _ek.source_country_key, _ek.target_country_key, _ek.mode, _ek.type,
      _ek.goldstein, _ek.quad_class)
Index("ix_event_keys_type_mode", _ek.type, _ek.mode, _ek.day)  # also: counts per type and mode

# One row per (actor, event key) the actor takes part in: an actor page (events newest
# first, events per month, who they met) reads this instead of grouping the actor's mentions,
# which for a state runs to six figures at 1M events.  ``rep_*`` is the actor's own first
# mention of the event; ``counterpart_*`` the other side of it.
actor_keys = Table(
    "actor_keys", metadata,
    Column("actor_id", String(80), primary_key=True),
    Column("cluster_id", String(64), primary_key=True),
    Column("sig", String(32), primary_key=True),
    Column("role", String(8), nullable=False),  # source | target | both
    Column("type", String(16), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("quad_class", Integer),
    Column("day", String(10)),
    Column("month", String(7)),
    Column("source_country_key", String(32), nullable=False),
    Column("target_country_key", String(32), nullable=False),
    Column("counterpart_id", String(80)),
    Column("counterpart_name", Text),
    Column("counterpart_country", String(32)),
    Column("n_mentions", Integer, nullable=False),  # the actor's mentions of the event
    Column("rep_article_id", String(64), nullable=False),
    Column("rep_idx", Integer, nullable=False),
)
Index("ix_actor_keys_day", actor_keys.c.actor_id, actor_keys.c.day)
Index("ix_actor_keys_month", actor_keys.c.actor_id, actor_keys.c.month, actor_keys.c.role,
      actor_keys.c.quad_class)  # covering: the actor's events per month
Index("ix_actor_keys_type", actor_keys.c.actor_id, actor_keys.c.type, actor_keys.c.counterpart_id)
Index("ix_actor_keys_cluster", actor_keys.c.cluster_id)

# The timeline rollup: distinct events per (source country, target country, day, mode), with
# their mentions, Goldstein sum and quad-class counts.  Kept in step with event_keys by
# adding and subtracting the keys that change, so a timeline reads at most a few rows per day
# instead of every event (a busy dyad has tens of thousands at 1M events).
dyad_days = Table(
    "dyad_days", metadata,
    Column("source_country_key", String(32), primary_key=True),
    Column("target_country_key", String(32), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("mode", String(16), primary_key=True),
    Column("week", String(8), nullable=False),
    Column("month", String(7), nullable=False),
    Column("n_events", Integer, nullable=False),
    Column("n_mentions", Integer, nullable=False),
    Column("goldstein_sum", Float, nullable=False),
    Column("goldstein_n", Integer, nullable=False),
    Column("q1", Integer, nullable=False),
    Column("q2", Integer, nullable=False),
    Column("q3", Integer, nullable=False),
    Column("q4", Integer, nullable=False),
)
Index("ix_dyad_days_target", dyad_days.c.target_country_key, dyad_days.c.day)
# covering: the most active dyads of a period
Index("ix_dyad_days_day", dyad_days.c.day, dyad_days.c.source_country_key, dyad_days.c.target_country_key,
      dyad_days.c.mode, dyad_days.c.n_events, dyad_days.c.goldstein_sum, dyad_days.c.goldstein_n,
      dyad_days.c.q1, dyad_days.c.q2, dyad_days.c.q3, dyad_days.c.q4)
DYAD_DAY_SUMS = ("n_events", "n_mentions", "goldstein_sum", "goldstein_n", "q1", "q2", "q3", "q4")

times = Table(
    "times", metadata,
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("text", Text, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("value", String(16)),
)

signatures = Table(
    "signatures", metadata,
    Column("article_id", String(64), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("minhash", LargeBinary, nullable=False),
)

ingest_errors = Table(
    "ingest_errors", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text),
    Column("item", Text),
    Column("reason", Text, nullable=False),
    Column("time", String(32), nullable=False),
)
Index("ix_ingest_errors_time", ingest_errors.c.time)

#: Tables holding one article's analysis (deleted and rewritten when it is re-analysed).
ANALYSIS_TABLES = (mentions, article_actors, quotes, events, times)

# -- full text ------------------------------------------------------------------------
SQLITE_FTS_TABLE = "articles_fts"
PG_FTS_TABLE = "articles_fts"

_SQLITE_FTS_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_FTS_TABLE} USING fts5("
    "body, content='', tokenize='unicode61 remove_diacritics 0')"
)
_PG_FTS_DDL = (
    f"CREATE TABLE IF NOT EXISTS {PG_FTS_TABLE} ("
    "doc_no INTEGER PRIMARY KEY REFERENCES articles(doc_no) ON DELETE CASCADE, "
    "fts TSVECTOR NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS ix_{PG_FTS_TABLE}_gin ON {PG_FTS_TABLE} USING GIN (fts)",
)


def create_fulltext(conn: Connection) -> None:
    """Create the dialect's full-text objects (idempotent)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_FTS_DDL)
    elif conn.dialect.name == "postgresql":
        for ddl in _PG_FTS_DDL:
            conn.exec_driver_sql(ddl)
