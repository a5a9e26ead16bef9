"""The computing steps of a session (docs/protocol.md §11.2), shared by service and handlers.

Initiator A (scalar a), responder B (scalar b), H the selector hash:

1. A: ``x = H(A)·a`` in A's secret order                       → offer + x
2. B: ``y = H(B)·b`` in B's order; ``z = shuffle(x·b)``         → accept + y + z
3. A: ``y·a`` (B's order) against z gives the count and which of
      B's positions matched; ``w = shuffle(y·a)``              → w
4. B: ``x·b`` (A's order) against w gives the count and which of
      A's positions matched.

Each side then holds only the count (and counts per kind when both owners
allowed it). The positions are sent only on reveal, when both owners agreed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.config import Settings
from jointprobe.deconflict import sodium
from jointprobe.deconflict.caps import ask_flag
from jointprobe.deconflict.crypto import (
    Groups,
    blind_selectors,
    counts_by_kind,
    match_positions,
    order_selectors,
    shuffle_points,
)
from jointprobe.deconflict.rounds import send, send_points
from jointprobe.deconflict.store import (
    KEPT_AFTER_COUNT,
    drop_arrays,
    get_array,
    put_array,
    put_selectors,
)
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.exchange.keys import NodeKeys
from jointprobe.timeutil import utcnow

ACTOR = "deconfliction"


def groups_of(raw: list[list[object]] | list[tuple[str, int]]) -> Groups:
    return [(str(kind), int(size)) for kind, size in raw]  # type: ignore[call-overload]


def single(size: int) -> Groups:
    return [("*", size)]


def blind_own(
    row: DeconflictSession, selectors: list[tuple[str, str]], *, by_kind: bool
) -> tuple[list[tuple[str, str]], bytes]:
    """Order our selectors, pick the session's fresh scalar, blind them (step 1 or 2)."""
    ordered, groups = order_selectors(selectors, by_kind=by_kind)
    row.scalar = sodium.random_scalar()
    row.own_size, row.own_groups = len(ordered), [list(g) for g in groups]
    return ordered, blind_selectors(row.id, row.scalar, ordered)


def respond(
    session: Session,
    keys: NodeKeys,
    settings: Settings,
    row: DeconflictSession,
    selectors: list[tuple[str, str]],
) -> None:
    """Step 2, once the responder joined with a case and all of x is here."""
    drop_arrays(session, row, keep=("x",))  # selectors kept while x was arriving
    ordered, y = blind_own(row, selectors, by_kind=row.by_kind_agreed)
    assert row.scalar is not None
    x = get_array(session, row.id, "x")
    xb = sodium.multiply(row.scalar, x)  # BadPoint: the caller closes the session
    peer_groups = groups_of(row.peer_groups) if row.by_kind_agreed else single(row.peer_size)
    z = shuffle_points(xb, peer_groups)
    put_selectors(session, row.id, ordered)
    put_array(session, row.id, "xb", xb, item_size=sodium.POINT)
    drop_arrays(session, row, keep=("own", "xb"))
    row.scalar = None  # b is not needed again: w is compared, not multiplied
    send(session, keys, row, "accept", {
        "case_ref": row.case_id, "by_kind": row.by_kind_agreed, "size": row.own_size,
        "groups": [{"kind": k, "size": s} for k, s in row.own_groups],
    })  # fmt: skip
    send_points(session, keys, row, "y", y)
    send_points(session, keys, row, "z", z)
    row.state, row.flag = "joined", ask_flag(settings, row.own_size, row.peer_size)
    record(session, ACTOR, "join", "deconfliction", row.id,
           {"peer": row.peer_id, "case": row.case_id, "own_size": row.own_size,
            "peer_size": row.peer_size, "by_kind": row.by_kind_agreed,
            "flag": row.flag})  # fmt: skip


def count_as_initiator(
    session: Session, keys: NodeKeys, settings: Settings, row: DeconflictSession
) -> None:
    """Step 3: all of y and z are here."""
    assert row.scalar is not None
    ya = sodium.multiply(row.scalar, get_array(session, row.id, "y"))
    z = get_array(session, row.id, "z")
    positions = match_positions(ya, z)
    peer_groups = groups_of(row.peer_groups) if row.by_kind_agreed else single(row.peer_size)
    send_points(session, keys, row, "w", shuffle_points(ya, peer_groups))
    _counted(session, settings, row, positions, peer_groups)


def count_as_responder(session: Session, settings: Settings, row: DeconflictSession) -> None:
    """Step 4: all of w is here."""
    xb = get_array(session, row.id, "xb")
    positions = match_positions(xb, get_array(session, row.id, "w"))
    peer_groups = groups_of(row.peer_groups) if row.by_kind_agreed else single(row.peer_size)
    _counted(session, settings, row, positions, peer_groups)


def _counted(
    session: Session,
    settings: Settings,
    row: DeconflictSession,
    positions: list[int],
    peer_groups: Groups,
) -> None:
    row.count, row.peer_positions = len(positions), positions
    row.kind_counts = counts_by_kind(positions, peer_groups) if row.by_kind_agreed else None
    row.flag = row.flag or ask_flag(settings, row.own_size, row.peer_size)
    row.state, row.updated_at = "counted", utcnow()
    drop_arrays(session, row, keep=KEPT_AFTER_COUNT)
    record(session, ACTOR, "count", "deconfliction", row.id,
           {"peer": row.peer_id, "case": row.case_id, "own_size": row.own_size,
            "peer_size": row.peer_size, "count": row.count, "kind_counts": row.kind_counts,
            "flag": row.flag})  # fmt: skip


def reveal_if_agreed(session: Session, keys: NodeKeys, row: DeconflictSession) -> None:
    """Send the peer its matched positions once both owners agreed (and only once)."""
    if row.consent_at is None or row.peer_consent_at is None or row.reveal_sent_at is not None:
        return
    send(session, keys, row, "reveal", {"positions": list(row.peer_positions or [])})
    row.reveal_sent_at = utcnow()
    record(session, ACTOR, "reveal", "deconfliction", row.id,
           {"peer": row.peer_id, "count": row.count})  # fmt: skip


__all__ = [
    "ACTOR",
    "blind_own",
    "count_as_initiator",
    "count_as_responder",
    "groups_of",
    "respond",
    "reveal_if_agreed",
    "single",
]
