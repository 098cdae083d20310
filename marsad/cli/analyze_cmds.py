"""``marsad analyze`` and ``marsad eval``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from marsad.cli import (
    EXIT_INPUT,
    EXIT_NOT_ARABIC,
    EXIT_PARTIAL,
    CLIError,
    err,
    handle_errors,
)


def _resources(actors: tuple[str, ...], no_ner: bool) -> Any:
    from marsad.resources import load_resources

    return load_resources(actor_files=actors, use_ner=not no_ner)


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--jsonl", "jsonl", type=click.Path(allow_dash=True), help="Analyse a JSONL file of articles "
              "({id,title,text,published,url,source} per line); '-' for stdin.")
@click.option("--published", help="Publication date (YYYY-MM-DD): the anchor for relative dates.")
@click.option("--title", help="Title (default: the first line, when it looks like a title).")
@click.option("--no-title", is_flag=True, help="Do not take the first line as the title.")
@click.option("--url", help="Article URL (also makes the id stable).")
@click.option("--source", "outlet", help="Outlet name.")
@click.option("--id", "article_id", help="Article id (default: hash of URL or text).")
@click.option("--actors", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra actor dictionary (YAML, see docs/actor-dictionary.md); repeatable.")
@click.option("--pretty/--compact", default=None, help="Indent the JSON (default: pretty for one article).")
@click.option("--force-language", is_flag=True, help="Analyse even when the text is not detected as Arabic.")
@click.option("--no-ner", is_flag=True, help="Skip the statistical NER (dictionary and rules only).")
@handle_errors
def analyze(path: str | None, jsonl: str | None, published: str | None, title: str | None, no_title: bool,
            url: str | None, outlet: str | None, article_id: str | None, actors: tuple[str, ...],
            pretty: bool | None, force_language: bool, no_ner: bool) -> None:
    """Analyse one article (a file, or - for stdin) and print its analysis as JSON.

    \b
    marsad analyze article.txt --published 2023-10-19
    cat article.txt | marsad analyze - --published 2023-10-19
    marsad analyze --jsonl articles.jsonl > analyses.jsonl
    """
    from marsad.model import Article
    from marsad.pipeline import analyze as run
    from marsad.reader import read_article_bytes, read_article_file, split_title

    if jsonl and path:
        raise CLIError("give either a PATH or --jsonl, not both", 2)
    if not jsonl and not path:
        raise CLIError("give a PATH (or - for stdin), or --jsonl FILE; see marsad analyze --help", 2)
    res = _resources(actors, no_ner)
    if jsonl:
        bad = _analyze_jsonl(jsonl, res, force_language, pretty=bool(pretty))
        if bad:
            sys.exit(EXIT_PARTIAL)
        return
    assert path is not None
    if path == "-":
        dec = read_article_bytes(sys.stdin.buffer.read(), "stdin")
    else:
        dec = read_article_file(path)
    for w in dec.warnings:
        err(f"{path}: {w}")
    text = dec.text
    the_title = title or dec.title
    if the_title is None and not no_title and dec.encoding != "html":
        the_title, text = split_title(text)
    art = Article(text=text, id=article_id, title=the_title, published=published or _date_only(dec.published),
                  url=url or dec.url, source=outlet)
    a = run(art, res, force_language=force_language)
    if not a.text.strip():
        raise CLIError(f"{path}: no text left after cleaning (only artifacts or whitespace)", EXIT_INPUT)
    if a.language != res.lang.code and not force_language:
        raise CLIError(f"{path}: text is not Arabic (detected {a.language!r}); use --force-language to analyse anyway",
                       EXIT_NOT_ARABIC)
    for w in a.warnings:
        err(f"{path}: {w}")
    click.echo(a.to_json(indent=None if pretty is False else 1))


def _date_only(v: str | None) -> str | None:
    return v[:10] if v else None


def _analyze_jsonl(src: str, res: Any, force_language: bool, pretty: bool) -> int:
    """Analyse every line; a bad line is reported with its number and skipped."""
    from marsad.model import Article
    from marsad.pipeline import AnalysisError
    from marsad.pipeline import analyze as run

    bad = 0
    stream = sys.stdin.buffer if src == "-" else _open(src)
    with stream:
        for n, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            where = f"{'stdin' if src == '-' else src}:{n}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                err(f"{where}: invalid UTF-8 at byte {exc.start}; line skipped")
                bad += 1
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                err(f"{where}: malformed JSON ({exc.msg} at column {exc.colno}); line skipped")
                bad += 1
                continue
            if not isinstance(rec, dict):
                err(f"{where}: expected a JSON object; line skipped")
                bad += 1
                continue
            try:
                art = Article.from_dict(rec)
                if not art.text.strip():
                    raise AnalysisError("empty text")
                a = run(art, res, force_language=force_language)
            except (ValueError, TypeError) as exc:
                err(f"{where}: {exc}; line skipped")
                bad += 1
                continue
            for w in a.warnings:
                err(f"{where}: {w}")
            click.echo(a.to_json(indent=1 if pretty else None))
    return bad


def _open(path: str) -> Any:
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise CLIError(f"{path}: no such file", EXIT_INPUT) from None
    except PermissionError:
        raise CLIError(f"{path}: permission denied", EXIT_INPUT) from None
    except IsADirectoryError:
        raise CLIError(f"{path}: is a directory", EXIT_INPUT) from None


@click.command("eval")
@click.argument("gold_dir", type=click.Path(file_okay=False))
@click.option("--system", "system_file", type=click.Path(exists=True, dir_okay=False),
              help="Score this JSONL of analyses instead of running the pipeline.")
@click.option("--out", type=click.Path(dir_okay=False), help="Also write the system output (JSONL) here.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--per-doc", is_flag=True, help="Include per-article counts.")
@click.option("--actors", multiple=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--no-ner", is_flag=True)
@handle_errors
def eval_cmd(gold_dir: str, system_file: str | None, out: str | None, as_json: bool, per_doc: bool,
             actors: tuple[str, ...], no_ner: bool) -> None:
    """Score marsad against gold files (FORMAT.md rules): P/R/F1 per layer."""
    from marsad.evaluate import format_table, load_gold, score
    from marsad.model import Article
    from marsad.pipeline import analyze as run

    try:
        gold = load_gold(gold_dir)
    except ValueError as exc:
        raise CLIError(str(exc), EXIT_INPUT) from None
    system: dict[str, dict[str, Any]] = {}
    if system_file:
        for n, line in enumerate(Path(system_file).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    d = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CLIError(f"{system_file}:{n}: malformed JSON ({exc.msg})", EXIT_INPUT) from None
                system[d.get("id")] = d
    else:
        res = _resources(actors, no_ner)
        for gid, g in gold.items():
            art = Article(text=g["text"], id=gid, title=g.get("title"), published=g.get("published"),
                          url=g.get("url"), source=g.get("source"))
            system[gid] = run(art, res, force_language=True).to_dict()
    if out:
        with open(out, "w", encoding="utf-8") as f:
            for d in system.values():
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    report = score(gold, system, per_doc=per_doc)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        click.echo(format_table(report))


def register(main: click.Group) -> None:
    main.add_command(analyze)
    main.add_command(eval_cmd)
