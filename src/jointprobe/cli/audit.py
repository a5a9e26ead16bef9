"""``audit verify``, ``audit anchor`` and ``audit check-anchor``."""

from __future__ import annotations

from pathlib import Path

import typer

from jointprobe.audit import record
from jointprobe.audit import verify as verify_chain
from jointprobe.cli.context import console, err_console, node_session
from jointprobe.errors import InvalidInput
from jointprobe.exchange import anchors
from jointprobe.exchange.errors import BadSignature
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.peers import card_of, get_peer
from jointprobe.node import OPERATOR

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
TAMPERED = 9


@app.command()
def verify(
    ctx: typer.Context,
    anchor_files: list[Path] = typer.Option(
        [], "--anchors", help="Anchor files to check (default: the node's own, if any)."
    ),
) -> None:
    """Re-compute the hash chain; name every edited or deleted row; check it against anchors."""
    with node_session(ctx, OPERATOR) as (node, session, _actor):
        report = verify_chain(session)
        problems = list(report.problems)
        own = node.settings.data_dir.expanduser() / anchors.ANCHOR_FILE
        files = anchor_files or ([own] if own.exists() else [])
        keys = anchors.own_sign_keys(node) if files else []
        checked = 0
        for path in files:
            for line, found in anchors.read_anchors(path):
                checked += 1
                problem = anchors.anchor_problem(session, node.identity.id, keys, found)
                if problem:
                    problems.append(f"{path}:{line}: {problem}")
    if problems:
        for problem in problems:
            err_console.print(f"[bold red]tampered[/] {problem}")
        raise typer.Exit(code=TAMPERED)
    against = f", consistent with {checked} anchors" if checked else ""
    console.print(f"[green]audit log intact[/]: {report.checked} entries verified{against}")


@app.command()
def anchor(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="Also append the anchor to this file."),
) -> None:
    """Sign the audit chain's head with the node key; hand the printed line to a partner."""
    with node_session(ctx, OPERATOR) as (node, session, _actor):
        signed = anchors.make_anchor(session, node_keys(node))
        detail = {"hash": signed.hash, "at": signed.at}
        record(session, OPERATOR, "anchor", "audit", str(signed.last_id), detail)
        own = node.settings.data_dir.expanduser() / anchors.ANCHOR_FILE
        anchors.append_anchor(own, signed)
    if out is not None:
        anchors.append_anchor(out, signed)
    console.print(signed.to_json(), soft_wrap=True, markup=False, highlight=False)
    err_console.print(f"entry {signed.last_id} anchored; kept in {own}")


@app.command("check-anchor")
def check_anchor(
    ctx: typer.Context,
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Anchor file (JSON lines)."),
    peer: str = typer.Option(..., "--peer", help="Node id of the partner that issued them."),
) -> None:
    """On a partner's node: check anchors it handed over against every key pinned for it.

    An anchor signed before the partner rotated its keys verifies with the key
    the card update replaced; the output names the key that verified each one.
    """
    with node_session(ctx, OPERATOR) as (_node, session, _actor):
        pinned = get_peer(session, peer)
        card, revoked = card_of(pinned.card), list(pinned.revoked)
        keys = anchors.peer_sign_keys(session, peer, card)
    bad = 0
    for line, found in anchors.read_anchors(path):
        try:
            if isinstance(found, InvalidInput):
                raise found  # a line that is not an anchor at all
            key = anchors.check_peer_anchor(found, peer, keys, card.sign_public, revoked)
        except (InvalidInput, BadSignature) as exc:
            bad += 1
            err_console.print(f"[bold red]refused[/] {path}:{line}: {exc.message}")
            continue
        console.print(
            f"{path}:{line}: entry {found.last_id} of {peer} at {found.at}: signed with the "
            f"{anchors.describe_key(key, card.sign_public)}"
        )
    if bad:
        raise typer.Exit(code=TAMPERED)
