"""The computing steps of a session (docs/protocol.md §11.2), shared by service, handlers
and the worker.

Initiator A (scalar a), responder B (scalar b), H the selector hash:

1. A: ``x = H(A)·a`` in A's secret order                       → offer, then x
2. B: ``y = H(B)·b`` in B's order (as soon as a user joins)     → accept, then y
   and, once all of x is here, ``z = shuffle(x·b)``             → z
3. A: ``y·a`` as soon as all of y is here (while B computes z);
      then ``y·a`` (B's order) against z gives the count and
      which of B's positions matched; ``w = shuffle(y·a)``     → w
4. B: ``x·b`` (A's order) against w gives the count and which of
      A's positions matched.

Each side then holds only the count (and counts per kind when both owners
allowed it). The positions are sent only on reveal, when both owners agreed.

The curve arithmetic of steps 1–3 runs in the worker (:mod:`.worker`), outside
any write transaction: a session's ``work`` names the step it owes; the
``finish_*`` functions here write a step's result, in a short transaction.
Step 4 is a comparison and runs where the last chunk of w is applied.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.config import Settings
from jointprobe.deconflict import sodium
from jointprobe.deconflict.caps import ask_flag
from jointprobe.deconflict.crypto import (
    SUITE,
    Groups,
    counts_by_kind,
    match_positions,
    order_selectors,
)
from jointprobe.deconflict.rounds import send, send_points
from jointprobe.deconflict.store import (
    KEPT_AFTER_COUNT,
    complete,
    drop_arrays,
    get_array,
    put_array,
    put_selectors,
)
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.deconflict.wake import owe
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.wire import format_time
from jointprobe.timeutil import utcnow

ACTOR = "deconfliction"


def groups_of(raw: list[list[object]] | list[tuple[str, int]]) -> Groups:
    return [(str(kind), int(size)) for kind, size in raw]  # type: ignore[call-overload]


def single(size: int) -> Groups:
    return [("*", size)]


def peer_groups(row: DeconflictSession) -> Groups:
    """How the peer's rounds are laid out: by kind when both owners allowed it."""
    return groups_of(row.peer_groups) if row.by_kind_agreed else single(row.peer_size)


def prepare_own(
    session: Session, row: DeconflictSession, selectors: list[tuple[str, str]], *, by_kind: bool
) -> None:
    """Order our selectors secretly, draw the session's fresh scalar, keep both for the
    worker's blinding step (``x`` or ``y``)."""
    ordered, groups = order_selectors(selectors, by_kind=by_kind)
    keep_own(session, row, ordered, groups, sodium.random_scalar())


def keep_own(
    session: Session,
    row: DeconflictSession,
    ordered: list[tuple[str, str]],
    groups: Groups,
    scalar: bytes,
) -> None:
    """Keep our selectors in their secret order and the session's scalar."""
    row.scalar = scalar
    row.own_size, row.own_groups = len(ordered), [list(g) for g in groups]
    put_selectors(session, row.id, ordered)


def send_prepared(
    session: Session,
    keys: NodeKeys,
    row: DeconflictSession,
    ordered: list[tuple[str, str]],
    groups: Groups,
    scalar: bytes,
) -> str:
    """Our set is read and ordered (the worker's ``prepare``): keep it, send the offer
    (initiator, now ``offered``) or the accept (responder), and owe the blinding
    step that follows, which is returned (``x`` or ``y``; z follows y once x is here)."""
    keep_own(session, row, ordered, groups, scalar)
    row.updated_at = utcnow()
    groups_out = [{"kind": k, "size": s} for k, s in row.own_groups]
    if row.role == "initiator":
        row.state = "offered"
        send(session, keys, row, "offer", {
            "suite": SUITE, "case_ref": row.case_id, "kinds": list(row.kinds),
            "by_kind": row.by_kind, "size": row.own_size, "groups": groups_out,
            "expires": format_time(row.expires_at),
        })  # fmt: skip
        record(session, ACTOR, "offer", "deconfliction", row.id,
               {"peer": row.peer_id, "case": row.case_id, "own_size": row.own_size})  # fmt: skip
        owe(session, row, "x")
        return "x"
    send(session, keys, row, "accept", {"case_ref": row.case_id, "by_kind": row.by_kind_agreed,
                                        "size": row.own_size, "groups": groups_out})  # fmt: skip
    owe(session, row, "y")
    return "y"


def finish_x(session: Session, keys: NodeKeys, row: DeconflictSession, x: bytes) -> None:
    """Step 1 done: send x; the initiator now waits for the responder."""
    send_points(session, keys, row, "x", x)
    row.work = None
    next_for_initiator(session, row)


def finish_ya(session: Session, row: DeconflictSession, ya: bytes) -> None:
    """Step 3's first half: keep y·a, forget y and a (z is compared, not multiplied)."""
    put_array(session, row.id, "ya", ya, item_size=sodium.POINT)
    drop_arrays(session, row, keep=("own", "ya", "z"))
    row.work = None
    next_for_initiator(session, row)


def next_for_initiator(session: Session, row: DeconflictSession) -> None:
    """Owe the initiator's next step once what it needs is here: y·a when all of y
    is, the count when y·a and all of z are."""
    if row.work is not None or row.role != "initiator":
        return
    if complete(session, row.id, "ya"):
        if complete(session, row.id, "z"):
            owe(session, row, "count")
    elif row.scalar is not None and complete(session, row.id, "y"):
        owe(session, row, "ya")


def finish_y(session: Session, keys: NodeKeys, row: DeconflictSession, y: bytes) -> None:
    """Step 2's first half: send y; z follows once all of x is here."""
    send_points(session, keys, row, "y", y)
    row.work = None
    if complete(session, row.id, "x"):
        owe(session, row, "z")


def finish_z(
    session: Session, keys: NodeKeys, settings: Settings, row: DeconflictSession, xb: bytes,
    z: bytes,
) -> None:  # fmt: skip
    """Step 2's second half: keep x·b (for step 4), forget b, send z."""
    put_array(session, row.id, "xb", xb, item_size=sodium.POINT)
    drop_arrays(session, row, keep=("own", "xb"))  # b is not needed again: w is compared
    send_points(session, keys, row, "z", z)
    row.state, row.work = "joined", None
    row.flag = ask_flag(settings, row.own_size, row.peer_size)
    row.updated_at = utcnow()
    record(session, ACTOR, "join", "deconfliction", row.id,
           {"peer": row.peer_id, "case": row.case_id, "own_size": row.own_size,
            "peer_size": row.peer_size, "by_kind": row.by_kind_agreed,
            "flag": row.flag})  # fmt: skip


def finish_count(
    session: Session,
    keys: NodeKeys,
    settings: Settings,
    row: DeconflictSession,
    positions: list[int],
    w: bytes,
) -> None:
    """Step 3 done: send w and keep the count."""
    send_points(session, keys, row, "w", w)
    row.work = None
    _counted(session, settings, row, positions, peer_groups(row))


def count_as_responder(session: Session, settings: Settings, row: DeconflictSession) -> None:
    """Step 4: all of w is here."""
    xb = get_array(session, row.id, "xb")
    positions = match_positions(xb, get_array(session, row.id, "w"))
    _counted(session, settings, row, positions, peer_groups(row))


def _counted(
    session: Session,
    settings: Settings,
    row: DeconflictSession,
    positions: list[int],
    groups: Groups,
) -> None:
    row.count, row.peer_positions = len(positions), positions
    row.kind_counts = counts_by_kind(positions, groups) if row.by_kind_agreed else None
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
    "count_as_responder",
    "finish_count",
    "finish_x",
    "finish_ya",
    "finish_y",
    "finish_z",
    "groups_of",
    "keep_own",
    "next_for_initiator",
    "peer_groups",
    "prepare_own",
    "reveal_if_agreed",
    "send_prepared",
    "single",
]
