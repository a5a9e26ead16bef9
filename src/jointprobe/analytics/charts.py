"""Charts of the report: SVG drawn with matplotlib, each with axes, units and a caption.

Every :class:`Figure` carries the cases and sources it was drawn from (only
those the reader may see: the records passed in are already filtered), and
says so when the data are fictional.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from jointprobe.analytics.periods import quarters_between  # noqa: E402
from jointprobe.analytics.seizures import WEIGHT_NOTE, SeizureRecord, trend  # noqa: E402
from jointprobe.analytics.shifts import ShiftAnalysis  # noqa: E402
from jointprobe.analytics.substances import CLASSES  # noqa: E402

MIN_POINTS = 2


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    svg: str
    caption: str
    cases: tuple[str, ...]
    sources: tuple[str, ...]
    fictional: bool


def _svg(fig: object) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return buffer.getvalue()


def _provenance(records: Sequence[SeizureRecord]) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    cases = tuple(sorted({r.case_id for r in records}))
    sources = tuple(sorted({r.source for r in records if r.source}))
    return cases, sources, any(r.fictional for r in records)


def counts_by_class(records: Sequence[SeizureRecord]) -> Figure | None:
    """Seizures per quarter by substance class (counts); None below two quarters."""
    quarters = quarters_between(records[0].day, records[-1].day) if records else []
    if len(quarters) < MIN_POINTS:
        return None
    series = trend(records, "class", "quarter")
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for cls in CLASSES:
        ax.plot(range(len(quarters)), [series.count(q, cls) for q in quarters], label=cls)
    step = max(len(quarters) // 9, 1)
    ax.set_xticks(range(0, len(quarters), step), quarters[::step], rotation=45, ha="right")
    ax.set_xlabel("quarter")
    ax.set_ylabel("seizures (count)")
    ax.legend(frameon=False)
    busiest = max(CLASSES, key=lambda c: sum(series.count(q, c) for q in quarters))
    caption = (
        f"Number of seizures per quarter by substance class, {quarters[0]}–{quarters[-1]} "
        f"({len(records)} seizures; most were {busiest}). Counts, not weights, are the "
        "trend indicator."
    )
    return Figure("counts-by-class", "Seizures per quarter by substance class", _svg(fig),
                  caption, *_provenance(records))  # fmt: skip


def weight_by_class(records: Sequence[SeizureRecord]) -> Figure | None:
    """Bulk kg per year by class; None when no seizure was weighed."""
    weighed = [r for r in records if r.kg is not None]
    if not weighed:
        return None
    series = trend(weighed, "class", "year")
    years = series.periods
    fig, ax = plt.subplots(figsize=(8, 3.2))
    bottom = [0.0] * len(years)
    for cls in CLASSES:
        values = [series.kg.get((y, cls), 0.0) for y in years]
        ax.bar(years, values, bottom=bottom, label=cls)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xlabel("year")
    ax.set_ylabel("kg seized (bulk)")
    ax.legend(frameon=False)
    unweighed = len(records) - len(weighed)
    caption = (
        f"Kilograms seized per year by substance class ({WEIGHT_NOTE}); "
        f"{len(weighed)} seizures weighed"
        + (f", {unweighed} reported by count or volume left out" if unweighed else "")
        + ". One large seizure can dominate a year."
    )
    return Figure("weight-by-class", "Weight seized per year by substance class", _svg(fig),
                  caption, *_provenance(weighed))  # fmt: skip


def origin_shares(
    analysis: ShiftAnalysis, records: Sequence[SeizureRecord], cls: str
) -> Figure | None:
    """Origin shares per quarter of one class, with the shifts found marked."""
    if analysis.too_short:
        return None
    totals = [sum(row) or 1 for row in analysis.counts]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    x = list(range(len(analysis.periods)))
    stacks = [[row[i] / t for row, t in zip(analysis.counts, totals, strict=True)]
              for i in range(len(analysis.parts))]  # fmt: skip
    ax.stackplot(x, stacks, labels=analysis.parts)
    for shift in analysis.shifts:
        ax.axvline(shift.index - 0.5, color="black", linestyle="--", linewidth=1)
    step = max(len(x) // 9, 1)
    ax.set_xticks(x[::step], analysis.periods[::step], rotation=45, ha="right")
    ax.set_xlabel("quarter")
    ax.set_ylabel("share of seizures (%)")
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1], ["0", "25", "50", "75", "100"])
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    caption = (
        f"Share of {cls} seizures by reported origin per quarter; dashed lines mark the "
        "shifts found. " + " ".join(analysis.sentences())
    )
    mine = [r for r in records if r.substance_class == cls and r.origin in analysis.parts]
    return Figure(f"origins-{cls}", f"Origins of {cls} seizures", _svg(fig), caption,
                  *_provenance(mine))  # fmt: skip


__all__ = ["Figure", "counts_by_class", "origin_shares", "weight_by_class"]
