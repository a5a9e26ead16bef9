"""Exchange tables on the node store's metadata (migrations 0002_exchange, 0006).

Peers with their pinned cards and agreements, every signing key each peer's
card has had, the durable outbox, the idempotent inbox, receipts, and the
referral workflow with its timeline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jointprobe.store.tables import Base
from jointprobe.timeutil import utcnow


class Peer(Base):
    """A trusted peer node: pinned card, agreement, sequence counters, delivery state."""

    __tablename__ = "exchange_peers"
    node_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(8))
    endpoint: Mapped[str] = mapped_column(String(500))
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64))
    revoked: Mapped[list[Any]] = mapped_column(JSON, default=list)
    allowed_kinds: Mapped[list[Any]] = mapped_column(JSON)
    max_tlp: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    out_seq: Mapped[int] = mapped_column(Integer, default=0)
    in_seq: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    batch_limit: Mapped[int] = mapped_column(Integer, default=500)
    #: The peer's last applied sequence number of ours, as its latest receipt said.
    peer_applied_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PeerKey(Base):
    """A signing key a peer's pinned card had: when this node accepted it, when it was replaced.

    Only audit-anchor checks read this history; envelopes verify against the
    current card alone.
    """

    __tablename__ = "exchange_peer_keys"
    __table_args__ = (UniqueConstraint("peer_id", "sign_public", name="uq_peer_keys_peer_sign"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_id: Mapped[str] = mapped_column(ForeignKey("exchange_peers.node_id"))
    #: The Ed25519 public key, base64url without padding.
    sign_public: Mapped[str] = mapped_column(String(64))
    #: The fingerprint of the card that carried it (node id, signing and box key).
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: How it came: ``pinned`` (peer add), ``card-update`` (a verified rotation), ``backfill``.
    source: Mapped[str] = mapped_column(String(16))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxEntry(Base):
    """One message for one peer, queued in the transaction that produced it.

    ``state`` ends in exactly one of ``delivered`` (the peer recorded it),
    ``refused`` (the peer refused it with a code), ``parked`` (given up after
    ``delivery_max_failures`` answers that did not accept it; an operator
    retries or drops it) or ``dropped`` (by an operator). A refused message the
    peer could not record, and a dropped one, are withdrawn: the ``void_*``
    columns hold the signed ``void`` message that takes their sequence slot.
    """

    __tablename__ = "exchange_outbox"
    __table_args__ = (
        UniqueConstraint("peer_id", "seq", name="uq_outbox_peer_seq"),
        UniqueConstraint("peer_id", "message_id", name="uq_outbox_peer_message"),
        Index("ix_outbox_peer_state_seq", "peer_id", "state", "seq"),
        # covers the deliverer's "what is pending" test (lease.pending), so it never reads
        # a row's envelope to decide: SQLite reaches columns stored after a multi-MB
        # envelope only through its overflow pages (migration 0015)
        Index("ix_outbox_pending", "peer_id", "state", "void_at", "void_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(32), index=True)
    peer_id: Mapped[str] = mapped_column(ForeignKey("exchange_peers.node_id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    envelope: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Answers from the peer that did not accept this message (towards parking it).
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    void_id: Mapped[str | None] = mapped_column(String(32))
    void_digest: Mapped[str | None] = mapped_column(String(64))
    void_envelope: Mapped[str | None] = mapped_column(Text)
    #: When the peer recorded the void (the slot is then settled on both sides).
    void_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_receipts.id"))


class Receipt(Base):
    """A signed receipt as received: the proof of delivery of a batch."""

    __tablename__ = "exchange_receipts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_id: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    envelope: Mapped[str] = mapped_column(Text)


class InboxEntry(Base):
    """A message received from a peer: recorded once, applied once, in sequence order."""

    __tablename__ = "exchange_inbox"
    __table_args__ = (
        UniqueConstraint("sender", "message_id", name="uq_inbox_sender_message"),
        UniqueConstraint("sender", "seq", name="uq_inbox_sender_seq"),
        Index("ix_inbox_sender_state_seq", "sender", "state", "seq"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(String(32), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    envelope: Mapped[str] = mapped_column(Text)


class Referral(Base):
    """A referral or request for information, seen from this node, per counterpart."""

    __tablename__ = "exchange_referrals"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    peer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(16), default="referral")
    direction: Mapped[str] = mapped_column(String(3))
    case_id: Mapped[str | None] = mapped_column(String(64), index=True)
    remote_case_ref: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300))
    narrative: Mapped[str] = mapped_column(Text, default="")
    requested_action: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    marking: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReferralEvent(Base):
    """The timeline of a referral: sent, acknowledged, statuses, outcomes, answers."""

    __tablename__ = "exchange_referral_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(String(32), index=True)
    peer_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


__all__ = ["InboxEntry", "OutboxEntry", "Peer", "PeerKey", "Receipt", "Referral", "ReferralEvent"]
