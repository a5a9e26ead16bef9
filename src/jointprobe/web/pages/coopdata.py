"""Cooperation figures from case events: the referral → conviction funnel per case.

Counts use an event's ``details.count`` (or ``count_at_least``) when it stands for
several (e.g. "more than 20 arrests"), else 1. A conviction is a court outcome
other than an acquittal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from jointprobe.cases.events import list_events
from jointprobe.cases.service import list_cases
from jointprobe.store.tables import CaseEvent, User

STAGES = ("referral", "investigation", "arrest", "conviction")
STAGE_LABELS = {
    "referral": "Referrals",
    "investigation": "Investigations",
    "arrest": "Arrests",
    "conviction": "Convictions",
}


@dataclass
class Funnel:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    at_least: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(STAGES, False))
    per_case: dict[str, dict[str, int]] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, int, bool]]:
        return [(s, STAGE_LABELS[s], self.counts[s], self.at_least[s]) for s in STAGES]


def stage_of(event: CaseEvent) -> str | None:
    if event.kind in ("referral", "investigation", "arrest"):
        return event.kind
    if event.kind == "court_outcome" and event.outcome != "acquitted":
        return "conviction"
    return None


def weight(event: CaseEvent) -> tuple[int, bool]:
    """How many the event stands for, and whether that is a lower bound."""
    details = event.details or {}
    for key, lower in (("count", False), ("count_at_least", True)):
        value = details.get(key)
        if isinstance(value, int) and value > 0:
            return value, lower
    return 1, False


def funnel(session: Session, user: User) -> Funnel:
    out = Funnel()
    for case in list_cases(session, user):
        mine = dict.fromkeys(STAGES, 0)
        for event in list_events(session, user, case.id):
            stage = stage_of(event)
            if stage is None:
                continue
            count, lower = weight(event)
            mine[stage] += count
            out.counts[stage] += count
            out.at_least[stage] = out.at_least[stage] or lower
        out.per_case[case.id] = mine
    return out
