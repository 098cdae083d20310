"""``marsad ner-eval``: entity-level scores of the NER (or of any tagger's CoNLL output)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from marsad.cli import EXIT_INPUT, CLIError, handle_errors


@click.command("ner-eval")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--model", "model_file", type=click.Path(dir_okay=False),
              help="A crfsuite model trained by scripts/train_ner.py (default: the shipped one).")
@click.option("--doc-size", type=click.IntRange(1), default=50, show_default=True,
              help="Consecutive sentences tagged together as one document (-DOCSTART- lines also "
                   "start a document).")
@handle_errors
def ner_eval(path: str, as_json: bool, model_file: str | None, doc_size: int) -> None:
    """Entity-level precision, recall and F1 (exact span and type), micro and per type.

    PATH is a CoNLL BIO file: one 'TOKEN TAG' per line (tab or spaces), a blank line between
    sentences.  With two columns the shipped model tags the tokens; with three ('TOKEN GOLD
    PRED') the third column is scored as it is, so any tagger's output can be compared.
    Counting follows seqeval (default mode).

    \b
    marsad ner-eval ANERCorp_CamelLab_test.txt
    marsad ner-eval predictions.conll --json
    """
    from marsad.ner import (
        ConllError,
        documents,
        load_default_model,
        load_model,
        parse_conll,
        read_conll,
        score,
    )

    try:
        if path == "-":
            try:
                text = sys.stdin.buffer.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ConllError(f"stdin: not UTF-8 (byte {exc.start})") from exc
            sents = parse_conll(text.splitlines(), "stdin")
        else:
            sents = read_conll(path)
    except ConllError as exc:
        raise CLIError(str(exc), EXIT_INPUT) from exc
    model_name = None
    if sents[0].pred is not None:
        pred = [s.pred or [] for s in sents]
    else:
        try:
            model = load_model(model_file) if model_file else load_default_model()
        except ValueError as exc:
            raise CLIError(str(exc), EXIT_INPUT) from exc
        if model is None:
            raise CLIError("no NER model in this installation: build it with `make ner-model`", EXIT_INPUT)
        model_name = model.path.name
        pred = []
        for doc in documents(sents, doc_size):
            pred.extend(model.tag_sentences([s.words for s in doc]))
    result: dict[str, Any] = {"file": path, "model": model_name, **score([s.gold for s in sents], pred).to_dict()}
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{path}: {result['sentences']} sentences, {result['tokens']} tokens, "
               + (f"tagged by {model_name}" if model_name else "predictions from the third column"))
    click.echo(f"{'type':<8}{'precision':>10}{'recall':>10}{'f1':>10}{'tp':>8}{'fp':>8}{'fn':>8}{'support':>9}")
    rows = [*result["types"].items(), ("micro", result["micro"])]
    for name, r in rows:
        click.echo(f"{name:<8}{r['precision']:>10.4f}{r['recall']:>10.4f}{r['f1']:>10.4f}"
                   f"{r['tp']:>8}{r['fp']:>8}{r['fn']:>8}{r['support']:>9}")


def register(main: click.Group) -> None:
    main.add_command(ner_eval)
