"""How fast each partner answers, and how fast we answer them, from the referral timelines.

Per referral (and RFI) row, with ``created_at`` as the start: hours to the
first acknowledgement, the first status report and the first outcome (an RFI's
first answer counts as its outcome); whether it was answered by its due date;
whether it is overdue now. "Answered" means a first outcome, or a decline.
"Overdue" is the node's one rule, :func:`jointprobe.exchange.workflow.is_overdue`.

Direction is the referral's as this node sees it: ``out`` (we asked; the
partner answers) or ``in`` (the partner asked; we answer).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.analytics.periods import DateRange, percentile, quarter
from jointprobe.exchange.tables import Referral, ReferralEvent
from jointprobe.exchange.workflow import is_overdue, visible_referrals
from jointprobe.store.tables import User
from jointprobe.timeutil import as_utc, utcnow

ANSWER_KINDS = ("outcome", "rfi-response")
DIRECTION_LABELS = {"out": "they answer us", "in": "we answer them"}


@dataclass(frozen=True)
class ReferralTimes:
    """One referral row's milestones, in hours from its creation (None: not yet)."""

    referral_id: str
    peer_id: str
    direction: str
    type: str
    quarter: str
    case_id: str | None
    ack_hours: float | None
    status_hours: float | None
    outcome_hours: float | None
    #: True/False once it was answered or its due date passed; None while neither
    within_due: bool | None
    overdue: bool


@dataclass
class Responsiveness:
    """Figures for one partner, direction, kind (referral or RFI) and quarter."""

    peer_id: str
    direction: str
    type: str
    quarter: str
    times: list[ReferralTimes] = field(default_factory=list)

    def _hours(self, name: str) -> list[float]:
        values = (getattr(t, name) for t in self.times)
        return [v for v in values if v is not None]

    def median(self, name: str) -> float | None:
        return percentile(self._hours(name), 50)

    def p90(self, name: str) -> float | None:
        return percentile(self._hours(name), 90)

    @property
    def count(self) -> int:
        return len(self.times)

    @property
    def due_decided(self) -> int:
        return sum(1 for t in self.times if t.within_due is not None)

    @property
    def answered_within_due(self) -> int:
        return sum(1 for t in self.times if t.within_due)

    @property
    def within_due_share(self) -> float | None:
        decided = self.due_decided
        return self.answered_within_due / decided if decided else None

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.times if t.overdue)


def _hours(start: datetime, end: datetime | None) -> float | None:
    if end is None:
        return None
    return max((as_utc(end) - as_utc(start)).total_seconds(), 0.0) / 3600


def _first(events: list[ReferralEvent], kinds: tuple[str, ...]) -> datetime | None:
    times = [as_utc(e.at) for e in events if e.kind in kinds]
    return min(times) if times else None


def _timelines(
    session: Session, rows: list[Referral]
) -> dict[tuple[str, str], list[ReferralEvent]]:
    out: dict[tuple[str, str], list[ReferralEvent]] = defaultdict(list)
    ids = sorted({row.id for row in rows})
    for start in range(0, len(ids), 500):
        query = select(ReferralEvent).where(ReferralEvent.referral_id.in_(ids[start : start + 500]))
        for event in session.scalars(query):
            out[(event.referral_id, event.peer_id)].append(event)
    return out


def within_due(referral: Referral, answered_at: datetime | None, now: datetime) -> bool | None:
    """Answered by the due date (True), not (False), or not decided yet (None)."""
    if referral.due is None:
        return None
    due = as_utc(referral.due)
    if answered_at is not None:
        return answered_at <= due
    return False if due < now else None


def referral_times(referral: Referral, events: list[ReferralEvent], now: datetime) -> ReferralTimes:
    """The milestones of one referral row from its timeline."""
    ack = _first(events, ("ack",))
    outcome = _first(events, ANSWER_KINDS)
    answered = outcome or (ack if referral.state == "declined" else None)
    return ReferralTimes(
        referral_id=referral.id,
        peer_id=referral.peer_id,
        direction=referral.direction,
        type=referral.type,
        quarter=quarter(as_utc(referral.created_at)),
        case_id=referral.case_id,
        ack_hours=_hours(referral.created_at, ack),
        status_hours=_hours(referral.created_at, _first(events, ("status",))),
        outcome_hours=_hours(referral.created_at, outcome),
        within_due=within_due(referral, answered, now),
        overdue=is_overdue(referral, now),
    )


def responsiveness(
    session: Session, user: User, period: DateRange | None = None, now: datetime | None = None
) -> list[Responsiveness]:
    """Per partner, direction, kind and quarter, over the referrals ``user`` may see
    that were created in ``period`` (default: all)."""
    now = as_utc(now or utcnow())
    rows = [
        r
        for r in visible_referrals(session, user)
        if period is None or as_utc(r.created_at).date() in period
    ]
    timelines = _timelines(session, rows)
    groups: dict[tuple[str, str, str, str], Responsiveness] = {}
    for row in rows:
        times = referral_times(row, timelines.get((row.id, row.peer_id), []), now)
        key = (row.peer_id, row.direction, row.type, times.quarter)
        groups.setdefault(key, Responsiveness(*key)).times.append(times)
    return [groups[key] for key in sorted(groups)]


def overdue_now(session: Session, user: User, now: datetime | None = None) -> list[Referral]:
    """The referrals ``user`` may see that are overdue at ``now`` (the node's one rule)."""
    return visible_referrals(session, user, overdue_at=as_utc(now or utcnow()))


__all__ = [
    "DIRECTION_LABELS",
    "ReferralTimes",
    "Responsiveness",
    "overdue_now",
    "referral_times",
    "responsiveness",
    "within_due",
]
