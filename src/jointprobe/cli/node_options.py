"""The node options (``--data-dir``, ``--database-url``) wherever people type them.

They are declared once, on the root command. :func:`accept_after_every_command`
gives every command and command group below the root a copy of them, so
``jointprobe init --data-dir DIR ...`` and ``jointprobe peer outbox retry ... --data-dir DIR``
mean the same as putting the option first. A value typed twice (before and
after the command, or at two levels) must be the same value: two different
data dirs in one command line is an error, never a silent pick.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, cast

import typer
from typer._click.core import Command, Context, Parameter, ParameterSource
from typer.core import TyperGroup, _TyperParameter

NODE_OPTIONS = ("data_dir", "database_url")
"""Parameter names of the root options that may also follow the command."""

_TYPED = "typed"
"""Key in the root ``ctx.obj``: node option name -> value typed on the command line."""


def root_obj(ctx: Context, values: dict[str, Any]) -> dict[str, Any]:
    """The root context object: the node options' values and which were typed."""
    typed = {
        name: value
        for name, value in values.items()
        if value is not None and ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE
    }
    return {**values, _TYPED: typed}


def accept_after_every_command(root: Command) -> None:
    """Add the root's node options to every command below ``root`` (groups and leaves)."""
    originals = [p for p in root.params if p.name in NODE_OPTIONS]
    for command in _below(root):
        command.params.extend(_after_command(p) for p in originals)


def _below(group: Command) -> Iterator[Command]:
    if isinstance(group, TyperGroup):
        for command in group.commands.values():
            yield command
            yield from _below(command)


def _after_command(original: Parameter) -> Parameter:
    param = copy.copy(original)
    param.envvar = None  # the root reads the environment; here only what was typed counts
    param.expose_value = False  # the command's function never sees it; settings() reads ctx.obj
    param.callback = _record
    return param


def _record(ctx: Context, param: Parameter, value: Any) -> Any:
    name = param.name
    if value is None or name is None:
        return value
    obj = ctx.find_root().obj
    if not isinstance(obj, dict):  # pragma: no cover - the root callback always sets it
        raise typer.BadParameter("the root command did not run")
    typed: dict[str, Any] = obj.setdefault(_TYPED, {})
    earlier = typed.get(name)
    if earlier is not None and earlier != value:
        raise typer.BadParameter(
            f"given twice with different values ({earlier} and {value}); give it once",
            ctx=ctx,
            param=cast(_TyperParameter, param),
        )
    typed[name] = value
    obj[name] = value
    return value
