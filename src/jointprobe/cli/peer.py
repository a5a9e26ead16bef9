"""``peer``: this node's card, trusting peers by fingerprint, delivery state."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from jointprobe.cli import outbox
from jointprobe.cli.context import console, settings
from jointprobe.exchange.identity import node_keys, own_card, rotate_own_keys
from jointprobe.exchange.outbox import deliver_outbox
from jointprobe.exchange.peerkeys import add_old_key
from jointprobe.exchange.peers import (
    DEFAULT_KINDS,
    add_peer,
    apply_card_update,
    list_peers,
    peer_status,
    set_agreement,
)
from jointprobe.node import open_node

app = typer.Typer(help="Peers: node cards, fingerprints, agreements, delivery state.")
app.add_typer(outbox.app, name="outbox")


@app.command("card")
def card(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="Write the card to this file."),
) -> None:
    """Print this node's card and fingerprint (creates the node keys on first use)."""
    node = open_node(settings(ctx))
    try:
        node_card = own_card(node, node_keys(node))
        text = json.dumps(node_card.to_dict(), indent=2)
        if out:
            out.write_text(text + "\n", encoding="utf-8")
            console.print(f"card written to {out}")
        else:
            typer.echo(text)
        console.print(f"fingerprint: [bold]{node_card.fingerprint}[/]")
    finally:
        node.close()


@app.command("add")
def add(
    ctx: typer.Context,
    card_file: Path = typer.Argument(..., help="The peer's card (JSON file)."),
    fingerprint: str = typer.Option(..., "--fingerprint", help="Fingerprint obtained out of band."),
    kinds: str | None = typer.Option(
        None, "--kinds", help="Comma-separated kinds the agreement allows (default: all)."
    ),
    max_tlp: str = typer.Option("AMBER", "--max-tlp", help="Highest TLP the peer may receive."),
) -> None:
    """Trust a peer, only if its card has the fingerprint you were given."""
    data = json.loads(card_file.read_text(encoding="utf-8"))
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            peer = add_peer(
                session,
                data,
                fingerprint,
                kinds=[k.strip() for k in kinds.split(",")] if kinds else None,
                max_tlp=max_tlp,
            )
            console.print(
                f"[green]trusted[/] {peer.node_id} ({peer.name}, {peer.country}) at "
                f"{peer.endpoint}; kinds: {', '.join(peer.allowed_kinds)}; max TLP:{peer.max_tlp}"
            )
    finally:
        node.close()


@app.command("agreement")
def agreement(
    ctx: typer.Context,
    node_id: str = typer.Argument(..., help="The peer."),
    kinds: str | None = typer.Option(
        None, "--kinds", help="Comma-separated kinds the agreement allows ('all': every kind)."
    ),
    max_tlp: str | None = typer.Option(None, "--max-tlp", help="Highest TLP it may receive."),
) -> None:
    """Change what the agreement with a peer allows (e.g. the precursor kinds of a new version)."""
    chosen = None
    if kinds is not None:
        chosen = list(DEFAULT_KINDS) if kinds == "all" else [k.strip() for k in kinds.split(",")]
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            peer = set_agreement(session, node_id, kinds=chosen, max_tlp=max_tlp)
            console.print(f"{peer.node_id}: kinds: {', '.join(peer.allowed_kinds)}; "
                          f"max TLP:{peer.max_tlp}")  # fmt: skip
    finally:
        node.close()


@app.command("update")
def update(
    ctx: typer.Context,
    update_file: Path = typer.Argument(..., help="A card update signed by the peer's old key."),
) -> None:
    """Apply a peer's key rotation (the old key must have signed it)."""
    data = json.loads(update_file.read_text(encoding="utf-8"))
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            peer = apply_card_update(session, data)
            console.print(f"[green]rotated[/] {peer.node_id}: now {peer.fingerprint}")
    finally:
        node.close()


@app.command("add-old-key")
def add_old_key_cmd(
    ctx: typer.Context,
    card_file: Path = typer.Argument(..., help="The peer's card as it was before a rotation."),
) -> None:
    """Put a peer's pre-rotation signing key back in its key history (for its old anchors)."""
    data = json.loads(card_file.read_text(encoding="utf-8"))
    node = open_node(settings(ctx))
    try:
        with node.write_session() as session:
            key = add_old_key(session, data)
            console.print(
                f"[green]added[/] {key.fingerprint} to the key history of {key.peer_id} "
                f"(superseded {key.superseded_at:%Y-%m-%d %H:%M} UTC); anchors only",
                soft_wrap=True,
            )
    finally:
        node.close()


@app.command("rotate-keys")
def rotate_keys(
    ctx: typer.Context,
    out: Path | None = typer.Option(
        None, "--out", help="Write the card update for peers to this file (default: print it)."
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Rotate without asking."),
) -> None:
    """Replace this node's keys; prints the new fingerprint and the card update for peers."""
    node = open_node(settings(ctx))
    try:
        if not yes:
            typer.confirm(
                f"Rotate the keys of {node.identity.id}? Every peer must then apply the "
                "card update (a running server uses the new keys at once)",
                abort=True,
            )
        rotation = rotate_own_keys(node)
    finally:
        node.close()
    text = json.dumps(rotation.update, indent=2)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    else:
        typer.echo(text)
    console.print(f"[green]rotated[/] the keys of {rotation.node_id}")
    console.print(f"old fingerprint: {rotation.old_fingerprint} (key kept as "
                  f"{rotation.old_key_file}; delete it once every peer has rotated)")  # fmt: skip
    console.print(f"new fingerprint: [bold]{rotation.new_fingerprint}[/]")
    where = str(out) if out else "the card update above"
    console.print(
        f"Send {where} to every peer; their operators apply it with "
        "`jointprobe peer update FILE`. Read them the new fingerprint by a second, trusted "
        "channel so they can compare it with `jointprobe peer list`. A running "
        "`jointprobe serve` signs with the new keys from its next message."
    )
    if rotation.queued_with_old_key:
        console.print(
            f"{rotation.queued_with_old_key} queued message(s) were signed with the old key; "
            "they are signed again with the new one when they are sent again (a peer that "
            "has applied the update refuses the first copy and takes the next)."
        )


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Trusted peers and their agreements."""
    node = open_node(settings(ctx))
    try:
        with node.session() as session:
            table = Table("peer", "name", "country", "endpoint", "fingerprint", "kinds", "max TLP")
            for p in list_peers(session):
                table.add_row(
                    p.node_id, p.name, p.country, p.endpoint, p.fingerprint,
                    ",".join(p.allowed_kinds), p.max_tlp,
                )  # fmt: skip
            console.print(table)
    finally:
        node.close()


@app.command("status")
def status(
    ctx: typer.Context,
    deliver: bool = typer.Option(False, "--deliver", help="Try to deliver queued messages now."),
) -> None:
    """Per peer: queued, delivered, rejected, failing since, last error."""
    node = open_node(settings(ctx))
    try:
        if deliver:
            deliver_outbox(node, node_keys(node))
        with node.session() as session:
            table = Table(
                "peer", "queued", "delivered", "refused", "parked", "held by peer", "holding",
                "failing since", "last error",
            )  # fmt: skip
            wedged = []
            for s in peer_status(session):
                holding = f"{s.holding} (waiting for #{s.waiting_for})" if s.holding else "0"
                table.add_row(
                    s.node_id, str(s.queued), str(s.delivered), str(s.rejected), str(s.parked),
                    str(s.held_by_peer), holding, str(s.failing_since or "-"),
                    s.last_error or "-",
                )  # fmt: skip
                if s.parked or s.wedged:
                    wedged.append(s.node_id)
            console.print(table)
            if wedged:
                console.print(
                    f"[yellow]attention[/]: {', '.join(wedged)}: parked messages or messages held "
                    "waiting for an earlier one; see `jointprobe peer outbox --failed`."
                )
    finally:
        node.close()
