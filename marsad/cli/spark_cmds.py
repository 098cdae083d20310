"""``marsad spark analyze`` (the pipeline on Apache Spark) and ``marsad load`` (its output → a store).

Thin layers over :mod:`marsad.spark.job` and :mod:`marsad.spark.load`.  ``spark analyze``
needs ``pip install 'marsad[spark]'`` and Java 17; ``load`` needs neither.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from marsad.cli import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, CLIError, err, handle_errors


def _rows(pairs: list[tuple[str, Any]], title: str) -> None:
    width = max(len(k) for k, _ in pairs)
    click.echo(title, err=True)
    for k, v in pairs:
        click.echo(f"  {k.ljust(width)}  {v}", err=True)


@click.group("spark")
def spark_group() -> None:
    """Run marsad on Apache Spark (pip install 'marsad[spark]'; needs Java 17)."""


@spark_group.command("analyze")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", required=True, metavar="DIR", help="Output folder: Parquet tables and summary.json.")
@click.option("--master", default="local[*]", show_default=True,
              help="Spark master: local[N], spark://host:port, yarn, k8s://...")
@click.option("--conf", "confs", multiple=True, metavar="KEY=VALUE", help="Spark setting; repeatable.")
@click.option("--actors", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra actor dictionary (YAML); repeatable.  Shipped to the executors.")
@click.option("--analyse-all-languages", "--analyze-all-languages", "all_languages", is_flag=True,
              help="Analyse non-Arabic articles too (default: store them, do not analyse).")
@click.option("--partitions", type=int, default=None, metavar="N",
              help="Analysis tasks (default: one per 400 articles, at least two per core).")
@click.option("--overwrite", is_flag=True, help="Replace DIR if it holds an earlier output.")
@click.option("--keep-work", is_flag=True, help="Keep DIR/_work (the intermediate stages).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@handle_errors
def spark_analyze(inputs: tuple[str, ...], out: str, master: str, confs: tuple[str, ...], actors: tuple[str, ...],
                  all_languages: bool, partitions: int | None, overwrite: bool, keep_work: bool,
                  as_json: bool) -> None:
    """Analyse INPUT... (JSONL, Parquet, WARC, and every format marsad ingest reads; files,
    folders or globs on any file system Spark reads) and write the store's tables to DIR as
    Parquet: articles, actors, mentions, quotes, events, event_keys, times, clusters, errors.

    Duplicate clusters are those marsad ingest would make on the same inputs in the same order.
    Bad records and files are listed in the errors table and counted; the exit code is then 1.
    Load the result with: marsad load DIR --db STORE."""
    try:
        from marsad.spark import job
    except ImportError as exc:
        raise CLIError(f"Spark is not installed ({exc.name}): pip install 'marsad[spark]'", EXIT_USAGE) from None
    if partitions is not None and partitions < 1:
        raise CLIError("--partitions must be at least 1", EXIT_USAGE)
    conf = []
    for c in confs:
        k, sep, v = c.partition("=")
        if not sep or not k.strip():
            raise CLIError(f"--conf {c!r}: want KEY=VALUE", EXIT_USAGE)
        conf.append((k.strip(), v.strip()))
    opts = job.JobOptions(list(inputs), out, tuple(actors), all_languages, partitions, overwrite, keep_work)
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()  # e.g. a notebook's or a test's: reuse it, leave it running
    spark = running or job.build_session(master, conf)
    try:
        s = job.run(spark, opts, progress=lambda m: err(m))
    except job.JobError as exc:
        raise CLIError(str(exc), exc.code) from None
    finally:
        if running is None:
            spark.stop()
    _rows([("read", s.read), ("new", s.new),
           ("  duplicates", f"{s.duplicates} ({s.exact_duplicates} exact, {s.near_duplicates} near)"),
           ("  not Arabic", f"{s.not_arabic} (stored, not analysed)"),
           ("already stored", s.already_stored), ("errors", s.errors),
           *([("id conflicts", f"{s.id_conflicts} (stored under derived ids)")] if s.id_conflicts else []),
           ("events", s.events), ("quotes", s.quotes), ("clusters", s.clusters),
           ("time", f"{s.seconds:.1f} s on {s.master} ({s.cores} cores)"), ("rate", f"{s.rate:.1f} items/s")],
          f"marsad spark analyze → {out}")
    if as_json:
        click.echo(json.dumps(s.to_dict(), ensure_ascii=False))
    sys.exit(EXIT_PARTIAL if s.errors else EXIT_OK)


@click.command("load")
@click.argument("directory", metavar="DIR")
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="Store: a SQLite file or postgresql:// URL (default: $MARSAD_DB or ./marsad.db).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@handle_errors
def load_cmd(directory: str, db: str | None, as_json: bool) -> None:
    """Bulk-load the output of marsad spark analyze (DIR) into a store.

    Idempotent and resumable: articles already in the store are skipped, each bucket of
    articles is written in one transaction, and an interrupted load can simply be run again."""
    from marsad.spark.load import LoadError, load
    from marsad.store import open_store

    store = open_store(db)
    try:
        try:
            s = load(directory, store, progress=lambda m: err(m))
        except LoadError as exc:
            raise CLIError(str(exc)) from None
        location = store.location
    finally:
        store.close()
    _rows([("articles", f"{s.articles} loaded, {s.already_stored} already stored"),
           *([("id conflicts", f"{s.conflicts} (a different text under a stored id; kept the stored one)")]
             if s.conflicts else []),
           ("events", s.events), ("quotes", s.quotes), ("clusters", s.clusters), ("errors", s.errors),
           ("time", f"{s.seconds:.1f} s")], f"marsad load {directory} → {location}")
    if as_json:
        click.echo(json.dumps(s.to_dict(), ensure_ascii=False))


def register(main: click.Group) -> None:
    main.add_command(spark_group)
    main.add_command(load_cmd)
