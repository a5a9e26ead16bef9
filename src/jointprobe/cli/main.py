"""The ``jointprobe`` command. Errors become a red message and a non-zero exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from typer._click.core import Context as ClickContext
from typer.core import TyperGroup

from jointprobe import __version__
from jointprobe.cli import (
    accounts,
    aggregates,
    audit,
    cases,
    chem,
    deconflict,
    demo,
    entities,
    interop,
    leads,
    maintenance,
    network,
    network_case,
    node,
    notice,
    peer,
    precursors,
    referral,
    report,
    rfi,
    screen,
    screen_order,
)
from jointprobe.cli import resolve as resolve_cli
from jointprobe.cli.context import err_console
from jointprobe.cli.node_options import accept_after_every_command, root_obj
from jointprobe.errors import InvalidInput, JointprobeError


class _Group(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        accept_after_every_command(self)

    def invoke(self, ctx: ClickContext) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors()
            )
            self._fail(ctx, InvalidInput(problems))
        except JointprobeError as exc:
            self._fail(ctx, exc)

    @staticmethod
    def _fail(ctx: ClickContext, exc: JointprobeError) -> None:
        err_console.print(f"[bold red]error[/] [dim]({exc.code})[/] {exc}", soft_wrap=True)
        ctx.exit(exc.exit_code)


app = typer.Typer(
    cls=_Group,
    help="jointprobe: a node for joint cross-border counter-narcotics investigations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Path | None = typer.Option(
        None,
        "--data-dir",
        envvar="JOINTPROBE_DATA_DIR",
        help="Node data directory (default ~/.local/share/jointprobe).",
    ),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        envvar="JOINTPROBE_DATABASE_URL",
        help="Database URL (default: SQLite in the data dir).",
    ),
) -> None:
    """Node options may come before the command or after it (see ``node_options``)."""
    ctx.obj = root_obj(ctx, {"data_dir": data_dir, "database_url": database_url})


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


node.register(app)
maintenance.register(app)
demo.register(app)
app.add_typer(accounts.user_app, name="user")
app.add_typer(accounts.token_app, name="token")
app.add_typer(cases.app, name="case")
app.add_typer(entities.app, name="entity")
app.add_typer(audit.app, name="audit")
app.add_typer(peer.app, name="peer")
app.add_typer(referral.app, name="referral")
app.add_typer(leads.app, name="leads")
app.add_typer(rfi.app, name="rfi")
app.add_typer(notice.app, name="notice")
app.add_typer(chem.app, name="chem")
screen_order.register(screen.app)
app.add_typer(screen.app, name="screen")
app.add_typer(aggregates.app, name="aggregates")
app.add_typer(precursors.pen_app, name="pen")
app.add_typer(precursors.sor_app, name="sor")
app.add_typer(precursors.incident_app, name="incident")
app.add_typer(deconflict.app, name="deconflict")
interop.register(app, resolve_cli.import_app)
network_case.register(network.app)
app.add_typer(network.app, name="network")
resolve_cli.register(app)
report.register(app)


def run() -> None:
    app()
