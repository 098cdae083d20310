"""``marsad actors ...``: the actor dictionary and the actors in the store.

The group is created here; ``actors top`` is added by store_cmds.py (the store's queries).
``lookup``, ``list`` and ``check`` inspect the dictionary (marsad/kb) with the user's own
files (``--actors``) on top, so that a user can see what marsad will make of a name before
running a corpus through it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import click

from marsad.cli import EXIT_INPUT, EXIT_USAGE, CLIError, err, handle_errors

_ACTORS_OPTION = click.option(
    "--actors", "actor_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
    help="Extra actor dictionary (YAML, see docs/actor-dictionary.md); repeatable.")


@click.group("actors")
def actors_group() -> None:
    """Actors: the dictionary, and the most active actors in the store."""


def _kb(actor_files: tuple[str, ...]) -> Any:
    from marsad.kb import default_kb, load_kb

    return load_kb(actor_files) if actor_files else default_kb()


def entry_dict(e: Any, matched: str | None = None, how: str | None = None) -> dict[str, Any]:
    """An entry as JSON: the dictionary's fields, empty ones left out."""
    d: dict[str, Any] = {"id": e.id, "name": e.name, "type": e.type, "country": e.country, "role": e.role}
    if matched is not None:
        d["matched"] = matched
        d["how"] = how
    for k in ("wikidata", "parent"):
        if getattr(e, k):
            d[k] = getattr(e, k)
    for k in ("ar", "ambiguous", "default_for", "capitals", "adjectives"):
        v = getattr(e, k)
        if v:
            d[k] = list(v)
    if e.offices:
        d["offices"] = [{"office": o.office, "country": o.country, "from": o.start, "to": o.end} for o in e.offices]
    d["file"] = e.source_file
    return d


def _line(e: Any) -> str:
    alias = e.ar[0] if e.ar else (e.ambiguous[0] if e.ambiguous else "")
    return "\t".join([e.id, e.type, e.country or "-", e.role or "-", e.name, alias])


@dataclass
class Hit:
    entry: Any
    how: str  # name | ambiguous | capital | adjective | title
    detail: str = ""


def lookup_text(kb: Any, text: str, day: str | None) -> list[Hit]:
    """What the dictionary makes of ``text`` as a whole: an alias (clitics allowed), a
    capital, a nationality adjective, or a title with its country (وزير الخارجية الروسي)
    resolved to whoever held the office on ``day`` (today's holders when no day is given)."""
    from marsad.text import make_doc

    doc = make_doc(text.strip(), kb.lang)
    n = len(doc.tokens)
    hits: list[Hit] = []
    for m in kb.matcher.find_all(doc):
        if m.i == 0 and m.j == n:
            hits.extend(Hit(kb.entries[h.actor_id], h.kind) for h in m.payloads)
    for m in kb.adjective_matcher.find_all(doc):
        if m.i == 0 and m.j == n:
            hits.extend(Hit(kb.entries[a], "adjective") for a in m.payloads)
    if not hits:
        hits.extend(_title_holders(kb, doc, day))
    seen: set[tuple[str, str]] = set()
    out = []
    for h in hits:
        if (h.entry.id, h.how) not in seen:
            seen.add((h.entry.id, h.how))
            out.append(h)
    return out


def _title_holders(kb: Any, doc: Any, day: str | None) -> list[Hit]:
    n = len(doc.tokens)
    out: list[Hit] = []
    for m in kb.office_matcher.find_all(doc):
        if m.i != 0:
            continue
        office = kb.offices.get(m.payloads[0])
        if office is None:
            continue
        countries: set[str | None] = set()
        if m.j == n and office.igo:
            countries.add(office.igo)
        for cm in kb.adjective_matcher.find_all(doc, m.j):
            if cm.i == m.j and cm.j == n:
                countries.update(cm.payloads)
        for cm in kb.matcher.find_all(doc, m.j):
            if cm.i == m.j and cm.j == n:
                countries.update(kb.entries[h.actor_id].country for h in cm.payloads
                                 if kb.entries[h.actor_id].type in ("GPE", "ORG"))
        for c in countries:
            for e in kb.holders(office.id, c, day):
                out.append(Hit(e, "title", f"{office.id} of {c}" + (f" on {day}" if day else "")))
    return out


@actors_group.command("lookup")
@click.argument("text")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="Resolve titles (وزير الخارجية الروسي) for this date.")
@click.option("--json", "as_json", is_flag=True, help="Print the matching entries as JSON.")
@_ACTORS_OPTION
@handle_errors
def lookup(text: str, day: str | None, as_json: bool, actor_files: tuple[str, ...]) -> None:
    """Which known actor(s) TEXT names: an alias, a capital, a nationality adjective, or a
    title with its country.

    \b
    marsad actors lookup "لافروف"
    marsad actors lookup "وبيونغيانغ"
    marsad actors lookup "وزير الخارجية الروسي" --date 2003-01-10
    """
    import datetime as dt

    if not text.strip():
        raise CLIError("give a name to look up", EXIT_USAGE)
    if day:
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            raise CLIError(f"--date {day!r} is not a date (YYYY-MM-DD)", EXIT_USAGE) from None
    kb = _kb(actor_files)
    hits = lookup_text(kb, text, day)
    if as_json:
        click.echo(json.dumps([entry_dict(h.entry, text, h.how) for h in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        err(f"no actor in the dictionary is called {text.strip()!r}")
        return
    for h in hits:
        e = h.entry
        how = h.how + (f" ({h.detail})" if h.detail else "")
        click.echo(f"{e.name}\t{e.type}\t{e.country or '-'}\t{e.role or '-'}\t{e.id}\t{how}")
        if h.how == "ambiguous":
            others = [x for x in (e.ar or ()) if x != text]
            if others:
                click.echo(f"\t(ambiguous: needs an unambiguous mention such as {others[0]!r} in the same text)")


@actors_group.command("list")
@click.option("--country", help="ISO 3166-1 alpha-3 code (PRK), IGO:<ACRONYM> (IGO:UN), or 'none'.")
@click.option("--type", "typ", type=click.Choice(["PER", "ORG", "GPE", "LOC"], case_sensitive=False),
              help="Only actors of this type.")
@click.option("--role", help="Only actors with this role code (GOV, MIL, MED, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as JSON (all fields).")
@_ACTORS_OPTION
@handle_errors
def list_actors(country: str | None, typ: str | None, role: str | None, as_json: bool,
                actor_files: tuple[str, ...]) -> None:
    """List dictionary entries, by country, type and role (tab-separated: id, type,
    country, role, name, first Arabic alias).

    \b
    marsad actors list --country PRK
    marsad actors list --country RUS --type PER --json
    marsad actors list --country IGO:UN
    """
    from marsad.kb import ROLES, igo_codes

    kb = _kb(actor_files)
    entries = list(kb.entries.values())
    if country is not None:
        code: str | None = country.strip().upper()
        if code in ("NONE", "NULL", "-"):
            code = None
        else:
            states = {e.id for e in entries if e.type == "GPE" and e.id == e.country}
            if code not in states and code not in igo_codes(kb):
                raise CLIError(f"unknown country code {country!r} (want an ISO 3166-1 alpha-3 code such as "
                               "PRK, an IGO code such as IGO:UN, or 'none')", EXIT_USAGE)
        entries = kb.by_country(code)
    if typ:
        entries = [e for e in entries if e.type == typ.upper()]
    if role:
        r = role.strip().upper()
        if r not in ROLES:
            raise CLIError(f"unknown role {role!r} (one of {' '.join(sorted(ROLES))})", EXIT_USAGE)
        entries = [e for e in entries if e.role == r]
    entries.sort(key=lambda e: (e.type, e.name))
    if as_json:
        click.echo(json.dumps([entry_dict(e) for e in entries], ensure_ascii=False, indent=1))
        return
    for e in entries:
        click.echo(_line(e))
    if not entries:
        err("no entries")


@actors_group.command("check")
@_ACTORS_OPTION
@handle_errors
def check(actor_files: tuple[str, ...]) -> None:
    """Validate the dictionary with your files on top: duplicate ids, unknown country codes,
    malformed dates, undefined offices, aliases shared by two actors without `ambiguous`.
    Prints each problem on stderr; exit 3 if there are any."""
    from marsad.kb import validate

    kb = _kb(actor_files)
    problems = validate(kb)
    for p in problems:
        err(p)
    if problems:
        raise CLIError(f"{len(problems)} problem(s) in the actor dictionary", EXIT_INPUT)
    click.echo(f"ok: {len(kb)} actors")


def register(main: click.Group) -> None:
    main.add_command(actors_group)
