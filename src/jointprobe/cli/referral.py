"""``referral``: send, list (and the overdue list), show, acknowledge, report back."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from jointprobe.accounts import get_user
from jointprobe.cli.context import AsOption, console, settings
from jointprobe.errors import InvalidInput
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.markings import Marking
from jointprobe.exchange.tables import Referral
from jointprobe.exchange.workflow import (
    ReferralIn,
    SelectorIn,
    acknowledge,
    fold_timeline,
    read_referral,
    send_outcome,
    send_referral_parts,
    send_status,
    timeline,
    visible_referrals,
)
from jointprobe.node import open_node
from jointprobe.timeutil import utcnow

app = typer.Typer(help="Referrals between nodes: leads out, acknowledgements and outcomes back.")


@app.command("send")
def send(
    ctx: typer.Context,
    case_id: str = typer.Option(..., "--case"),
    to: list[str] = typer.Option(..., "--to", help="Peer node id (repeat for several)."),
    title: str = typer.Option(..., "--title"),
    narrative: str = typer.Option("", "--narrative"),
    action: str = typer.Option("", "--action", help="The action requested of the peer."),
    due_days: int = typer.Option(14, "--due-days", help="Days until a response is due."),
    selector: list[str] = typer.Option([], "--selector", help="TYPE:VALUE, e.g. phone:+86…"),
    selectors_file: Path | None = typer.Option(
        None, "--selectors-file", help="A file of selectors, one TYPE:VALUE per line."
    ),
    split: bool = typer.Option(
        False,
        "--split",
        help="More selectors or entities than one message carries: send "
        "them as several referrals (part 1 of n, …).",
    ),
    entity: list[str] = typer.Option([], "--entity", help="Entity id from the case."),
    tlp: str = typer.Option("AMBER", "--tlp"),
    grading: str | None = typer.Option(None, "--grading", help="Admiralty code, e.g. B2."),
    username: str = AsOption,
) -> None:
    """Refer selectors and entities of a case to one or more peers."""
    selectors = []
    lines = _selector_lines(selectors_file) if selectors_file else []
    for text in [*selector, *lines]:
        kind, _, value = text.partition(":")
        selectors.append(SelectorIn(type=kind, value=value, grading=grading))
    data = ReferralIn(
        case_id=case_id, to=to, title=title, narrative=narrative, requested_action=action,
        due=utcnow() + timedelta(days=due_days), selectors=selectors, entity_ids=entity,
        tlp=tlp, grading=grading, split=split,
    )  # fmt: skip
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            user = get_user(session, username)
            ids = send_referral_parts(session, user, node_keys(node), data)
        for referral_id in ids:
            console.print(f"[green]queued[/] referral {referral_id} to {', '.join(to)}")
    finally:
        node.close()


def _selector_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the selectors file: {exc}", where=str(path)) from None
    return [line.strip() for line in text.splitlines() if line.strip()]


@app.command("list")
def list_(
    ctx: typer.Context,
    direction: str | None = typer.Option(None, "--direction", help="in or out"),
    overdue: bool = typer.Option(False, "--overdue", help="Only open referrals past due."),
    as_user: str = AsOption,
) -> None:
    """Referrals the user may see, with their state, due date and marking."""
    node = open_node(settings(ctx))
    try:
        with node.session() as session:
            rows = visible_referrals(
                session,
                get_user(session, as_user),
                direction=direction,
                overdue_at=utcnow() if overdue else None,
            )
            table = Table("id", "dir", "peer", "title", "state", "due", "marking")
            for r in rows:
                banner = Marking.from_dict(r.marking).banner(now=utcnow())
                table.add_row(
                    r.id[:12], r.direction, r.peer_id, r.title, r.state,
                    str(r.due.date()) if r.due else "-", banner,
                )  # fmt: skip
            console.print(table)
    finally:
        node.close()


#: Which counterpart's row (senders choose ids, so two peers may use the same one).
PeerOption = typer.Option(None, "--peer", help="The counterpart peer of the referral.")


@app.command("show")
def show(
    ctx: typer.Context,
    referral_id: str,
    as_user: str = AsOption,
    peer_id: str | None = PeerOption,
) -> None:
    """A referral per counterpart: its items (each with its marking) and its own timeline."""
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:  # the read is recorded in the audit log
            user = get_user(session, as_user)
            for r in read_referral(session, user, referral_id, peer_id):
                _show_row(session, r)
    finally:
        node.close()


def _show_row(session: Session, r: Referral) -> None:
    console.print(f"[bold]{r.title}[/] ({r.direction} {r.peer_id}, {r.state})")
    console.print(Marking.from_dict(r.marking).banner(now=utcnow()))
    for item in r.items:
        what = item.get("selector") or item.get("entity", {}).get("id")
        banner = Marking.from_dict(item["marking"]).banner(now=utcnow())
        console.print(f"  • {json.dumps(what, ensure_ascii=False)}  [dim]{banner}[/]")
    for line in fold_timeline(timeline(session, r.id, r.peer_id)):
        e = line.first
        console.print(f"  {e.at:%Y-%m-%d %H:%M} {e.kind:<12} {line.cells[0]}")


@app.command("ack")
def ack(
    ctx: typer.Context,
    referral_id: str,
    decline: bool = typer.Option(False, "--decline"),
    reason: str = typer.Option("", "--reason"),
    case_id: str | None = typer.Option(None, "--case", help="Link to this node's case."),
    username: str = AsOption,
    peer_id: str | None = PeerOption,
) -> None:
    """Accept (default) or decline a received referral."""
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            acknowledge(
                session, get_user(session, username), node_keys(node), referral_id,
                decision="decline" if decline else "accept", reason=reason, case_id=case_id,
                peer_id=peer_id,
            )  # fmt: skip
        console.print("[green]acknowledgement queued[/]")
    finally:
        node.close()


@app.command("status")
def status(
    ctx: typer.Context,
    referral_id: str,
    state: str = typer.Option(..., "--state"),
    note: str = typer.Option("", "--note"),
    username: str = AsOption,
    peer_id: str | None = PeerOption,
) -> None:
    """Report the state of your work on a received referral."""
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            send_status(
                session, get_user(session, username), node_keys(node), referral_id,
                state=state, note=note, peer_id=peer_id,
            )  # fmt: skip
        console.print("[green]status queued[/]")
    finally:
        node.close()


@app.command("outcome")
def outcome(
    ctx: typer.Context,
    referral_id: str,
    kind: str = typer.Option(..., "--type", help="arrest, seizure, charge, sentence, …"),
    description: str = typer.Option(..., "--description"),
    username: str = AsOption,
    peer_id: str | None = PeerOption,
) -> None:
    """Report an outcome (arrest, seizure, sentence…) back to the referring node."""
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            send_outcome(
                session, get_user(session, username), node_keys(node), referral_id,
                outcomes=[{"type": kind, "description": description}], peer_id=peer_id,
            )  # fmt: skip
        console.print("[green]outcome queued[/]")
    finally:
        node.close()
