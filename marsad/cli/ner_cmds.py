"""Commands of this group are registered here (filled in by their issue's work)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    return None
