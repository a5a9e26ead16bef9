"""Leases: one deliverer per peer at a time, across processes, and what it claims.

A deliverer takes a peer's lease (``lease_owner``, ``lease_until``) in one
statement; a lease held by a dead process of this host is taken over at
once, any other when it expires. Under the lease it claims the peer's next
batch: queued messages and pending voids, in sequence order, as many as the
peer's ``batch_limit`` and the envelope size limit allow.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from jointprobe.exchange.tables import OutboxEntry, Peer
from jointprobe.exchange.wire import MAX_ENVELOPE_BYTES
from jointprobe.node import Node
from jointprobe.timeutil import as_utc

LEASE_SECONDS = 120
#: Most bytes of envelopes one batch carries: one envelope of the largest size fits.
MAX_BATCH_BYTES = MAX_ENVELOPE_BYTES


@dataclass(frozen=True)
class Claimed:
    """One message of a claimed batch: the original, or the void taking its slot.

    ``message_id`` and ``digest`` are those of what is sent; ``original_id`` and
    ``original_digest`` those of the row's own message; ``claimed_void`` the
    void id the row had when claimed (settling checks the row still has it).
    """

    row_id: int
    message_id: str
    seq: int
    text: str
    digest: str
    attempts: int
    created: datetime
    void: bool
    original_id: str
    original_digest: str
    claimed_void: str | None = None


@dataclass
class Claim:
    peer: Peer
    rows: list[Claimed] = field(default_factory=list)


def lease_owner() -> str:
    """Who holds a lease: host, process id and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def _holder_is_dead(owner: str | None) -> bool:
    """A lease held by a process of this host that no longer runs may be taken over."""
    if not owner or owner.count(":") != 2:
        return False
    host, pid, _ = owner.split(":")
    if host != socket.gethostname()[:30] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def pending() -> object:
    """The rows a deliverer sends: queued messages and voids not yet recorded by the peer."""
    return or_(
        OutboxEntry.state == "queued",
        (OutboxEntry.void_id.is_not(None)) & (OutboxEntry.void_at.is_(None)),
    )


def claim(node: Node, peer_id: str, owner: str, now: datetime) -> Claim | None:
    """Take ``peer_id``'s lease and its next batch; ``None`` if another deliverer holds it."""
    with node.write_session() as session:
        holder = session.scalar(select(Peer.lease_owner).where(Peer.node_id == peer_id))
        free = or_(Peer.lease_until.is_(None), Peer.lease_until < now)
        if _holder_is_dead(holder):
            free = or_(free, Peer.lease_owner == holder)
        got = session.execute(  # type: ignore[attr-defined]
            update(Peer)
            .where(Peer.node_id == peer_id)
            .where(free)
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=LEASE_SECONDS)),
            execution_options={"synchronize_session": False},
        ).rowcount
        if not got:
            return None
        peer = session.get(Peer, peer_id)
        assert peer is not None
        session.expunge(peer)
        if peer.next_attempt_at is not None and as_utc(peer.next_attempt_at) > now:
            return Claim(peer)
        query = (
            select(
                OutboxEntry.id, OutboxEntry.message_id, OutboxEntry.seq, OutboxEntry.envelope,
                OutboxEntry.digest, OutboxEntry.attempts, OutboxEntry.created_at,
                OutboxEntry.state, OutboxEntry.void_id, OutboxEntry.void_digest,
                OutboxEntry.void_envelope,
            )
            .where(OutboxEntry.peer_id == peer_id, pending())  # type: ignore[arg-type]
            .order_by(OutboxEntry.seq)
            .limit(max(1, peer.batch_limit))
        )  # fmt: skip
        rows: list[Claimed] = []
        size = 2
        for row in session.execute(query):
            void = row.state != "queued"
            text = row.void_envelope if void else row.envelope
            size += len(text) + 1
            if rows and size > MAX_BATCH_BYTES:
                break
            rows.append(
                Claimed(
                    row.id, row.void_id if void else row.message_id, row.seq, text,
                    row.void_digest if void else row.digest, row.attempts, row.created_at, void,
                    row.message_id, row.digest, row.void_id if void else None,
                )
            )  # fmt: skip
        return Claim(peer, rows)


def release(node: Node, peer_id: str, owner: str) -> None:
    with node.write_session() as session:
        session.execute(
            update(Peer)
            .where(Peer.node_id == peer_id, Peer.lease_owner == owner)
            .values(lease_owner=None, lease_until=None),
            execution_options={"synchronize_session": False},
        )


__all__ = ["LEASE_SECONDS", "Claim", "Claimed", "claim", "lease_owner", "pending", "release"]
