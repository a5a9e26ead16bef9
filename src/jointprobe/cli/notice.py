"""``notice``: tell peers something outside a referral (an alert, a working-group note)."""

from __future__ import annotations

import typer

from jointprobe.accounts import get_user
from jointprobe.cli.context import AsOption, console, settings
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.workflow import send_notice
from jointprobe.node import open_node

app = typer.Typer(help="Notices to peers: alerts and notes outside a referral.")


@app.command("send")
def send(
    ctx: typer.Context,
    to: list[str] = typer.Option(..., "--to", help="Peer node id (repeat for several)."),
    topic: str = typer.Option(..., "--topic", help="e.g. alert, working-group."),
    text: str = typer.Option("", "--text"),
    tlp: str = typer.Option("GREEN", "--tlp"),
    username: str = AsOption,
) -> None:
    """Send a notice to one or more peers (its TLP must be allowed for each)."""
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            notice_id = send_notice(
                session, get_user(session, username), node_keys(node), to=to, topic=topic,
                text=text, tlp=tlp,
            )  # fmt: skip
        console.print(f"[green]queued[/] notice {notice_id} to {', '.join(to)}")
    finally:
        node.close()
