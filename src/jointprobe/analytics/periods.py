"""Calendar periods (month, quarter, year) and the small statistics the analytics share."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from jointprobe.errors import InvalidInput


def quarter(day: date | datetime) -> str:
    """``2019-Q2`` for any day in April–June 2019."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def month(day: date | datetime) -> str:
    """``2019-05`` for any day in May 2019."""
    return f"{day.year}-{day.month:02d}"


def quarter_start(label: str) -> date:
    """The first day of a quarter label such as ``2019-Q2``."""
    year, q = label.split("-Q")
    return date(int(year), (int(q) - 1) * 3 + 1, 1)


def quarters_between(first: date, last: date) -> list[str]:
    """Every quarter label from ``first``'s to ``last``'s, in order (gaps included)."""
    out: list[str] = []
    year, q = first.year, (first.month - 1) // 3
    while (year, q) <= (last.year, (last.month - 1) // 3):
        out.append(f"{year}-Q{q + 1}")
        year, q = (year + 1, 0) if q == 3 else (year, q + 1)
    return out


@dataclass(frozen=True)
class DateRange:
    """A closed range of days ``start``…``end``; the report's period."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(f"the range ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return isinstance(day, date) and self.start <= day <= self.end


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


__all__ = [
    "DateRange",
    "month",
    "percentile",
    "quarter",
    "quarter_start",
    "quarters_between",
]
