"""The referral → investigation → arrest → charge → conviction funnel, per partner and quarter.

From the case events a user may see. An event standing for several (e.g. "more
than 20 arrests") counts as its ``details.count``, or ``details.count_at_least``
as a lower bound (shown "≥"). A conviction is a court outcome other than an
acquittal. A case's partners are the counterparts of the referrals linked to it
(``(own)`` when none is); the quarter is the event's date (``undated`` without one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from jointprobe.analytics.periods import DateRange, quarter
from jointprobe.cases.events import list_events
from jointprobe.cases.service import list_cases
from jointprobe.exchange.workflow import visible_referrals
from jointprobe.store.tables import CaseEvent, User

STAGES = ("referral", "investigation", "arrest", "charge", "conviction")
STAGE_LABELS = {
    "referral": "Referrals",
    "investigation": "Investigations",
    "arrest": "Arrests",
    "charge": "Charges",
    "conviction": "Convictions",
}
OWN = "(own)"
UNDATED = "undated"


def stage_of(event: CaseEvent) -> str | None:
    """The funnel stage an event counts towards, if any."""
    if event.kind in ("referral", "investigation", "arrest", "charge"):
        return event.kind
    if event.kind == "court_outcome" and event.outcome != "acquitted":
        return "conviction"
    return None


def weight(event: CaseEvent) -> tuple[int, bool]:
    """How many the event stands for, and whether that is a lower bound."""
    details = event.details or {}
    for key, lower in (("count", False), ("count_at_least", True)):
        value = details.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value, lower
    return 1, False


@dataclass
class FunnelCell:
    """One partner and quarter: a count per stage, a lower-bound flag per stage."""

    partner: str
    quarter: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    at_least: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(STAGES, False))
    cases: set[str] = field(default_factory=set)

    def add(self, stage: str, count: int, lower: bool, case_id: str) -> None:
        self.counts[stage] += count
        self.at_least[stage] = self.at_least[stage] or lower
        self.cases.add(case_id)

    def shown(self, stage: str) -> str:
        """The count as shown: ``≥ 26`` for a lower bound."""
        return ("≥ " if self.at_least[stage] else "") + str(self.counts[stage])


def case_partners(session: Session, user: User) -> dict[str, list[str]]:
    """The counterparts of the referrals linked to each case (that ``user`` may see)."""
    out: dict[str, set[str]] = defaultdict(set)
    for referral in visible_referrals(session, user):
        if referral.case_id:
            out[referral.case_id].add(referral.peer_id)
    return {case_id: sorted(peers) for case_id, peers in out.items()}


def funnel_over_time(
    session: Session, user: User, period: DateRange | None = None
) -> list[FunnelCell]:
    """Funnel cells per partner and quarter, over the cases ``user`` may see.

    With ``period``, only dated events inside it count.
    """
    partners = case_partners(session, user)
    cells: dict[tuple[str, str], FunnelCell] = {}
    for case in list_cases(session, user):
        for event in list_events(session, user, case.id):
            stage = stage_of(event)
            if stage is None:
                continue
            if period is not None and (
                event.occurred_on is None or event.occurred_on not in period
            ):
                continue
            label = quarter(event.occurred_on) if event.occurred_on else UNDATED
            count, lower = weight(event)
            for partner in partners.get(case.id, [OWN]):
                cell = cells.setdefault((partner, label), FunnelCell(partner, label))
                cell.add(stage, count, lower, case.id)
    return [cells[key] for key in sorted(cells)]


__all__ = [
    "OWN",
    "STAGES",
    "STAGE_LABELS",
    "UNDATED",
    "FunnelCell",
    "case_partners",
    "funnel_over_time",
    "stage_of",
    "weight",
]
