"""``audit verify``."""

from __future__ import annotations

import typer

from jointprobe.audit import verify as verify_chain
from jointprobe.cli.context import console, err_console, node_session
from jointprobe.node import OPERATOR

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command()
def verify(ctx: typer.Context) -> None:
    """Re-compute the hash chain; name every edited or deleted row."""
    with node_session(ctx, OPERATOR) as (_node, session, _actor):
        report = verify_chain(session)
    if report.ok:
        console.print(f"[green]audit log intact[/]: {report.checked} entries verified")
        return
    for problem in report.problems:
        err_console.print(f"[bold red]tampered[/] {problem}")
    raise typer.Exit(code=9)
