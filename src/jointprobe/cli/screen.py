"""The ``screen`` command group (C6): screen names and orders against the node's lists.

Commands are added where the CLI is wired (``cli/main.py``): ``screen order``
from :mod:`jointprobe.cli.screen_order`.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Screen names and precursor orders (know your customer).", no_args_is_help=True
)
