"""Markings of what this node sends, and the release check before anything is queued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from jointprobe.errors import InvalidInput
from jointprobe.exchange import markings
from jointprobe.exchange.errors import MalformedEnvelope, MarkingForbidden
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import ANY_PEER, Grading, Marking, Tlp, Use
from jointprobe.exchange.payloads import MarkingField
from jointprobe.exchange.peers import get_peer
from jointprobe.exchange.wire import check_node_id, format_time, parse_time
from jointprobe.exchange.workflow.forms import ReferralIn


def referral_marking(keys: NodeKeys, data: ReferralIn, grading: str | None = None) -> Marking:
    """The marking of a referral (or of one of its selectors, with its own grading).

    What the user wrote is local input: a bad part is :class:`InvalidInput`.
    """
    grade = grading or data.grading
    try:
        return Marking(
            tlp=Tlp.from_input(data.tlp),
            originator=keys.node_id,
            use=Use(data.use),
            consent=frozenset(_consent(data.consent)),
            expires=_as_sent(data.expires) if data.expires else None,
            grading=Grading.from_input(grade) if grade else None,
        )
    except MalformedEnvelope as exc:
        raise InvalidInput(exc.message) from None


def _as_sent(moment: datetime) -> datetime:
    """A time as it travels (UTC, milliseconds), so the check here is the peer's check."""
    return parse_time(format_time(moment), field="expires")


def _consent(nodes: list[str]) -> list[str]:
    return [n if n == ANY_PEER else check_node_id(n, field="consent") for n in nodes]


def require_release_to_peer(
    marking: Marking, session: Session, keys: NodeKeys, peer_id: str, now: datetime
) -> None:
    """Raise :class:`MarkingForbidden` unless ``marking`` may go to ``peer_id`` under
    our agreement with it (``markings.require_release`` decides)."""
    peer = get_peer(session, peer_id)
    try:
        markings.require_release(
            marking, peer_id, holder=keys.node_id, now=now, max_tlp=Tlp.parse(peer.max_tlp)
        )
    except MarkingForbidden as exc:
        raise MarkingForbidden(f"cannot send to {peer_id}: {exc.message}") from None


def released_marking(
    session: Session,
    keys: NodeKeys,
    peer_ids: list[str],
    now: datetime,
    *,
    tlp: str,
    use: str = "intelligence",
) -> MarkingField:
    """This node's marking for a message, checked for release to every peer in ``peer_ids``.

    ``tlp`` and ``use`` are local input: a bad one is :class:`InvalidInput` (422).
    """
    if use not in {u.value for u in Use}:
        raise InvalidInput(f"use must be one of {', '.join(u.value for u in Use)}")
    marking = Marking(Tlp.from_input(tlp), keys.node_id, Use(use), frozenset(), None, None)
    for peer_id in peer_ids:
        require_release_to_peer(marking, session, keys, peer_id, now)
    return MarkingField.of(marking)


__all__ = ["referral_marking", "released_marking", "require_release_to_peer"]
