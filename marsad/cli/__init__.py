"""The ``marsad`` command: a thin layer over the library's functions.

Exit codes (documented in the README): 0 success; 1 finished, but some items of a batch
failed (each reported on stderr); 2 usage error; 3 input cannot be read (missing, empty,
binary, bad encoding, bad JSON); 4 not Arabic (nothing to analyse); 5 store error (locked,
newer schema, unreachable server); 70 internal error (a bug: please report it).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_NOT_ARABIC = 4
EXIT_STORE = 5
EXIT_INTERNAL = 70

F = TypeVar("F", bound=Callable[..., Any])


class CLIError(Exception):
    """A fatal, expected error: printed as one line, exit with ``code``."""

    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_INPUT) -> None:
    raise CLIError(message, code)


def err(message: str) -> None:
    """One line on stderr."""
    click.echo(f"marsad: {message}", err=True)


def handle_errors(fn: F) -> F:
    """Turn expected errors into one-line messages and exit codes; never show a traceback
    unless MARSAD_DEBUG=1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from marsad.kb import KBError
        from marsad.pipeline import AnalysisError
        from marsad.reader import InputError

        try:
            return fn(*args, **kwargs)
        except CLIError as exc:
            err(str(exc))
            sys.exit(exc.code)
        except (InputError, AnalysisError, KBError) as exc:
            err(str(exc))
            sys.exit(EXIT_INPUT)
        except BrokenPipeError:
            sys.exit(EXIT_OK)
        except KeyboardInterrupt:
            err("interrupted")
            sys.exit(130)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception as exc:
            if os.environ.get("MARSAD_DEBUG"):
                raise
            name = type(exc).__name__
            store = _store_error(exc)
            if store:
                err(store)
                sys.exit(EXIT_STORE)
            err(f"internal error ({name}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                "rerun with MARSAD_DEBUG=1 for details")
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def _store_error(exc: Exception) -> str | None:
    try:
        from marsad.store import StoreError
    except Exception:
        return None
    if isinstance(exc, StoreError):
        return str(exc)
    return None


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="marsad")
def main() -> None:
    """marsad (مرصد): Arabic news → event data.  Who did what to whom, who said what, and
    which of it is fact and which is claim."""


def _register() -> None:
    from marsad.cli import analyze_cmds, ingest_cmds, kb_cmds, ner_cmds, spark_cmds, store_cmds, web_cmds

    for mod in (analyze_cmds, ingest_cmds, kb_cmds, ner_cmds, store_cmds, web_cmds, spark_cmds):
        mod.register(main)


_register()
