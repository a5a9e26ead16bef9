"""``rfi``: ask a peer a question (a request for information) and answer one."""

from __future__ import annotations

from datetime import timedelta

import typer

from jointprobe.accounts import get_user
from jointprobe.cli.context import AsOption, console, settings
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.workflow import answer_rfi, send_rfi
from jointprobe.node import open_node
from jointprobe.timeutil import utcnow

app = typer.Typer(help="Requests for information: questions to peers and their answers.")


@app.command("send")
def send(
    ctx: typer.Context,
    to: str = typer.Option(..., "--to", help="Peer node id."),
    question: str = typer.Option(..., "--question"),
    case_id: str | None = typer.Option(None, "--case", help="The case the question is for."),
    due_days: int | None = typer.Option(None, "--due-days", help="Days until an answer is due."),
    tlp: str = typer.Option("AMBER", "--tlp"),
    username: str = AsOption,
) -> None:
    """Ask a peer a question; with --case only a member of that case may."""
    due = utcnow() + timedelta(days=due_days) if due_days is not None else None
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            rfi_id = send_rfi(
                session, get_user(session, username), node_keys(node), to=to, question=question,
                case_id=case_id, due=due, tlp=tlp,
            )  # fmt: skip
        console.print(f"[green]queued[/] request for information {rfi_id} to {to}")
    finally:
        node.close()


@app.command("answer")
def answer(
    ctx: typer.Context,
    rfi_id: str,
    text: str = typer.Option(..., "--answer"),
    tlp: str = typer.Option("AMBER", "--tlp"),
    username: str = AsOption,
    peer_id: str | None = typer.Option(None, "--peer", help="The peer that asked."),
) -> None:
    """Answer a request for information received from a peer."""
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            answer_rfi(
                session, get_user(session, username), node_keys(node), rfi_id, answer=text,
                tlp=tlp, peer_id=peer_id,
            )  # fmt: skip
        console.print("[green]answer queued[/]")
    finally:
        node.close()
