"""Factories for the analytics tests: referral rows with timelines, seizures in a case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from jointprobe.cases import EventIn, add_event
from jointprobe.exchange.tables import Referral, ReferralEvent
from jointprobe.store.tables import User

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
MARKING = {"tlp": "AMBER", "originator": "us-test"}


def referral(
    session: Session,
    rid: str,
    *,
    peer: str = "cn-mps",
    direction: str = "out",
    created: datetime,
    due: datetime | None = None,
    state: str = "sent",
    case_id: str | None = "c",
    type: str = "referral",
    timeline: dict[str, float] | None = None,
) -> Referral:
    """A referral row; ``timeline`` maps a kind (ack, status, outcome) to hours after creation."""
    row = Referral(
        id=rid, peer_id=peer, direction=direction, title=rid, state=state, items=[],
        marking=MARKING, due=due, created_at=created, case_id=case_id, type=type,
    )  # fmt: skip
    session.add(row)
    for kind, hours in (timeline or {}).items():
        at = created + timedelta(hours=hours)
        session.add(ReferralEvent(referral_id=rid, peer_id=peer, kind=kind, at=at, summary=kind))
    return row


def seizure(
    session: Session, user: User, case_id: str, day: date, substance: str, **fields: Any
) -> None:
    data: dict[str, Any] = {"quantity": Decimal("100"), "unit": "g", **fields}
    add_event(
        session,
        user,
        case_id,
        EventIn(kind="seizure", occurred_on=day, substance=substance, **data),
    )
