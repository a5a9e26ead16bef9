"""``deconflict``: private set intersection of a case's selectors with a peer's (C7)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from sqlalchemy.orm import Session

from jointprobe import deconflict
from jointprobe.accounts import get_user
from jointprobe.cli.context import AsOption, console, settings
from jointprobe.deconflict import SessionView
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.keys import NodeKeys
from jointprobe.node import Node, open_node
from jointprobe.store.tables import User

app = typer.Typer(help="Deconfliction: which selectors a peer shares with a case, privately.")
T = TypeVar("T")
KindsOption = typer.Option(
    None, "--kinds", help="Comma-separated selector kinds (default: phone,email,wallet,url,"
    "domain,passport)."
)  # fmt: skip
ByKindOption = typer.Option(
    False, "--by-kind", help="Allow counts per kind (the case owner only; discloses set sizes "
    "per kind)."
)  # fmt: skip


@contextmanager
def _acting(ctx: typer.Context, username: str) -> Iterator[tuple[Node, Session, User, NodeKeys]]:
    node = open_node(settings(ctx))
    try:
        keys = node_keys(node)
        with node.write_session() as session:
            deconflict.expire_stalled(session, keys)
            yield node, session, get_user(session, username), keys
    finally:
        node.close()


def _run(ctx: typer.Context, username: str, label: str, act: Callable[..., T]) -> T:
    with console.status(label), _acting(ctx, username) as (node, session, user, keys):
        return act(session, user, keys, node)


@app.command("start")
def start(
    ctx: typer.Context,
    peer: str = typer.Option(..., "--peer", help="Peer node id."),
    case_id: str = typer.Option(..., "--case", help="The case whose selectors are compared."),
    kinds: str | None = KindsOption,
    by_kind: bool = ByKindOption,
    username: str = AsOption,
) -> None:
    """Offer the case's selectors to a peer; both sides first learn only how many they share."""
    chosen = [k for k in kinds.split(",") if k.strip()] if kinds else None
    row = _run(ctx, username, "offering the case's selectors…", lambda s, u, k, n: (
        deconflict.start(s, u, k, n.settings, peer=peer, case_id=case_id, kinds=chosen,
                         by_kind=by_kind)))  # fmt: skip
    console.print(
        f"[green]{row.state}[/] session {row.id}: {row.own_size} selectors for {peer} "
        "(the serving node's worker reads, orders and offers them)"
    )


@app.command("join")
def join(
    ctx: typer.Context,
    session_id: str,
    case_id: str = typer.Option(..., "--case", help="Our case whose selectors are compared."),
    by_kind: bool = ByKindOption,
    username: str = AsOption,
) -> None:
    """Answer a peer's invitation with the selectors of one of our cases."""
    row = _run(ctx, username, "comparing…", lambda s, u, k, n: deconflict.join(
        s, u, k, n.settings, session_id, case_id=case_id, by_kind=by_kind))  # fmt: skip
    console.print(f"[green]{row.state}[/] session {row.id} with case {row.case_id}")


@app.command("reveal")
def reveal(ctx: typer.Context, session_id: str, username: str = AsOption) -> None:
    """As the case owner, agree to reveal; the shared selectors show once the peer agrees too."""
    row = _run(ctx, username, "…", lambda s, u, k, n: deconflict.consent(s, u, k, session_id))
    waiting = "" if row.peer_consent_at else " (waiting for the peer's owner)"
    console.print(f"[green]agreed[/] to reveal session {row.id}{waiting}")


@app.command("decline")
def decline(
    ctx: typer.Context,
    session_id: str,
    reason: str = typer.Option("", "--reason"),
    username: str = AsOption,
) -> None:
    """As the case owner, end a session (or refuse an invitation); nothing is revealed."""
    _run(ctx, username, "…", lambda s, u, k, n: deconflict.decline(s, u, k, session_id,
                                                                    reason=reason))  # fmt: skip
    console.print(f"[yellow]closed[/] session {session_id}")


@app.command("status")
def status(
    ctx: typer.Context,
    session_id: str | None = typer.Argument(None),
    case_id: str | None = typer.Option(None, "--case"),
    username: str = AsOption,
) -> None:
    """Sessions this user may see, or one session with its shared selectors once revealed."""
    if session_id is None:
        views = _run(ctx, username, "…", lambda s, u, k, n: deconflict.list_sessions(
            s, u, case_id=case_id))  # fmt: skip
        _lines(views)
        return
    one = _run(ctx, username, "…", lambda s, u, k, n: deconflict.view(s, u, session_id))
    _lines([one])
    if one.flag:
        console.print(f"[bold yellow]flagged[/] {one.flag}")
    if one.reason:
        console.print(f"[dim]{one.code}: {one.reason}[/]")
    for shared in one.shared:
        records = ", ".join(r["id"] for r in shared["records"]) or "—"
        console.print(f"  shared {shared['kind']} {shared['value']}  ← {records}")


def _lines(views: list[SessionView]) -> None:
    """One line per session (the full id, to paste into the next command)."""
    if not views:
        console.print("[dim]no deconfliction sessions[/]")
    for v in views:
        shared = "—" if v.count is None else str(v.count)
        counts = ", ".join(f"{k} {n}" for k, n in (v.kind_counts or {}).items())
        console.print(
            f"{v.id}  {v.peer}  {v.role}  case {v.case_id or '—'}  [bold]{v.state}[/]  "
            f"ours {v.own_size}  theirs {v.peer_size}  shared {shared}"
            + (f" ({counts})" if counts else ""),
            soft_wrap=True,
        )
