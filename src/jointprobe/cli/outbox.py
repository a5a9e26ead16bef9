"""`jointprobe peer outbox`: messages that did not go through, and what to do with them."""

from __future__ import annotations

import typer
from rich.table import Table

from jointprobe.cli.context import console, settings
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.outbox import drop, outbox_rows, retry
from jointprobe.node import OPERATOR, open_node

app = typer.Typer(
    help="Outbound messages: list them (--failed: parked, refused, dropped), retry or drop one.",
    invoke_without_command=True,
)


@app.callback()
def show(
    ctx: typer.Context,
    peer: str | None = typer.Option(None, "--peer", help="Only messages to this peer."),
    failed: bool = typer.Option(False, "--failed", help="Only parked, refused and dropped ones."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="Newest N messages."),
) -> None:
    """List outbound messages with their state and the reason they did not go through."""
    if ctx.invoked_subcommand is not None:
        return
    node = open_node(settings(ctx))
    try:
        with node.session() as session:
            rows = outbox_rows(session, peer_id=peer, failed=failed, limit=limit)
        table = Table("id", "peer", "seq", "kind", "state", "tries", "reason", "void")
        for r in rows:
            table.add_row(
                str(r.id), r.peer_id, str(r.seq), r.kind, r.state, str(r.attempts),
                r.last_error or "-", r.void or "-",
            )  # fmt: skip
        console.print(table)
        if failed and rows:
            console.print(
                "Retry a parked message with `jointprobe peer outbox retry ID`; withdraw it with "
                "`jointprobe peer outbox drop ID` (the peer's channel then moves on)."
            )
    finally:
        node.close()


@app.command("retry")
def retry_(ctx: typer.Context, row_id: int = typer.Argument(..., help="Outbox id.")) -> None:
    """Queue a parked message again (audited)."""
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            row = retry(session, OPERATOR, row_id)
        console.print(f"[green]queued again[/]: {row.kind} #{row.seq} to {row.peer_id}")
    finally:
        node.close()


@app.command("drop")
def drop_(
    ctx: typer.Context,
    row_id: int = typer.Argument(..., help="Outbox id."),
    reason: str = typer.Option("dropped by the operator", "--reason", help="Told to the peer."),
) -> None:
    """Withdraw a parked or queued message; a void takes its slot at the peer (audited)."""
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            row = drop(session, OPERATOR, node_keys(node), row_id, reason=reason)
        console.print(f"[yellow]dropped[/] {row.kind} #{row.seq} to {row.peer_id}: {reason}")
    finally:
        node.close()
