"""``aggregates send``: share seizure counts (quarter, substance class, origin) with peers."""

from __future__ import annotations

import typer

from jointprobe.accounts import get_user
from jointprobe.analytics.aggregates import publish_aggregates
from jointprobe.analytics.periods import DateRange
from jointprobe.cli.context import AsOption, console, settings
from jointprobe.cli.report import day
from jointprobe.exchange.identity import node_keys
from jointprobe.node import open_node

app = typer.Typer(help="Aggregates shared with peers: counts only, small cells suppressed.")


@app.command("send")
def send(
    ctx: typer.Context,
    to: list[str] = typer.Option(..., "--to", help="Peer node id (repeat for several)."),
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--until", help="Last day (YYYY-MM-DD), included."),
    tlp: str = typer.Option("GREEN", "--tlp"),
    username: str = AsOption,
) -> None:
    """Send this node's seizure counts over a range (those the user may see) to peers.

    Cells under JOINTPROBE_AGGREGATE_MIN_CELL are left out; the message says how many.
    """
    period = DateRange(day(start, "--from"), day(end, "--until"))
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            sent = publish_aggregates(
                session, get_user(session, username), node_keys(node), to=to, period=period,
                min_cell=node.settings.aggregate_min_cell, tlp=tlp,
            )  # fmt: skip
        console.print(
            f"[green]queued[/] aggregates {sent.message_id} to {', '.join(to)}: "
            f"{sent.cells} cells, {sent.suppressed} suppressed (under the minimum)"
        )
    finally:
        node.close()
