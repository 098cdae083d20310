"""Store commands: timeline, events, quotes, actors top, dyads, search, stats, article, export.

Each is a thin layer over a function of :mod:`marsad.queries` / :mod:`marsad.export`: it
opens the store read-only, calls the function, and prints either a short human table or,
with ``--json``, exactly what the function returned (what the web API returns too).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from marsad.cli import EXIT_USAGE, CLIError, err, handle_errors

F = TypeVar("F", bound=Callable[..., Any])


def db_option(fn: F) -> F:
    return click.option("--db", "db", metavar="PATH|URL", default=None,
                        help="Store: a SQLite file or postgresql:// URL (default: $MARSAD_DB or ./marsad.db).")(fn)


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(fn)


def page_options(default: int) -> Callable[[F], F]:
    def deco(fn: F) -> F:
        fn = click.option("--offset", type=int, default=0, show_default=True, help="Skip this many results.")(fn)
        return click.option("--limit", type=int, default=default, show_default=True, help="At most this many.")(fn)
    return deco


def date_options(fn: F) -> F:
    fn = click.option("--until", metavar="DATE", help="Last day (YYYY, YYYY-MM or YYYY-MM-DD), inclusive.")(fn)
    return click.option("--since", metavar="DATE", help="First day (YYYY, YYYY-MM or YYYY-MM-DD).")(fn)


def usage_errors(fn: F) -> F:
    """Invalid filters (QueryError, ExportError) are usage errors: exit 2 with the message."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from marsad.export import ExportError
        from marsad.queries import QueryError

        try:
            return fn(*args, **kwargs)
        except (QueryError, ExportError) as exc:
            raise CLIError(str(exc), EXIT_USAGE) from exc

    return wrapper  # type: ignore[return-value]


@contextmanager
def _store(db: str | None) -> Iterator[Any]:
    from marsad.store import open_store

    s = open_store(db, readonly=True)
    try:
        yield s
    finally:
        s.close()


def _emit_json(obj: Any) -> None:
    from marsad.queries import dumps

    click.echo(dumps(obj))


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.2f}"
    return str(x)


def _table(rows: list[list[Any]], header: list[str]) -> None:
    cells = [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip())
    for r in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _who(a: dict[str, Any] | None) -> str:
    if not a:
        return "-"
    return f"{a['name']} ({a['country']})" if a.get("country") else a["name"]


def _more(res: dict[str, Any]) -> None:
    if res.get("has_more"):
        err(f"more results: --offset {res['offset'] + res['limit']}")


# -- commands -------------------------------------------------------------------------------
@click.command()
@click.argument("a")
@click.argument("b", required=False)
@click.option("--by", type=click.Choice(["day", "week", "month"]), default="month", show_default=True)
@click.option("--mode", "modes", metavar="MODES", help="Only these modes, comma-separated "
              "(asserted,claimed,denied,negated,future,hypothetical).")
@click.option("--one-way", is_flag=True, help="Only A → B, not both directions.")
@date_options
@json_option
@db_option
@handle_errors
@usage_errors
def timeline(a: str, b: str | None, by: str, modes: str | None, one_way: bool, since: str | None,
             until: str | None, as_json: bool, db: str | None) -> None:
    """How the relationship of A and B moved: events per period in both directions, Goldstein
    sum and mean, counts per quad class and mode.  Without B: A against everyone.

    \b
    marsad timeline RUS PRK --by month
    marsad timeline RUS PRK --by week --mode asserted,claimed --since 2023-01
    """
    from marsad import queries

    with _store(db) as s:
        res = queries.timeline(s, a, b, by=by, modes=modes, since=since, until=until, both_directions=not one_way)
    if as_json:
        _emit_json(res)
        return
    if not res["periods"]:
        err("no events for this pair and these filters")
        return
    rows = [[r["period"], r["direction"], r["events"], r["mentions"], r["goldstein_sum"], r["goldstein_mean"],
             *r["quad"].values(), ",".join(f"{k}:{v}" for k, v in r["modes"].items())] for r in res["periods"]]
    _table(rows, ["period", "direction", "events", "mentions", "gold_sum", "gold_mean", "vcoop", "mcoop",
                  "vconf", "mconf", "modes"])


def _event_filters(fn: F) -> F:
    for opt in reversed([
        click.option("--source", metavar="CODE", help="Source country (ISO alpha-3 or IGO:X)."),
        click.option("--target", metavar="CODE", help="Target country."),
        click.option("--type", "type_", metavar="TYPE", help="PLOVER event type (CONSULT, ACCUSE ...)."),
        click.option("--mode", metavar="MODES", help="Comma-separated modes."),
        click.option("--actor", metavar="ID", help="An actor (store id, e.g. a KB id) on either side."),
    ]):
        fn = opt(fn)
    return fn


@click.command()
@_event_filters
@click.option("--article", metavar="ID", help="Only events of this article.")
@click.option("--mentions", is_flag=True, help="Every mention, not each event once per duplicate cluster.")
@date_options
@page_options(50)
@json_option
@db_option
@handle_errors
@usage_errors
def events(source: str | None, target: str | None, type_: str | None, mode: str | None, actor: str | None,
           article: str | None, mentions: bool, since: str | None, until: str | None, limit: int, offset: int,
           as_json: bool, db: str | None) -> None:
    """Events, newest first, each counted once per duplicate cluster (unless --mentions).

    \b
    marsad events --source RUS --target PRK --type CONSULT --since 2023-01

    The date column is the event's coded date at its own precision (2000, 2023-09,
    2023-W42, 2023-10-18); ~DAY marks an event with no date of its own, counted on the
    publication day.
    """
    from marsad import queries

    with _store(db) as s:
        res = queries.events(s, source=source, target=target, type=type_, mode=mode, since=since, until=until,
                             limit=limit, offset=offset, mentions=mentions, actor=actor, article=article)
    if as_json:
        _emit_json(res)
        return
    # the coded date at its own precision ("2000" stays a year); with none, the day the
    # event is counted on (the publication day), marked with ~
    rows = [[e["date"] or (f"~{e['day']}" if e["day"] else "-"), e["type"], e["cameo"], e["mode"],
             _who(e["source"]), _who(e["target"]), e["trigger"]["text"], e["n_articles"], e["article"]["id"]]
            for e in res["items"]]
    _table(rows, ["date", "type", "cameo", "mode", "source", "target", "trigger", "articles", "article"])
    _more(res)


@click.command()
@click.option("--speaker", metavar="WHO", help="Name, KB id, Arabic surface form, or a country code "
              "(every speaker of that country).")
@click.option("--about", metavar="WHO", help="An actor or country code named in the quoted words.")
@click.option("--kind", type=click.Choice(["direct", "indirect"]))
@click.option("--mentions", is_flag=True, help="Every mention, not each quote once per duplicate cluster.")
@date_options
@page_options(50)
@json_option
@db_option
@handle_errors
@usage_errors
def quotes(speaker: str | None, about: str | None, kind: str | None, mentions: bool, since: str | None,
           until: str | None, limit: int, offset: int, as_json: bool, db: str | None) -> None:
    """Who said what: quotes by a speaker and/or about an actor or country.

    \b
    marsad quotes --speaker "Sergey Lavrov"
    marsad quotes --speaker لافروف --about PRK
    """
    from marsad import queries

    with _store(db) as s:
        res = queries.quotes(s, speaker=speaker, about=about, kind=kind, since=since, until=until, limit=limit,
                             offset=offset, mentions=mentions)
    if as_json:
        _emit_json(res)
        return
    for q in res["items"]:
        via = f" via {q['via']['name']}" if q["via"] else ""
        click.echo(f"{q['day'] or '-'}  {_who(q['speaker'])}{via}  [{q['kind']}, {q['n_articles']} article(s), "
                   f"{q['article']['id']}]")
        click.echo(f"    {q['text']}")
    if not res["items"]:
        err("no quotes for these filters")
    _more(res)


@click.command("top")
@click.option("--by", type=click.Choice(["events", "articles"]), default="events", show_default=True,
              help="Rank by distinct events, or by stories (duplicate clusters) naming the actor.")
@click.option("--country", metavar="CODE", help="Only actors of this country.")
@date_options
@click.option("--limit", type=int, default=20, show_default=True)
@json_option
@db_option
@handle_errors
@usage_errors
def actors_top(by: str, country: str | None, since: str | None, until: str | None, limit: int, as_json: bool,
               db: str | None) -> None:
    """The most active actors in the store."""
    from marsad import queries

    with _store(db) as s:
        res = queries.top_actors(s, since=since, until=until, limit=limit, by=by, country=country)
    if as_json:
        _emit_json(res)
        return
    if by == "events":
        _table([[a["id"], a.get("name"), a.get("country"), a["n_events"], a["n_articles"], a["n_mentions"]]
                for a in res], ["id", "name", "country", "events", "articles", "mentions"])
    else:
        _table([[a["id"], a.get("name"), a.get("country"), a["n_stories"], a["n_articles"]] for a in res],
               ["id", "name", "country", "stories", "articles"])


@click.command()
@click.option("--directed", is_flag=True, help="A → B and B → A apart.")
@click.option("--mode", "modes", metavar="MODES", help="Only these modes, comma-separated.")
@date_options
@click.option("--limit", type=int, default=20, show_default=True)
@json_option
@db_option
@handle_errors
@usage_errors
def dyads(directed: bool, modes: str | None, since: str | None, until: str | None, limit: int, as_json: bool,
          db: str | None) -> None:
    """The most active pairs of countries."""
    from marsad import queries

    with _store(db) as s:
        res = queries.top_dyads(s, since=since, until=until, limit=limit, modes=modes, directed=directed)
    if as_json:
        _emit_json(res)
        return
    _table([[d["a"], d["b"], d["n_events"], d["n_a_to_b"], d["n_b_to_a"], d["goldstein_mean"], *d["quad"].values()]
            for d in res], ["a", "b", "events", "a>b", "b>a", "gold_mean", "vcoop", "mcoop", "vconf", "mconf"])


@click.command()
@click.argument("query")
@page_options(20)
@json_option
@db_option
@handle_errors
@usage_errors
def search(query: str, limit: int, offset: int, as_json: bool, db: str | None) -> None:
    """Full-text search (diacritics, hamza forms, ة/ه and ى/ي do not matter; "..." for a phrase).

    \b
    marsad search "كوريا الشمالية"
    """
    from marsad import queries

    with _store(db) as s:
        res = queries.search(s, query, limit=limit, offset=offset)
    if as_json:
        _emit_json(res)
        return
    for h in res["items"]:
        snip = h["snippet"]
        for start, end in reversed(h["highlights"]):
            snip = snip[:start] + "«" + snip[start:end] + "»" + snip[end:]
        click.echo(f"{h['id']}  {h['published'] or '-'}  {h['source'] or '-'}  {h['title'] or ''}")
        click.echo(f"    {snip}")
    if not res["items"]:
        err("no matches")
    _more(res)


@click.command()
@json_option
@db_option
@handle_errors
def stats(as_json: bool, db: str | None) -> None:
    """What is in the store."""
    from marsad import queries

    with _store(db) as s:
        res = queries.stats(s)
    if as_json:
        _emit_json(res)
        return
    a, e, q, c = res["articles"], res["events"], res["quotes"], res["clusters"]
    click.echo(f"store      {res['store']} ({res['backend']})")
    click.echo("articles   " + ", ".join(f"{k} {v}" for k, v in a.items()))
    click.echo(f"published  {res['published']['first'] or '-'} … {res['published']['last'] or '-'}")
    click.echo(f"clusters   {c['multi_article']} with 2+ articles ({c['articles_in_them']} articles, "
               f"largest {c['largest']})")
    click.echo(f"events     {e['distinct']} distinct, {e['mentions']} mentions")
    if e["by_mode"]:
        click.echo("  modes    " + ", ".join(f"{k} {v}" for k, v in sorted(e["by_mode"].items())))
    if e["by_type"]:
        click.echo("  types    " + ", ".join(f"{k} {v}" for k, v in sorted(e["by_type"].items())))
    click.echo(f"quotes     {q['distinct']} distinct, {q['mentions']} mentions")
    click.echo(f"actors     {res['actors']}")
    click.echo(f"errors     {res['ingest_errors']} (ingest items reported and skipped)")
    if res["sources"]:
        click.echo("sources    " + ", ".join(f"{x['source'] or '-'} {x['articles']}" for x in res["sources"][:15]))


@click.command("article")
@click.argument("article_id")
@db_option
@handle_errors
def article_cmd(article_id: str, db: str | None) -> None:
    """One stored article: metadata, full analysis and duplicate cluster, as JSON."""
    from marsad import queries

    with _store(db) as s:
        res = queries.article(s, article_id)
    if res is None:
        raise CLIError(f"no article {article_id!r} in the store", EXIT_USAGE)
    _emit_json(res)


@click.command()
@click.option("--format", "fmt", required=True,
              type=click.Choice(["plover-jsonl", "gdelt-tsv", "csv", "jsonl", "parquet"]))
@click.option("-o", "--output", "out", required=True, metavar="FILE|DIR",
              help="Output file ('-' for stdout); for parquet a directory (all tables) or FILE.parquet (events).")
@click.option("--table", default="events", show_default=True,
              help="csv/jsonl/parquet: a stored table instead of events (articles, quotes, actors, mentions, ...).")
@_event_filters
@click.option("--mentions", is_flag=True, help="Every mention, not each event once per duplicate cluster.")
@click.option("--no-header", is_flag=True, help="csv/gdelt-tsv: no header line.")
@date_options
@db_option
@handle_errors
@usage_errors
def export(fmt: str, out: str, table: str, source: str | None, target: str | None, type_: str | None,
           mode: str | None, actor: str | None, mentions: bool, no_header: bool, since: str | None,
           until: str | None, db: str | None) -> None:
    """Export events (or tables) as PLOVER JSONL, GDELT-like TSV, CSV, JSONL or Parquet.

    gdelt-tsv has no mode column, so it exports asserted events only unless --mode says
    otherwise (claims must not pass for facts).  Field mappings: docs/exports.md.

    \b
    marsad export --format plover-jsonl -o events.jsonl --source RUS
    marsad export --format parquet -o corpus-tables/
    """
    from marsad.export import export as run

    if fmt == "gdelt-tsv" and not mode:
        mode = "asserted"
        err("gdelt-tsv: exporting asserted events only (GDELT has no mode column); use --mode to choose")
    if fmt == "parquet" and out == "-":
        raise CLIError("parquet cannot go to stdout: give a directory or FILE.parquet", EXIT_USAGE)
    with _store(db) as s:
        try:
            res = run(s, fmt, out, table=table, mentions=mentions, header=not no_header, source=source,
                      target=target, type=type_, mode=mode, actor=actor, since=since, until=until)
        except OSError as exc:
            raise CLIError(f"cannot write {out}: {exc.strerror or exc}", EXIT_USAGE) from exc
    if out != "-":
        if "tables" in res:
            err(f"wrote {sum(res['tables'].values())} rows in {len(res['tables'])} tables to {out}")
        else:
            err(f"wrote {res['rows']} rows to {out}")
    sys.stdout.flush()


def register(main: click.Group) -> None:
    for cmd in (timeline, events, quotes, dyads, search, stats, article_cmd, export):
        main.add_command(cmd)
    from marsad.cli.kb_cmds import actors_group

    actors_group.add_command(actors_top)
