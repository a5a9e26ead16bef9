"""What the workflow writes besides messages: the referral timeline and case notes.

What arrives keeps the marking it came with (:func:`arrived_marking`) in every
case event written from it (:func:`marked`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.accounts.service import create_user
from jointprobe.cases import EventIn, add_event
from jointprobe.errors import InvalidInput
from jointprobe.exchange.markings import Marking, marking_to_store
from jointprobe.exchange.payloads import Body, MarkingField
from jointprobe.exchange.tables import Referral, ReferralEvent
from jointprobe.store.tables import User
from jointprobe.timeutil import utcnow

SYSTEM_USER = "exchange"


def add_timeline(
    session: Session,
    referral_id: str,
    peer_id: str,
    message_id: str | None,
    kind: str,
    summary: str,
    body: dict[str, Any] | None = None,
) -> None:
    """Append one entry to a referral's timeline."""
    session.add(
        ReferralEvent(
            referral_id=referral_id, peer_id=peer_id, message_id=message_id, kind=kind,
            at=utcnow(), summary=summary[:4000], body=body or {},
        )
    )  # fmt: skip


def system_user(session: Session) -> User:
    """The account under which arriving messages write into case timelines."""
    user = session.scalar(select(User).where(User.username == SYSTEM_USER))
    if user is None:
        user = create_user(
            session, SYSTEM_USER, "supervisor", display_name="Federated exchange (system)"
        )
    return user


def arrived_marking(body: Body, *, sender: str, answered: Referral | None = None) -> Marking:
    """The marking of what a peer sent, as it came.

    A body without a marking of its own (an acknowledgement) is held at least as
    strictly as the referral it answers: that referral's TLP, use and expiry,
    originated by the sender, with no onward consent.
    """
    own = getattr(body, "marking", None)
    if isinstance(own, MarkingField):
        return own.parsed()
    if answered is None:
        raise InvalidInput("a message without a marking must answer a referral")
    base = Marking.from_dict(answered.marking)
    return replace(base, originator=sender, consent=frozenset(), grading=None)


def marked(marking: Marking) -> dict[str, Any]:
    """The marking fields of a case event (``EventIn``) written from a received item."""
    tlp, handling, grading = marking_to_store(marking)
    return {"tlp": tlp, "handling": handling, "grading": grading}


def received_note(title: str, marking: Marking, details: dict[str, Any] | None = None) -> EventIn:
    """A case note for something a peer sent, under the marking it came with."""
    details = {**(details or {}), "via": "exchange"}
    return EventIn(kind="note", title=title[:500], details=details, **marked(marking))


def case_note(session: Session, referral: Referral, event: EventIn) -> None:
    """Write ``event`` into the referral's case, if the referral is linked to one."""
    if not referral.case_id:
        return
    add_event(session, system_user(session), referral.case_id, event)


__all__ = [
    "SYSTEM_USER",
    "add_timeline",
    "arrived_marking",
    "case_note",
    "marked",
    "received_note",
    "system_user",
]
