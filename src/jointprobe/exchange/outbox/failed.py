"""What an operator does with messages that did not go through: see, retry, drop.

Parked messages (given up after ``delivery_max_failures`` answers that did not
accept them) and refused ones are listed with their reason. ``retry`` puts a
parked message back in the queue with a fresh count; ``drop`` withdraws it: a
``void`` takes its sequence slot so the peer's channel moves on (the peer is
told only that it was dropped; the operator's reason stays here, in the audit
log). Both are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import NotFound
from jointprobe.exchange.errors import OutboxStateError
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.outbox.delivery import withdraw
from jointprobe.exchange.outbox.queue import wake_after_commit
from jointprobe.exchange.tables import OutboxEntry, Peer
from jointprobe.timeutil import UtcDatetime, utcnow

#: States an operator sees as "did not go through".
FAILED_STATES = ("parked", "refused", "dropped")


@dataclass(frozen=True)
class OutboxRow:
    id: int
    peer_id: str
    message_id: str
    seq: int
    kind: str
    state: str
    attempts: int
    failures: int
    last_error: str | None
    created_at: UtcDatetime
    #: a void takes this message's slot: ``pending`` until the peer recorded it, then ``done``
    void: str | None


def _row(entry: OutboxEntry) -> OutboxRow:
    void = None if entry.void_id is None else ("done" if entry.void_at else "pending")
    return OutboxRow(
        entry.id, entry.peer_id, entry.message_id, entry.seq, entry.kind, entry.state,
        entry.attempts, entry.failures, entry.last_error, entry.created_at, void,
    )  # fmt: skip


def outbox_rows(
    session: Session, *, peer_id: str | None = None, failed: bool = False, limit: int = 200
) -> list[OutboxRow]:
    """Outbox messages, newest first; with ``failed`` only parked, refused and dropped ones."""
    query = select(OutboxEntry).order_by(OutboxEntry.id.desc()).limit(limit)
    if peer_id:
        query = query.where(OutboxEntry.peer_id == peer_id)
    if failed:
        query = query.where(OutboxEntry.state.in_(FAILED_STATES))
    return [_row(entry) for entry in session.scalars(query)]


def _entry(session: Session, row_id: int) -> OutboxEntry:
    entry = session.get(OutboxEntry, row_id)
    if entry is None:
        raise NotFound(f"no outbox message {row_id}")
    return entry


def retry(session: Session, actor: str, row_id: int) -> OutboxRow:
    """Queue a parked message again, with a fresh failure count."""
    entry = _entry(session, row_id)
    if entry.state != "parked":
        raise OutboxStateError(f"message {row_id} is {entry.state}; only a parked one is retried")
    entry.state, entry.failures, entry.last_error = "queued", 0, None
    peer = session.get(Peer, entry.peer_id)
    if peer is not None:
        peer.next_attempt_at = None
    record(session, actor, "retry", "outbox", str(row_id),
           {"peer": entry.peer_id, "message": entry.message_id, "seq": entry.seq})  # fmt: skip
    wake_after_commit(session)
    return _row(entry)


def drop(
    session: Session,
    actor: str,
    keys: NodeKeys,
    row_id: int,
    *,
    reason: str = "dropped by the operator",
    now: datetime | None = None,
) -> OutboxRow:
    """Withdraw a parked or still queued message: a void takes its slot at the peer."""
    entry = _entry(session, row_id)
    if entry.state not in ("parked", "queued"):
        raise OutboxStateError(
            f"message {row_id} is {entry.state}; only a parked or queued one is dropped"
        )
    peer = session.get(Peer, entry.peer_id)
    if peer is None:
        raise NotFound(f"no peer {entry.peer_id}")
    entry.state, entry.last_error = "dropped", reason[:300]
    withdraw(session, keys, peer, entry, now=now or utcnow())
    peer.next_attempt_at = None
    record(session, actor, "drop", "outbox", str(row_id),
           {"peer": entry.peer_id, "message": entry.message_id, "seq": entry.seq,
            "reason": reason[:300]})  # fmt: skip
    wake_after_commit(session)
    return _row(entry)


__all__ = ["FAILED_STATES", "OutboxRow", "drop", "outbox_rows", "retry"]
