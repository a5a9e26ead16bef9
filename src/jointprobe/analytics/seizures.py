"""Seizure trends: by substance class, origin, transit, destination, route, concealment, period.

Counts and weights are kept apart. Counts are the better trend indicator (one
large seizure moves a weight series more than a change in supply would).
Weights are bulk weights as seized, in kilograms, **not purity-adjusted**;
seizures reported by volume, tablets or units are counted but carry no weight.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from jointprobe.analytics.periods import DateRange, month, quarter
from jointprobe.analytics.substances import class_of_name, class_of_verdicts
from jointprobe.cases.events import list_events
from jointprobe.cases.service import list_cases
from jointprobe.store.tables import CaseEvent, User

UNKNOWN = "unknown"
KG_PER_UNIT = {
    "mg": Decimal("0.000001"),
    "g": Decimal("0.001"),
    "kg": Decimal(1),
    "t": Decimal(1000),
}
WEIGHT_NOTE = "bulk weight as seized, in kg, not purity-adjusted"
DIMENSIONS = ("class", "substance", "origin", "transit", "destination", "route", "concealment")
PERIODS: dict[str, Callable[[date], str]] = {
    "month": month,
    "quarter": quarter,
    "year": lambda day: str(day.year),
}


@dataclass(frozen=True)
class SeizureRecord:
    """One seizure as the analytics see it."""

    event_id: int
    case_id: str
    day: date
    substance: str
    substance_class: str
    origin: str
    transit: tuple[str, ...]
    destination: str
    route: str
    concealment: str
    kg: float | None
    fictional: bool
    source: str | None

    def values(self, dimension: str) -> tuple[str, ...]:
        """The record's value(s) on a dimension (a seizure may transit several countries)."""
        if dimension == "class":
            return (self.substance_class,)
        if dimension == "transit":
            return self.transit or (UNKNOWN,)
        return (str(getattr(self, dimension)),)


def kilograms(event: CaseEvent) -> float | None:
    """The event's bulk weight in kg, or None when it was not reported by mass."""
    factor = KG_PER_UNIT.get(event.unit or "")
    if event.quantity is None or factor is None:
        return None
    return float(Decimal(event.quantity) * factor)


def _record(event: CaseEvent, lab: CaseEvent | None) -> SeizureRecord | None:
    if event.occurred_on is None:
        return None
    classification = (lab.details or {}).get("classification") if lab else None
    if isinstance(classification, dict) and isinstance(classification.get("verdicts"), dict):
        cls = class_of_verdicts(classification["verdicts"])
    else:
        cls = class_of_name(event.substance)
    return SeizureRecord(
        event_id=event.id,
        case_id=event.case_id,
        day=event.occurred_on,
        substance=(event.substance or UNKNOWN).strip().lower(),
        substance_class=cls,
        origin=event.origin_country or UNKNOWN,
        transit=tuple(event.transit_countries or ()),
        destination=event.destination_country or UNKNOWN,
        route=event.route or UNKNOWN,
        concealment=event.concealment or UNKNOWN,
        kg=kilograms(event),
        fictional=bool(event.fictional),
        source=event.source,
    )


def seizure_records(
    session: Session, user: User, period: DateRange | None = None
) -> list[SeizureRecord]:
    """The dated seizures ``user`` may see (in ``period``), classed, oldest first."""
    out: list[SeizureRecord] = []
    for case in list_cases(session, user):
        events = list_events(session, user, case.id)
        labs = {e.related_event_id: e for e in events if e.kind == "lab_result"}
        for event in events:
            if event.kind != "seizure":
                continue
            if period is not None and (
                event.occurred_on is None or event.occurred_on not in period
            ):
                continue
            record = _record(event, labs.get(event.id))
            if record is not None:
                out.append(record)
    return sorted(out, key=lambda r: (r.day, r.event_id))


@dataclass
class Trend:
    """Counts and weights per period and value of one dimension."""

    dimension: str
    period: str
    counts: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    kg: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    without_weight: int = 0
    cases: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    fictional: bool = False

    @property
    def periods(self) -> list[str]:
        return sorted({p for p, _ in self.counts})

    @property
    def values(self) -> list[str]:
        totals: dict[str, int] = defaultdict(int)
        for (_, value), count in self.counts.items():
            totals[value] += count
        return sorted(totals, key=lambda v: (-totals[v], v))

    def count(self, period: str, value: str) -> int:
        return self.counts.get((period, value), 0)

    def matrix(self, periods: list[str], values: list[str]) -> list[list[int]]:
        """Counts as rows per period (gaps as zeros) and columns per value."""
        return [[self.count(p, v) for v in values] for p in periods]


def trend(records: Iterable[SeizureRecord], dimension: str, period: str = "month") -> Trend:
    """Counts and kg per ``period`` (month, quarter, year) and value of ``dimension``."""
    if dimension not in DIMENSIONS or period not in PERIODS:
        raise ValueError(f"no trend by {dimension!r} per {period!r}")
    label = PERIODS[period]
    out = Trend(dimension, period)
    for record in records:
        key_period = label(record.day)
        for value in record.values(dimension):
            out.counts[(key_period, value)] += 1
            if record.kg is not None:
                out.kg[(key_period, value)] += record.kg
        out.without_weight += record.kg is None
        out.cases.add(record.case_id)
        if record.source:
            out.sources.add(record.source)
        out.fictional = out.fictional or record.fictional
    return out


__all__ = [
    "DIMENSIONS",
    "UNKNOWN",
    "WEIGHT_NOTE",
    "SeizureRecord",
    "Trend",
    "kilograms",
    "seizure_records",
    "trend",
]
