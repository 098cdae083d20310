"""``marsad actors ...``: the actor dictionary and the actors in the store.

The group is created here; ``actors top`` is added by store_cmds.py (the store's queries).
"""

from __future__ import annotations

import click


@click.group("actors")
def actors_group() -> None:
    """Actors: the dictionary, and the most active actors in the store."""


def register(main: click.Group) -> None:
    main.add_command(actors_group)
