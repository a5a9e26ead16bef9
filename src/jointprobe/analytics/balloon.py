"""The balloon effect on a node's own seizures: origin shifts per substance class.

Seizures whose origin was not reported are left out of the shares (a rising
"unknown" is a reporting change, not a supply change); the report says how
many were left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from jointprobe.analytics.periods import DateRange, quarters_between
from jointprobe.analytics.seizures import UNKNOWN, SeizureRecord, trend
from jointprobe.analytics.shifts import BOOTSTRAP, ShiftAnalysis, find_shifts
from jointprobe.analytics.substances import CLASSES


def origin_shifts(
    records: Sequence[SeizureRecord], period: DateRange, *, resamples: int = BOOTSTRAP
) -> list[ShiftAnalysis]:
    """One analysis per substance class that has seizures with a known origin in ``period``."""
    quarters = quarters_between(period.start, period.end)
    out: list[ShiftAnalysis] = []
    for cls in CLASSES:
        mine = [r for r in records if r.substance_class == cls and r.origin != UNKNOWN]
        if not mine:
            continue
        series = trend(mine, "origin", "quarter")
        parts = series.values
        subject = f"{cls.capitalize()} seizures ({len(mine)}, by reported origin)"
        out.append(
            find_shifts(
                subject, quarters, parts, series.matrix(quarters, parts), resamples=resamples
            )
        )
    return out


__all__ = ["origin_shifts"]
