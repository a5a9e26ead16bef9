"""Cooperation figures from case events: the referral → conviction funnel per case.

What counts towards which stage, and how many an event stands for, is the
analytics' rule (:mod:`jointprobe.analytics.funnel`); the funnel over time per
partner and quarter is there too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from jointprobe.analytics.funnel import STAGE_LABELS, STAGES, stage_of, weight
from jointprobe.cases.events import list_events
from jointprobe.cases.service import list_cases
from jointprobe.store.tables import User


@dataclass
class Funnel:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    at_least: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(STAGES, False))
    per_case: dict[str, dict[str, int]] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, int, bool]]:
        return [(s, STAGE_LABELS[s], self.counts[s], self.at_least[s]) for s in STAGES]


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
