"""Trusted peers: added by card and operator-given fingerprint, with an agreement."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import Conflict, InvalidInput, NotFound
from jointprobe.exchange.card import CardUpdate, NodeCard, fingerprints_equal
from jointprobe.exchange.envelope import KINDS, Agreement, TrustedPeer
from jointprobe.exchange.errors import CardError
from jointprobe.exchange.markings import Tlp
from jointprobe.exchange.peerkeys import record_pinned, record_rotation
from jointprobe.exchange.tables import InboxEntry, OutboxEntry, Peer
from jointprobe.timeutil import UtcDatetime

DEFAULT_KINDS = tuple(k for k in KINDS if k != "receipt")


def _kinds(kinds: list[str]) -> list[str]:
    """Message kinds an operator allows in an agreement; an unknown one is InvalidInput."""
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise InvalidInput(f"unknown kinds in agreement: {sorted(unknown)}")
    return list(kinds)


def add_peer(
    session: Session,
    card_data: Any,
    fingerprint: str,
    *,
    kinds: list[str] | None = None,
    max_tlp: str = "AMBER",
    actor: str = "operator",
) -> Peer:
    """Trust a peer: the card must carry the fingerprint the operator was given."""
    card = NodeCard.from_dict(card_data)
    card.require_fingerprint(fingerprint)
    allowed = _kinds(kinds or list(DEFAULT_KINDS))
    tlp = Tlp.from_input(max_tlp)
    existing = session.get(Peer, card.node_id)
    if existing is not None:
        raise Conflict(f"peer {card.node_id} is already trusted; use `peer update` to rotate")
    peer = Peer(
        node_id=card.node_id,
        name=card.name,
        country=card.country,
        endpoint=card.endpoint,
        card=card.to_dict(),
        fingerprint=card.fingerprint,
        revoked=[],
        allowed_kinds=allowed,
        max_tlp=tlp.value,
        active=True,
        out_seq=0,
        in_seq=0,
        failures=0,
        batch_limit=500,
    )
    session.add(peer)
    session.flush()
    record_pinned(session, card)
    record(
        session,
        actor,
        "create",
        "peer",
        card.node_id,
        {"fingerprint": card.fingerprint, "kinds": allowed, "max_tlp": tlp.value},
    )
    return peer


def set_agreement(
    session: Session,
    node_id: str,
    *,
    kinds: list[str] | None = None,
    max_tlp: str | None = None,
    actor: str = "operator",
) -> Peer:
    peer = get_peer(session, node_id)
    if kinds is not None:
        peer.allowed_kinds = _kinds(kinds)
    if max_tlp is not None:
        peer.max_tlp = Tlp.from_input(max_tlp).value
    record(session, actor, "update", "peer", node_id, {"kinds": kinds, "max_tlp": max_tlp})
    return peer


def apply_card_update(session: Session, data: Any, *, actor: str = "operator") -> Peer:
    """Rotate a peer's keys: the update must be signed by the key we trust now.

    The replaced signing key stays in the peer's key history (for its audit
    anchors only); envelopes signed with it are refused from now on.
    """
    update = CardUpdate.from_dict(data)
    peer = get_peer(session, update.card.node_id)
    old_card = NodeCard.from_dict(peer.card)
    new_card = update.verify(old_card)
    record_rotation(session, old_card, new_card)
    old = peer.fingerprint
    peer.card = new_card.to_dict()
    peer.fingerprint = new_card.fingerprint
    peer.endpoint = new_card.endpoint
    if fingerprints_equal(old, new_card.fingerprint):  # same keys (a new endpoint or name)
        record(session, actor, "update", "peer", peer.node_id, {"card": "same keys"})
        return peer
    peer.revoked = [*peer.revoked, old]
    record(session, actor, "update", "peer", peer.node_id, {"rotated_from": old})
    return peer


def revoke_peer(session: Session, node_id: str, *, actor: str = "operator") -> Peer:
    """Stop trusting a peer's current key (it must send a new card to be trusted again)."""
    peer = get_peer(session, node_id)
    peer.revoked = [*peer.revoked, peer.fingerprint]
    peer.active = False
    record(session, actor, "update", "peer", node_id, {"revoked": peer.fingerprint})
    return peer


def get_peer(session: Session, node_id: str) -> Peer:
    peer = session.get(Peer, node_id)
    if peer is None:
        raise NotFound(f"no peer {node_id!r}")
    return peer


def list_peers(session: Session) -> list[Peer]:
    return list(session.scalars(select(Peer).order_by(Peer.node_id)))


_CARDS: dict[str, NodeCard] = {}
_CARDS_MAX = 1024


def card_of(data: Any) -> NodeCard:
    """``NodeCard.from_dict`` (self-signature checked), remembered by the card's exact content.

    A card that parsed and verified once parses and verifies the same way
    again; only cards that pass are remembered, so a bad card is refused each
    time it is seen.
    """
    try:
        key = json.dumps(data, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return NodeCard.from_dict(data)
    card = _CARDS.get(key)
    if card is None:
        card = NodeCard.from_dict(data)
        if len(_CARDS) >= _CARDS_MAX:
            _CARDS.clear()
        _CARDS[key] = card
    return card


def trusted(peer: Peer) -> TrustedPeer | None:
    """The peer as the envelope checks see it; ``None`` if it is not active."""
    if not peer.active:
        return None
    return trusted_from(peer.card, peer.allowed_kinds, peer.max_tlp, peer.revoked)


def trusted_from(card: Any, kinds: Any, max_tlp: str, revoked: Any) -> TrustedPeer | None:
    """:func:`trusted` from an active peer's columns (as a statement returned them)."""
    try:
        parsed = card_of(card)
    except CardError:
        return None
    agreement = Agreement(frozenset(kinds), Tlp.parse(max_tlp))
    return TrustedPeer(parsed, agreement, frozenset(revoked or ()))


def revoked_only(peer: Peer) -> TrustedPeer | None:
    """A revoked peer still answers 'revoked key' rather than 'unknown sender'."""
    if peer.active:
        return trusted(peer)
    card = card_of(peer.card)
    return TrustedPeer(card, Agreement(frozenset()), frozenset(peer.revoked))


#: Who sees the exchange channels' state (API, dashboard): those who run or use them.
CHANNEL_ROLES = ("admin", "supervisor", "liaison")


def may_see_channels(role: str) -> bool:
    """May a user of ``role`` see per-peer delivery state (counts, errors, held messages)?"""
    return role in CHANNEL_ROLES


@dataclass(frozen=True)
class PeerStatus:
    node_id: str
    name: str
    endpoint: str
    fingerprint: str
    queued: int
    delivered: int
    #: refused by the peer with a code (the reason is on each message)
    rejected: int
    failing_since: UtcDatetime | None
    last_error: str | None
    last_delivered_at: UtcDatetime | None
    next_attempt_at: UtcDatetime | None
    #: given up after repeated answers that did not accept them: an operator retries or drops
    parked: int = 0
    dropped: int = 0
    #: ours the peer recorded but holds, waiting for an earlier one (its last receipt)
    held_by_peer: int = 0
    #: theirs this node holds, waiting for ``waiting_for`` (their next sequence number)
    holding: int = 0
    waiting_for: int | None = None
    holding_since: UtcDatetime | None = None

    @property
    def wedged(self) -> bool:
        """Does a message wait in either direction for one that has not arrived?"""
        return self.holding > 0 or self.held_by_peer > 0


def peer_status(session: Session) -> list[PeerStatus]:
    """Per peer: each outbound state, what either side holds, failing since, last error."""
    counts: dict[tuple[str, str], int] = {}
    rows = session.execute(
        select(OutboxEntry.peer_id, OutboxEntry.state, func.count()).group_by(
            OutboxEntry.peer_id, OutboxEntry.state
        )
    )
    for peer_id, state, count in rows:
        counts[(peer_id, state)] = count
    held_by_peer = dict(
        session.execute(  # type: ignore[arg-type]
            select(OutboxEntry.peer_id, func.count())
            .join(Peer, Peer.node_id == OutboxEntry.peer_id)
            .where(OutboxEntry.state == "delivered", OutboxEntry.seq > Peer.peer_applied_seq)
            .group_by(OutboxEntry.peer_id)
        ).all()
    )
    holding = {
        sender: (count, since)
        for sender, count, since in session.execute(
            select(InboxEntry.sender, func.count(), func.min(InboxEntry.received_at))
            .where(InboxEntry.state == "held")
            .group_by(InboxEntry.sender)
        )
    }
    return [
        PeerStatus(
            node_id=p.node_id,
            name=p.name,
            endpoint=p.endpoint,
            fingerprint=p.fingerprint,
            queued=counts.get((p.node_id, "queued"), 0),
            delivered=counts.get((p.node_id, "delivered"), 0),
            rejected=counts.get((p.node_id, "refused"), 0),
            failing_since=p.failing_since,
            last_error=p.last_error,
            last_delivered_at=p.last_delivered_at,
            next_attempt_at=p.next_attempt_at,
            parked=counts.get((p.node_id, "parked"), 0),
            dropped=counts.get((p.node_id, "dropped"), 0),
            held_by_peer=held_by_peer.get(p.node_id, 0),
            holding=holding.get(p.node_id, (0, None))[0],
            waiting_for=p.in_seq + 1 if p.node_id in holding else None,
            holding_since=holding.get(p.node_id, (0, None))[1],
        )
        for p in list_peers(session)
    ]


__all__ = [
    "CHANNEL_ROLES",
    "DEFAULT_KINDS",
    "PeerStatus",
    "add_peer",
    "apply_card_update",
    "card_of",
    "get_peer",
    "list_peers",
    "may_see_channels",
    "peer_status",
    "revoke_peer",
    "set_agreement",
    "trusted",
    "trusted_from",
]
