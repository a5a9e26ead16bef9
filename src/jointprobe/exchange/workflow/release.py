"""Markings of what this node sends, and the release check before anything is queued."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Marking, Tlp, Use, may_release
from jointprobe.exchange.payloads import MarkingField
from jointprobe.exchange.peers import get_peer
from jointprobe.exchange.wire import format_time
from jointprobe.exchange.workflow.forms import ReferralIn


def referral_marking(keys: NodeKeys, data: ReferralIn, grading: str | None = None) -> Marking:
    """The marking of a referral (or of one of its selectors, with its own grading)."""
    return Marking.from_dict(
        {
            "tlp": data.tlp,
            "originator": keys.node_id,
            "use": data.use,
            "consent": data.consent,
            "expires": format_time(data.expires) if data.expires else None,
            "grading": grading or data.grading,
        }
    )


def require_release(
    marking: Marking, session: Session, keys: NodeKeys, peer_id: str, now: datetime
) -> None:
    """Raise :class:`MarkingForbidden` unless ``marking`` may go to ``peer_id``."""
    peer = get_peer(session, peer_id)
    decision = may_release(
        marking, peer_id, holder=keys.node_id, now=now, max_tlp=Tlp.parse(peer.max_tlp)
    )
    if not decision:
        raise MarkingForbidden(f"cannot send to {peer_id}: {decision.reason}")


def released_marking(
    session: Session,
    keys: NodeKeys,
    peer_ids: list[str],
    now: datetime,
    *,
    tlp: str,
    use: str = "intelligence",
) -> MarkingField:
    """This node's marking for a message, checked for release to every peer in ``peer_ids``."""
    marking = Marking(Tlp.parse(tlp), keys.node_id, Use(use), frozenset(), None, None)
    for peer_id in peer_ids:
        require_release(marking, session, keys, peer_id, now)
    return MarkingField.of(marking)


__all__ = ["referral_marking", "released_marking", "require_release"]
