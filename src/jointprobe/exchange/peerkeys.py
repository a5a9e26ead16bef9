"""The signing keys each peer's pinned card has had, kept for checking its audit anchors.

A peer that rotates its keys signs its later anchors with the new key, but the
anchors it handed over before still carry the old one. This node keeps every
signing key it pinned or accepted through a verified card update for a peer,
with when it was accepted and when a card update replaced it
(``exchange_peer_keys``, migration 0006).

Only audit-anchor checks (``audit check-anchor --peer``) read this history.
Envelopes and card updates verify against the current card alone: a
superseded key never authenticates a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import Conflict, InvalidInput, NotFound
from jointprobe.exchange.card import NodeCard, fingerprints_equal
from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.tables import Peer, PeerKey
from jointprobe.exchange.wire import b64d, b64e
from jointprobe.store.tables import AuditEntry
from jointprobe.timeutil import as_utc, utcnow


@dataclass(frozen=True, slots=True)
class HistoricKey:
    """One signing key of a peer, as this node accepted it."""

    peer_id: str
    sign_public: bytes
    fingerprint: str
    source: str
    accepted_at: datetime
    superseded_at: datetime | None

    @property
    def current(self) -> bool:
        return self.superseded_at is None


def record_pinned(session: Session, card: NodeCard, *, at: datetime | None = None) -> None:
    """A peer was trusted with ``card`` (``peer add``): its key starts the history."""
    _accept(session, card, "pinned", at or utcnow())


def record_rotation(
    session: Session, old: NodeCard, new: NodeCard, *, at: datetime | None = None
) -> None:
    """A verified card update replaced ``old`` with ``new``: keep the old key, mark it superseded.

    An old key missing from the history (a row lost or never written) is added
    now, so the history never lacks a key this node trusted. An update that
    keeps the signing key (a new endpoint, a new box key) supersedes nothing.
    """
    when = at or utcnow()
    if new.sign_public == old.sign_public:
        row = _row(session, old.node_id, old.sign_public)
        if row is None:
            _accept(session, new, "card-update", when)
        else:
            row.fingerprint = new.fingerprint
        return
    previous = _row(session, old.node_id, old.sign_public)
    if previous is None:
        previous = _accept(session, old, "card-update", when)
    if previous.superseded_at is None:
        previous.superseded_at = when
    _accept(session, new, "card-update", when)


def _accept(session: Session, card: NodeCard, source: str, at: datetime) -> PeerKey:
    row = _row(session, card.node_id, card.sign_public)
    if row is None:
        row = PeerKey(
            peer_id=card.node_id,
            sign_public=b64e(card.sign_public),
            fingerprint=card.fingerprint,
            source=source,
            accepted_at=at,
        )
        session.add(row)
    else:  # a key the peer had before comes back: accepted again, from now
        row.fingerprint, row.source, row.accepted_at = card.fingerprint, source, at
        row.superseded_at = None
    session.flush()
    return row


def _row(session: Session, peer_id: str, sign_public: bytes) -> PeerKey | None:
    query = select(PeerKey).where(
        PeerKey.peer_id == peer_id, PeerKey.sign_public == b64e(sign_public)
    )
    return session.scalar(query)


def key_history(session: Session, peer_id: str) -> list[HistoricKey]:
    """Every signing key this node accepted for ``peer_id``, oldest first."""
    query = (
        select(PeerKey).where(PeerKey.peer_id == peer_id).order_by(PeerKey.accepted_at, PeerKey.id)
    )
    keys = []
    for row in session.scalars(query):
        try:
            sign = b64d(row.sign_public, field="sign_public", length=32)
        except MalformedEnvelope:
            continue  # a damaged row vouches for nothing
        keys.append(
            HistoricKey(
                peer_id=row.peer_id,
                sign_public=sign,
                fingerprint=row.fingerprint,
                source=row.source,
                accepted_at=as_utc(row.accepted_at),
                superseded_at=as_utc(row.superseded_at) if row.superseded_at else None,
            )
        )
    return keys


def add_old_key(session: Session, card_data: Any, *, actor: str = "operator") -> HistoricKey:
    """Put back a key this node once trusted for a peer but kept only as a fingerprint.

    Nodes upgraded to migration 0006 lost the keys a peer had before (only
    their fingerprints were kept); 0011 recovered those that came in card-update
    notices. For the rest (the first pinned key, updates applied from a file)
    the partner hands over the old card: it must be self-signed, and its
    fingerprint must be one this node revoked when a rotation replaced it (the
    audit log says when). A key an operator revoked is never put back.
    """
    card = NodeCard.from_dict(card_data)
    peer = session.get(Peer, card.node_id)
    if peer is None:
        raise NotFound(f"no peer {card.node_id!r}")
    if not any(fingerprints_equal(card.fingerprint, old) for old in peer.revoked or []):
        raise InvalidInput(f"{card.fingerprint} was never replaced by a rotation of "
                           f"{card.node_id} here: not a key this node trusted")  # fmt: skip
    if _row(session, card.node_id, card.sign_public) is not None:
        raise Conflict(f"{card.fingerprint} is already in the key history of {card.node_id}")
    pinned, replaced = _audited_times(session, card)
    if replaced is None:
        raise InvalidInput(f"{card.fingerprint} was revoked by an operator, not replaced by a "
                           "rotation: it cannot vouch for anchors")  # fmt: skip
    row = PeerKey(peer_id=card.node_id, sign_public=b64e(card.sign_public),
                  fingerprint=card.fingerprint, source="operator",
                  accepted_at=pinned or as_utc(peer.added_at), superseded_at=replaced)  # fmt: skip
    session.add(row)
    session.flush()
    record(session, actor, "update", "peer", card.node_id,
           {"key_history_added": card.fingerprint})  # fmt: skip
    return next(k for k in key_history(session, card.node_id) if k.fingerprint == card.fingerprint)


def _audited_times(session: Session, card: NodeCard) -> tuple[datetime | None, datetime | None]:
    """When the audit log says ``card``'s key was pinned (``peer add``) and replaced."""
    pinned = replaced = None
    query = select(AuditEntry.at, AuditEntry.action, AuditEntry.detail).where(
        AuditEntry.object_type == "peer", AuditEntry.object_id == card.node_id
    )
    for at, action, detail in session.execute(query):
        if not isinstance(detail, dict):
            continue
        when = as_utc(datetime.fromisoformat(at))
        named = detail.get("fingerprint") if action == "create" else detail.get("rotated_from")
        if isinstance(named, str) and fingerprints_equal(named, card.fingerprint):
            if action == "create":
                pinned = when
            else:
                replaced = when
    return pinned, replaced


__all__ = ["HistoricKey", "add_old_key", "key_history", "record_pinned", "record_rotation"]
