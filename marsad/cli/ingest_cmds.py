"""``marsad ingest``: files, folders, archives, WARC and feeds → the store.

A thin layer over :mod:`marsad.ingest`: it draws the progress bar, prints each bad item as
one line on stderr, prints the summary, and exits 1 when any item failed (0 otherwise).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from marsad.cli import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, CLIError, err, handle_errors

#: Bad items printed one per line; past this many only the count grows (all are in the store).
MAX_PRINTED_ERRORS = 500


class _CLIReporter:
    """Progress bar (rich, on stderr, only on a terminal) and one line per bad item."""

    def __init__(self, show_progress: bool, quiet: bool) -> None:
        self.quiet = quiet
        self.printed = 0
        self.suppressed = 0
        self._progress: Any = None
        self._task: Any = None
        if show_progress:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = Console(stderr=True)
            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.fields[line]}"), TimeElapsedColumn(),
                console=console, transient=True, refresh_per_second=4)

    def __enter__(self) -> _CLIReporter:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("ingest", line="starting…")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _line(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            err(text)

    def note(self, text: str) -> None:
        self._line(text if self._progress is None else f"marsad: {text}")

    def error(self, where: str, reason: str) -> None:
        if self.printed >= MAX_PRINTED_ERRORS:
            self.suppressed += 1
            return
        self.printed += 1
        self._line(f"{where}: {reason}" if self._progress is None else f"marsad: {where}: {reason}")

    def warning(self, where: str, message: str) -> None:
        if not self.quiet:
            self._line(f"{where}: warning: {message}" if self._progress is None
                       else f"marsad: {where}: warning: {message}")

    def progress(self, s: Any) -> None:
        if self._progress is None:
            return
        line = (f"{s.done:,} done · {s.new:,} new · {s.duplicates:,} duplicates · "
                f"{s.already_stored:,} already stored · {s.errors:,} errors · {s.rate:,.1f}/s")
        self._progress.update(self._task, line=line)


def _print_summary(s: Any, store: str, followed: bool = False) -> None:
    rows = [
        ("read", s.read), ("new", s.new),
        ("  duplicates", f"{s.duplicates} ({s.exact_duplicates} exact, {s.near_duplicates} near)"),
        ("  not Arabic", f"{s.not_arabic} (stored, not analysed)"),
        ("already stored", s.already_stored), ("errors", s.errors),
    ]
    if s.id_conflicts:
        rows.append(("id conflicts", f"{s.id_conflicts} (stored under derived ids)"))
    rows += [("events", s.events), ("quotes", s.quotes),
             ("time", f"{s.seconds:.1f} s"), ("rate", f"{s.rate:.1f} items/s")]
    width = max(len(k) for k, _ in rows)
    click.echo(f"marsad ingest → {store}{' (follow)' if followed else ''}", err=True)
    for k, v in rows:
        click.echo(f"  {k.ljust(width)}  {v}", err=True)


def register(main: click.Group) -> None:
    main.add_command(ingest_cmd)


@click.command("ingest")
@click.argument("sources", nargs=-1)
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="Store: a SQLite file or postgresql:// URL (default: $MARSAD_DB or ./marsad.db).")
@click.option("--workers", type=int, default=None, metavar="N",
              help="Worker processes for analysis (default: the number of cores).")
@click.option("--analyse-all-languages", "--analyze-all-languages", "all_languages", is_flag=True,
              help="Analyse non-Arabic articles too (default: store them, do not analyse).")
@click.option("--actors", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra actor dictionary (YAML); repeatable.")
@click.option("--no-ner", is_flag=True, help="Skip the statistical NER (dictionary and rules only; about twice as fast).")
@click.option("--follow", "follow", metavar="FEEDS",
              help="Keep polling feeds: a feeds.txt (one URL per line) or a feed URL.")
@click.option("--every", default="15m", show_default=True, help="With --follow: time between polls (30s, 15m, 1h).")
@click.option("--max-polls", type=int, default=None, metavar="N", help="With --follow: stop after N polls.")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="HTTP timeout in seconds.")
@click.option("--host-delay", type=float, default=1.0, show_default=True,
              help="Seconds between two requests to the same host.")
@click.option("--batch-size", type=int, default=200, show_default=True,
              help="Articles per store transaction.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar, no warnings (errors are still printed).")
@handle_errors
def ingest_cmd(sources: tuple[str, ...], db: str | None, workers: int | None, all_languages: bool,
               actors: tuple[str, ...], no_ner: bool, follow: str | None, every: str, max_polls: int | None,
               timeout: float, host_delay: float, batch_size: int, as_json: bool, quiet: bool) -> None:
    """Ingest articles into the store: folders, .txt/.html/.json/.jsonl/.csv files, .zip
    archives, .warc(.gz) crawls, RSS/Atom feed URLs and feeds.txt lists.

    Idempotent: ingesting a source twice adds nothing, and an interrupted run can simply be
    started again.  Duplicate and near-duplicate articles are stored and grouped into
    clusters, so that a story reported by ten outlets counts once.  Bad items are reported
    (one line each, also kept in the store) and skipped; the exit code is then 1."""
    from marsad import ingest as ing
    from marsad.store import open_store

    if not sources and not follow:
        raise CLIError("nothing to ingest: give one or more SOURCES, or --follow FEEDS", EXIT_USAGE)
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if n_workers < 1:
        raise CLIError("--workers must be at least 1", EXIT_USAGE)
    if batch_size < 1:
        raise CLIError("--batch-size must be at least 1", EXIT_USAGE)
    if max_polls is not None and max_polls < 1:
        raise CLIError("--max-polls must be at least 1", EXIT_USAGE)
    interval = 0.0
    feed_urls: list[str] = []
    if follow:
        from marsad.feeds import parse_interval
        from marsad.sources import read_feed_list

        try:
            interval = parse_interval(every)
        except ValueError as exc:
            raise CLIError(str(exc), EXIT_USAGE) from None
        feed_urls = read_feed_list(follow)
    if actors:  # check the user's dictionaries here: a bad file must not break every worker
        from marsad.resources import load_resources

        load_resources(actors)
    options = ing.IngestOptions(workers=n_workers, batch_size=batch_size,
                                analyse_all_languages=all_languages, actor_files=tuple(actors),
                                use_ner=not no_ner)
    from marsad.feeds import Fetcher

    show = not quiet and sys.stderr.isatty()
    store = open_store(db)
    total = ing.Summary()
    interrupted = False
    try:
        with Fetcher(timeout=timeout, host_delay=host_delay) as fetcher, _CLIReporter(show, quiet) as rep:
            if sources:
                try:
                    ing.ingest(list(sources), store, options, rep, fetcher=fetcher, summary=total)
                except KeyboardInterrupt:
                    interrupted = True
            if follow and not interrupted:
                def on_round(n: int, s: ing.Summary) -> None:
                    total.add(s)
                    if not quiet:
                        rep.note(f"poll {n}: {s.read} entries, {s.new} new, "
                                 f"{s.already_stored} already stored, {s.errors} errors")

                try:
                    ing.follow(feed_urls, store, interval, options=options, reporter=rep, fetcher=fetcher,
                               max_polls=max_polls, on_round=on_round)
                except KeyboardInterrupt:
                    err("stopped following feeds")
            if rep.suppressed:
                err(f"{rep.suppressed} more bad items not printed (all are logged in the store's ingest_errors)")
        location = store.location
    finally:
        store.close()
    _print_summary(total, location, followed=bool(follow))
    if as_json:
        click.echo(json.dumps(total.to_dict(), ensure_ascii=False))
    if interrupted:
        err("interrupted: what is counted as new is stored; run the same command again to finish")
        sys.exit(130)
    sys.exit(EXIT_PARTIAL if total.errors else EXIT_OK)
