"""The working-group report: what one reader may see, for one date range.

Built from the node's own events through the same need-to-know as every other
read (cases the reader may see, referrals the reader may see); the build is
recorded in the audit log with its range. Rendering is in
:mod:`~jointprobe.analytics.render`, charts in :mod:`~jointprobe.analytics.charts`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from jointprobe.analytics.aggregates import Key, count_cells, peer_aggregates, peer_markings
from jointprobe.analytics.balloon import origin_shifts
from jointprobe.analytics.funnel import FunnelCell, funnel_over_time
from jointprobe.analytics.periods import DateRange
from jointprobe.analytics.responsiveness import Responsiveness, overdue_now, responsiveness
from jointprobe.analytics.seizures import SeizureRecord, seizure_records
from jointprobe.analytics.shifts import BOOTSTRAP, ShiftAnalysis
from jointprobe.audit import record
from jointprobe.errors import InvalidInput
from jointprobe.exchange.tables import Referral
from jointprobe.store.tables import User
from jointprobe.timeutil import as_utc, utcnow

#: the longest range a report covers: the shift search's cost grows with the square of
#: the quarters searched, and a working group looks back years, not centuries
MAX_YEARS = 30


@dataclass
class Report:
    period: DateRange
    reader: str
    made_at: datetime
    responsiveness: list[Responsiveness] = field(default_factory=list)
    overdue: list[Referral] = field(default_factory=list)
    funnel: list[FunnelCell] = field(default_factory=list)
    seizures: list[SeizureRecord] = field(default_factory=list)
    shifts: dict[str, ShiftAnalysis] = field(default_factory=dict)
    #: counts partners shared with this node (``aggregates`` messages), per partner
    shared: dict[str, Counter[Key]] = field(default_factory=dict)
    #: the TLP each partner's aggregates came under
    shared_tlp: dict[str, str] = field(default_factory=dict)

    def sides(self) -> list[tuple[str, list[tuple[str, str, int]]]]:
        """Seizure counts by class and origin over the period: ours, then each partner's."""
        out = [("this node", _totals(count_cells(self.seizures)))]
        for peer, cells in sorted(self.shared.items()):
            out.append((f"{peer} (TLP:{self.shared_tlp.get(peer, 'AMBER')})", _totals(cells)))
        return out

    @property
    def empty(self) -> bool:
        """Nothing in the range (open overdue items are "now", not in the range)."""
        return not (self.responsiveness or self.funnel or self.seizures or self.shared)

    @property
    def fictional(self) -> bool:
        return any(r.fictional for r in self.seizures)


def build_report(
    session: Session,
    user: User,
    period: DateRange,
    *,
    now: datetime | None = None,
    resamples: int = BOOTSTRAP,
) -> Report:
    """Everything in the report for ``user`` over ``period`` (need-to-know applied).

    A range longer than :data:`MAX_YEARS` is refused (``InvalidInput``).
    """
    if (period.end - period.start).days > MAX_YEARS * 366:
        raise InvalidInput(f"a report covers at most {MAX_YEARS} years; narrow the range")
    now = as_utc(now or utcnow())
    report = Report(period, user.username, now)
    report.responsiveness = responsiveness(session, user, period, now)
    report.overdue = overdue_now(session, user, now)
    report.funnel = funnel_over_time(session, user, period)
    report.seizures = seizure_records(session, user, period)
    if report.seizures:
        report.shifts = origin_shifts(report.seizures, period, resamples=resamples)
    report.shared = peer_aggregates(session, period)
    report.shared_tlp = peer_markings(session)
    detail = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    record(session, user.username, "read", "report", "working-group", detail)
    return report


def _totals(cells: Counter[Key]) -> list[tuple[str, str, int]]:
    totals: Counter[tuple[str, str]] = Counter()
    for (_, cls, origin), count in cells.items():
        totals[(cls, origin)] += count
    return [(cls, origin, n) for (cls, origin), n in sorted(totals.items())]


__all__ = ["MAX_YEARS", "Report", "build_report"]
