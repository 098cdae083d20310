"""``python -m marsad`` = the ``marsad`` command."""

from marsad.cli import main

main()
