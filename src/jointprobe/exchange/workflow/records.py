"""What the workflow writes besides messages: the referral timeline and case notes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.accounts.service import create_user
from jointprobe.cases import EventIn, add_event
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


def case_note(
    session: Session, referral: Referral, title: str, event: EventIn | None = None
) -> None:
    """Write ``event`` (or a note titled ``title``) into the referral's case, if linked."""
    if not referral.case_id:
        return
    actor = system_user(session)
    add_event(session, actor, referral.case_id, event or EventIn(kind="note", title=title[:500]))


__all__ = ["SYSTEM_USER", "add_timeline", "case_note", "system_user"]
