"""Referrals as the pages show them, through the exchange's service functions.

A referral linked to a case is shown only to users who may see that case
(``list_cases``/``visible_case``); one not yet linked to a case (just
received) is in the liaison inbox (``workflow.can_see_referral``), as in the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.analytics.responsiveness import responsiveness
from jointprobe.cases.fold import Folded
from jointprobe.errors import JointprobeError
from jointprobe.exchange.tables import OutboxEntry, Referral, ReferralEvent
from jointprobe.exchange.workflow import (
    AboutReferral,
    Exchanged,
    answers,
    exchanged,
    fold_timeline,
    subject_of,
    timelines,
    visible_referral,
)
from jointprobe.exchange.workflow import visible_referrals as workflow_visible_referrals
from jointprobe.resolve.hits import Hit, find_hits, hits_for_entity
from jointprobe.store.tables import User


def visible_referrals(session: Session, user: User, direction: str | None = None) -> list[Referral]:
    return workflow_visible_referrals(session, user, direction=direction)


@dataclass
class Delivery:
    peer_id: str
    kind: str
    state: str
    attempts: int
    delivered_at: datetime | None
    last_error: str | None


@dataclass
class ReferralDetail:
    rows: list[Referral]
    events: list[ReferralEvent]
    deliveries: list[Delivery] = field(default_factory=list)
    about: AboutReferral = field(default_factory=AboutReferral)
    answers: list[Exchanged] = field(default_factory=list)
    subject: Referral | None = None

    @property
    def first(self) -> Referral:
        return self.rows[0]

    @property
    def conversation(self) -> list[Folded[ReferralEvent]]:
        """The timeline as shown (identical lines for numbered unnamed people folded)."""
        return fold_timeline(self.events)


def referral_detail(session: Session, user: User, referral_id: str) -> ReferralDetail:
    """One referral (a row per counterpart), its conversation and delivery per peer,
    its outcomes and RFIs (with answers), or, for an RFI, its answers."""
    rows = visible_referral(session, user, referral_id)
    detail = ReferralDetail(rows, timelines(session, rows))
    conversation = [referral_id] + [e.message_id for e in detail.events if e.message_id]
    query = select(OutboxEntry).where(
        OutboxEntry.message_id.in_(conversation),
        OutboxEntry.peer_id.in_([row.peer_id for row in rows]),
    )
    for entry in session.scalars(query.order_by(OutboxEntry.id)):
        detail.deliveries.append(
            Delivery(
                entry.peer_id,
                entry.kind,
                entry.state,
                entry.attempts,
                entry.delivered_at,
                entry.last_error,
            )
        )
    detail.about = exchanged(session, user, detail.rows)
    detail.answers = [a for row in detail.rows if row.type == "rfi" for a in answers(session, row)]
    if detail.first.type == "rfi":
        detail.subject = subject_of(session, user, detail.first)
    return detail


@dataclass
class PartnerFigures:
    peer_id: str
    sent: int = 0
    received: int = 0
    ack_hours: list[float] = field(default_factory=list)
    outcome_hours: list[float] = field(default_factory=list)

    @property
    def median_ack_hours(self) -> float | None:
        return median(self.ack_hours) if self.ack_hours else None

    @property
    def median_outcome_hours(self) -> float | None:
        return median(self.outcome_hours) if self.outcome_hours else None


def partner_figures(session: Session, user: User) -> list[PartnerFigures]:
    """Per partner: referrals sent and received, hours to ack and to first outcome.

    The times are the analytics' (:mod:`jointprobe.analytics.responsiveness`), so
    this page and the working-group report never disagree.
    """
    partners: dict[str, PartnerFigures] = {}
    for group in responsiveness(session, user):
        figures = partners.setdefault(group.peer_id, PartnerFigures(group.peer_id))
        for times in group.times:
            if times.direction == "out":
                figures.sent += 1
            else:
                figures.received += 1
            if times.ack_hours is not None:
                figures.ack_hours.append(times.ack_hours)
            if times.outcome_hours is not None:
                figures.outcome_hours.append(times.outcome_hours)
    return sorted(partners.values(), key=lambda f: f.peer_id)


@dataclass
class ItemHit:
    referral: Referral
    item: str
    hit: Hit


def _item_label(item: dict[str, Any]) -> str:
    selector = item.get("selector") or {}
    if selector:
        return f"{selector.get('type')}: {selector.get('value')}"
    entity = item.get("entity") or {}
    names = (entity.get("properties") or {}).get("name") or [entity.get("id", "?")]
    return f"{entity.get('schema', 'entity')}: {names[0]}"


def _hits_for_item(session: Session, user: User, item: dict[str, Any]) -> list[Hit]:
    try:
        if item.get("selector"):
            selector = item["selector"]
            return find_hits(
                session, user, str(selector.get("value", "")), kind=selector.get("type")
            )
        if item.get("entity"):
            return hits_for_entity(session, user, item["entity"])
    except JointprobeError:
        return []  # an item our normalisers cannot read matches nothing here
    return []


def referral_hits(session: Session, user: User, referral: Referral) -> list[ItemHit]:
    """Local entities (that this user may see) matching a received referral's items."""
    if referral.direction != "in":
        return []
    return [
        ItemHit(referral, _item_label(item), hit)
        for item in referral.items
        if isinstance(item, dict)
        for hit in _hits_for_item(session, user, item)
    ]


def recent_hits(
    session: Session, user: User, referrals: list[Referral], limit: int = 10
) -> list[ItemHit]:
    """Hits for the newest received referrals, for the dashboard."""
    out: list[ItemHit] = []
    for referral in [r for r in referrals if r.direction == "in"][:limit]:
        out.extend(referral_hits(session, user, referral))
    return out
