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
) -> dict[str, ShiftAnalysis]:
    """Per substance class with seizures of known origin in ``period``, its analysis."""
    quarters = quarters_between(period.start, period.end)
    out: dict[str, ShiftAnalysis] = {}
    for cls in CLASSES:
        mine = [r for r in records if r.substance_class == cls and r.origin != UNKNOWN]
        if not mine:
            continue
        series = trend(mine, "origin", "quarter")
        parts = series.values
        subject = f"{cls.capitalize()} seizures ({len(mine)}, by reported origin)"
        counts = series.matrix(quarters, parts)
        out[cls] = find_shifts(subject, quarters, parts, counts, resamples=resamples)
    return out


__all__ = ["origin_shifts"]
