"""Queueing: seal a message once for all recipients and queue one row per recipient.

``enqueue`` runs in the caller's transaction: the message is queued exactly
when the change that produced it commits. Each recipient's row takes that
recipient's next sequence number. A message larger than
:data:`~jointprobe.exchange.wire.MAX_ENVELOPE_BYTES` is refused here, with the
limit named, before anything is queued. ``void_envelope`` builds the message
that takes the slot of a withdrawn one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from jointprobe.exchange.envelope import Envelope, seal
from jointprobe.exchange.errors import KindNotAllowed, MessageTooLarge
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.peers import card_of, get_peer, trusted_from
from jointprobe.exchange.tables import OutboxEntry, Peer
from jointprobe.exchange.wire import MAX_ENVELOPE_BYTES
from jointprobe.timeutil import utcnow


def enqueue(
    session: Session,
    keys: NodeKeys,
    *,
    kind: str,
    body: Mapping[str, Any],
    to: Sequence[str],
    now: datetime | None = None,
    conversation_id: str | None = None,
    in_reply_to: str | None = None,
) -> Envelope:
    """Seal ``body`` for ``to`` and queue it, in the caller's transaction."""
    recipients = sorted(set(to))
    seq: dict[str, int] = {}
    boxes: dict[str, bytes] = {}
    for node_id in recipients:
        # One statement takes the next sequence number and reads what sealing
        # needs; the ORM flushes the caller's pending changes first (autoflush),
        # so an agreement changed earlier in this transaction is what we see.
        row = session.execute(
            update(Peer)
            .where(Peer.node_id == node_id, Peer.active.is_(True))
            .values(out_seq=Peer.out_seq + 1)
            .returning(Peer.out_seq, Peer.card, Peer.allowed_kinds, Peer.max_tlp, Peer.revoked),
            execution_options={"synchronize_session": False},
        ).one_or_none()
        if row is None:
            get_peer(session, node_id)  # raises NotFound for unknown peers
            raise KindNotAllowed(f"peer {node_id} is not active")
        number, card, kinds, max_tlp, revoked = row
        peer = trusted_from(card, kinds, max_tlp, revoked)
        if peer is None:
            raise KindNotAllowed(f"peer {node_id} is not active")
        if not peer.agreement.allows_kind(kind):
            raise KindNotAllowed(f"the agreement with {node_id} does not cover {kind}")
        seq[node_id] = number
        boxes[node_id] = peer.card.box_public
    envelope = seal(
        keys,
        kind=kind,
        body=body,
        recipients=boxes,
        seq=seq,
        now=now or utcnow(),
        conversation_id=conversation_id,
        in_reply_to=in_reply_to,
    )
    text = envelope.to_json().decode()
    check_size(kind, len(text))
    digest = envelope.digest()
    # A plain INSERT, not an ORM object: nothing reads the row back in this
    # transaction, and the unit of work would cost more than the statement.
    session.execute(
        insert(cast(Table, OutboxEntry.__table__)),
        [
            {
                "message_id": envelope.id,
                "peer_id": node_id,
                "seq": seq[node_id],
                "kind": kind,
                "envelope": text,
                "digest": digest,
                "state": "queued",
                "attempts": 0,
                "failures": 0,
                "created_at": envelope.created,
            }
            for node_id in recipients
        ],
    )
    wake_after_commit(session)
    return envelope


def check_size(kind: str, size: int) -> None:
    """Refuse a sealed message over the protocol's envelope limit, naming the limit."""
    if size > MAX_ENVELOPE_BYTES:
        raise MessageTooLarge(
            f"the {kind} is {size:,} bytes sealed; one message may be at most "
            f"{MAX_ENVELOPE_BYTES:,} bytes: send fewer items per message"
        )


def void_envelope(
    keys: NodeKeys, peer: Peer, *, seq: int, withdrawn: str, reason: str, now: datetime
) -> Envelope:
    """The ``void`` message that takes sequence slot ``seq`` of a withdrawn message."""
    card = card_of(peer.card)
    return seal(
        keys,
        kind="void",
        body={"withdrawn": withdrawn, "reason": reason[:300] or "withdrawn"},
        recipients={peer.node_id: card.box_public},
        seq={peer.node_id: seq},
        now=now,
    )


# --- waking the in-process deliverer ----------------------------------------

_listeners: list[Callable[[], None]] = []
_WAKE_PENDING = "jointprobe.exchange.wake_pending"


def on_enqueue(callback: Callable[[], None]) -> None:
    _listeners.append(callback)


def remove_listener(callback: Callable[[], None]) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def wake_after_commit(session: Session) -> None:
    """Wake the deliverers of this process once ``session`` commits."""
    if not session.info.get(_WAKE_PENDING):
        session.info[_WAKE_PENDING] = True
        sa_event.listen(session, "after_commit", _notify_after_commit, once=True)


def _notify_after_commit(session: Session) -> None:
    session.info.pop(_WAKE_PENDING, None)
    for callback in list(_listeners):
        callback()


__all__ = ["check_size", "enqueue", "on_enqueue", "remove_listener", "void_envelope"]
