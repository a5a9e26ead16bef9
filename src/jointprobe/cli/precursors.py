"""``pen``, ``sor``, ``incident``: the precursor register from the command line.

Each command reads its form from a JSON file (see docs/precursors.md) and
calls the same service functions as the API and the web page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel
from rich.table import Table

from jointprobe.cli.context import AsOption, console, node_session
from jointprobe.errors import InvalidInput
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.markings import Marking
from jointprobe.exchange.workflow import is_overdue
from jointprobe.precursors import (
    IncidentIn,
    PenIn,
    PrecursorMessage,
    Shared,
    SorIn,
    answer_pen,
    forward_incident,
    list_register,
    parse_form,
    read_item,
    send_pen,
    send_sor,
    share_incident,
)
from jointprobe.precursors.forms import MAX_FORM_BYTES
from jointprobe.timeutil import utcnow

pen_app = typer.Typer(help="Pre-export notifications of precursor shipments, and their answers.")
sor_app = typer.Typer(help="Suspicious order reports to partner nodes.")
incident_app = typer.Typer(help="Precursor incidents (seizures, stopped shipments, diversions).")

Form = TypeVar("Form", bound=BaseModel)
PeersOption = typer.Option(
    None, "--peers", help="Comma-separated peer ids (default: every peer the markings allow)."
)
JsonOption = typer.Option(False, "--json", help="Print JSON lines instead of a table.")


def _read(path: Path, model: type[Form]) -> Form:
    if not path.is_file():
        raise InvalidInput(f"no file {path}")
    if path.stat().st_size > MAX_FORM_BYTES:
        raise InvalidInput(f"{path.name} is over {MAX_FORM_BYTES:,} bytes")
    return parse_form(model, path.read_bytes(), where=path.name)


def _peers(text: str | None) -> list[str] | None:
    if text is None:
        return None
    peers = [p.strip() for p in text.split(",") if p.strip()]
    if not peers:
        raise InvalidInput("--peers names no peer")
    return peers


def _print_shared(kind: str, shared: Shared) -> None:
    console.print(f"[green]queued[/] {kind} {shared.id} to {', '.join(shared.sent_to)}")
    for peer_id, why in shared.refused.items():
        console.print(f"[yellow]not sent[/] to {peer_id}: {why}")


def _table(rows: list[PrecursorMessage], as_json: bool) -> None:
    now = utcnow()
    if as_json:
        for r in rows:
            console.print_json(json.dumps(_summary(r, now)))
        return
    table = Table("id", "kind", "dir", "peer", "title", "state", "due", "answer", "marking")
    for r in rows:
        due = r.due.strftime("%Y-%m-%d %H:%M") if r.due else "-"
        if is_overdue(r, now):
            due = f"[red]{due} overdue[/]"
        table.add_row(
            r.id[:12], r.kind, r.direction, r.peer_id, r.title, r.state, due, r.decision or "-",
            Marking.from_dict(r.marking).banner(now=now),
        )  # fmt: skip
    console.print(table)


def _summary(r: PrecursorMessage, now: Any) -> dict[str, Any]:
    return {
        "id": r.id, "kind": r.kind, "direction": r.direction, "peer": r.peer_id,
        "title": r.title, "state": r.state, "due": r.due.isoformat() if r.due else None,
        "overdue": is_overdue(r, now), "decision": r.decision, "marking": r.marking,
    }  # fmt: skip


def _list(ctx: typer.Context, user: str, kind: str, overdue: bool, as_json: bool) -> None:
    with node_session(ctx, user) as (_, session, actor):
        rows = list_register(session, actor, kind=kind, overdue_at=utcnow() if overdue else None)
        _table(rows, as_json)


@pen_app.command("send")
def pen_send(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The notification as JSON (docs/precursors.md)."),
    peer: str = typer.Option(..., "--peer", help="The importing country's regulator node."),
    as_user: str = AsOption,
) -> None:
    """Notify the importing country's regulator of an export (regulators, supervisors)."""
    form = _read(path, PenIn)
    with node_session(ctx, as_user) as (node, session, actor):
        pen_id = send_pen(session, actor, node_keys(node), form, to=peer)
    console.print(f"[green]queued[/] pre-export notification {pen_id} to {peer}; "
                  f"answer due by {form.reply_by:%Y-%m-%d %H:%M} UTC")  # fmt: skip


@pen_app.command("list")
def pen_list(
    ctx: typer.Context,
    overdue: bool = typer.Option(False, "--overdue", help="Only open ones past their deadline."),
    as_json: bool = JsonOption,
    as_user: str = AsOption,
) -> None:
    """Notifications sent and received, with their deadlines and answers."""
    _list(ctx, as_user, "pen", overdue, as_json)


@pen_app.command("show")
def pen_show(
    ctx: typer.Context,
    pen_id: str,
    peer: str | None = typer.Option(None, "--peer", help="The counterpart, if several."),
    as_user: str = AsOption,
) -> None:
    """One notification: its fields, marking and answers (the read is audited)."""
    with node_session(ctx, as_user) as (_, session, actor):
        for r in read_item(session, actor, pen_id, peer):
            console.print(f"[bold]{r.title}[/] ({r.direction} {r.peer_id}, {r.state})")
            console.print(Marking.from_dict(r.marking).banner(now=utcnow()))
            console.print_json(json.dumps(r.body))
            for a in r.answers:
                console.print(f"  {a['at']} {a['direction']} {a['decision']}: {a['reason']}")


@pen_app.command("answer")
def pen_answer(
    ctx: typer.Context,
    pen_id: str,
    no_objection: bool = typer.Option(False, "--no-objection"),
    objection: str | None = typer.Option(None, "--objection", help="Object, with the reason."),
    rfi: str | None = typer.Option(None, "--rfi", help="Ask for information (not final)."),
    peer: str | None = typer.Option(None, "--peer", help="The notifying peer, if several."),
    tlp: str = typer.Option("AMBER", "--tlp"),
    as_user: str = AsOption,
) -> None:
    """Answer a received notification: --no-objection, --objection REASON or --rfi TEXT."""
    chosen = [(d, r) for d, r, on in (("no-objection", "", no_objection),
              ("objection", objection, objection is not None), ("rfi", rfi, rfi is not None))
              if on]  # fmt: skip
    if len(chosen) != 1:
        raise InvalidInput("give exactly one of --no-objection, --objection, --rfi")
    decision, reason = chosen[0]
    with node_session(ctx, as_user) as (node, session, actor):
        answer_pen(session, actor, node_keys(node), pen_id, decision=decision,
                   reason=reason or "", tlp=tlp, peer_id=peer)  # fmt: skip
    console.print(f"[green]queued[/] answer {decision} to notification {pen_id}")


@sor_app.command("send")
def sor_send(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The report as JSON (docs/precursors.md)."),
    peers: str | None = PeersOption,
    as_user: str = AsOption,
) -> None:
    """Report a suspicious order to partner nodes."""
    form = _read(path, SorIn)
    with node_session(ctx, as_user) as (node, session, actor):
        shared = send_sor(session, actor, node_keys(node), form, peers=_peers(peers))
    _print_shared("suspicious order report", shared)


@sor_app.command("list")
def sor_list(ctx: typer.Context, as_json: bool = JsonOption, as_user: str = AsOption) -> None:
    """Suspicious order reports sent and received."""
    _list(ctx, as_user, "sor", False, as_json)


@incident_app.command("share")
def incident_share(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="The incident as JSON (docs/precursors.md)."),
    peers: str | None = PeersOption,
    as_user: str = AsOption,
) -> None:
    """Share an incident with every partner node its marking allows (or those named)."""
    form = _read(path, IncidentIn)
    with node_session(ctx, as_user) as (node, session, actor):
        shared = share_incident(session, actor, node_keys(node), form, peers=_peers(peers))
    _print_shared("incident", shared)


@incident_app.command("forward")
def incident_forward(
    ctx: typer.Context,
    incident_id: str,
    from_peer: str = typer.Option(..., "--from", help="The peer it came from."),
    peers: str | None = PeersOption,
    as_user: str = AsOption,
) -> None:
    """Pass a received incident on, as its originator's marking allows."""
    with node_session(ctx, as_user) as (node, session, actor):
        shared = forward_incident(session, actor, node_keys(node), incident_id,
                                  from_peer=from_peer, peers=_peers(peers))  # fmt: skip
    _print_shared("incident", shared)


@incident_app.command("list")
def incident_list(ctx: typer.Context, as_json: bool = JsonOption, as_user: str = AsOption) -> None:
    """Incidents shared and received."""
    _list(ctx, as_user, "incident", False, as_json)


__all__ = ["incident_app", "pen_app", "sor_app"]
