"""A channel after one side was restored from a backup (docs/protocol.md §8, Restores).

A restored node has an older view of each channel than its peers. Both sides
notice from signed receipts alone, and mend the channel without applying
anything twice (the inbox refuses ids it recorded):

- **The peer went back** (:func:`requeue_after`): a receipt's
  ``applied_through`` is lower than the peer's earlier receipts said. The
  peer lost what it had recorded above it: this node queues again every
  message above it that it had settled (delivered or refused; a withdrawn
  one's void is sent again). What the peer still holds comes back
  ``duplicate``.
- **This node went back** (:func:`renumber_taken`): the peer answers
  ``envelope.seq_taken`` for a message (another message of ours holds that
  sequence number: one we sent after the backup and lost). The message and
  every one queued after it move above the highest number the peer has used,
  keeping their order, and are signed again; the counter moves up too.
- :func:`probe`: a peer that learns this node was restored (a ``restored``
  notice) sends the last message it had settled again, so this node's receipt
  tells it what this node lacks.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.exchange.envelope import envelope_from_dict, sign
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.tables import OutboxEntry, Peer

#: What the audit log calls the actor of a resynchronisation.
SYSTEM = "system"
#: The topic of the notice a restored node sends each peer (docs/protocol.md §8).
RESTORED_TOPIC = "restored"


def _settled_after(peer_id: str, seq: int) -> ColumnElement[bool]:
    settled = or_(
        OutboxEntry.state.in_(("delivered", "refused")),
        OutboxEntry.void_at.is_not(None),
    )
    return (OutboxEntry.peer_id == peer_id) & (OutboxEntry.seq > seq) & settled


def requeue_after(
    session: Session, peer: Peer, applied_through: int, *, keep: Collection[int] = ()
) -> int:
    """The peer went back to ``applied_through``: queue what we settled above it again.

    ``keep``: outbox rows the receipt at hand just settled (the peer has them now).
    Returns how many messages are queued again.
    """
    settled = _settled_after(peer.node_id, applied_through)
    rows = list(session.scalars(select(OutboxEntry).where(settled)))
    again = [row for row in rows if row.id not in keep]
    for row in again:
        _queue_again(row)
    if again:
        record(session, SYSTEM, "resync", "peer", peer.node_id,
               {"peer_applied_through": applied_through, "was": peer.peer_applied_seq,
                "queued_again": len(again)})  # fmt: skip
    return len(again)


def _queue_again(row: OutboxEntry) -> None:
    if row.void_id is not None and row.void_at is not None:
        row.void_at = None  # the withdrawal is sent again
        return
    row.state, row.delivered_at, row.receipt_id = "queued", None, None
    row.failures, row.last_error = 0, "queued again: the peer lost it (restored from a backup)"


def renumber_taken(
    session: Session,
    keys: NodeKeys,
    peer: Peer,
    taken: Collection[int],
    applied_through: int,
    *,
    now: datetime,
) -> int:
    """Sequence numbers ``taken`` at the peer by messages we no longer have: move ours up.

    Every queued or parked message of ours from the lowest taken number on is
    renumbered, in order, above the highest number the peer is known to use,
    and signed again. Returns the number the first one gets.
    """
    base = max(peer.out_seq, applied_through, *taken)
    rows = list(session.scalars(
        select(OutboxEntry)
        .where(OutboxEntry.peer_id == peer.node_id, OutboxEntry.seq >= min(taken),
               OutboxEntry.state.in_(("queued", "parked")), OutboxEntry.void_id.is_(None))
        .order_by(OutboxEntry.seq)
    ))  # fmt: skip
    moved = []
    for number, row in enumerate(rows, start=base + 1):
        envelope = envelope_from_dict(json.loads(row.envelope))
        seq = {**(envelope.seq or {}), peer.node_id: number}
        fresh = sign(replace(envelope, seq=seq, sent=now, key_id=keys.fingerprint), keys)
        moved.append((row.seq, number))
        row.seq, row.envelope, row.digest = number, fresh.to_json().decode(), fresh.digest()
        row.state, row.failures = "queued", 0
        row.last_error = f"renumbered: the peer holds other messages of ours up to {base}"
    peer.out_seq = max(peer.out_seq, base + len(rows))
    record(session, SYSTEM, "resync", "peer", peer.node_id,
           {"seq_taken": sorted(taken), "renumbered": moved})  # fmt: skip
    return base + 1


def probe(session: Session, peer_id: str) -> bool:
    """Queue again the last message we settled with ``peer_id`` (its receipt says what it has)."""
    row = session.scalars(
        select(OutboxEntry).where(_settled_after(peer_id, 0)).order_by(OutboxEntry.seq.desc())
    ).first()
    if row is None:
        return False
    _queue_again(row)
    return True


__all__ = ["RESTORED_TOPIC", "probe", "renumber_taken", "requeue_after"]
