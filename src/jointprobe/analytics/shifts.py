"""The balloon effect: shifts in where a substance's seizures come from.

Origin shares per period are zero-replaced and clr-transformed
(:mod:`~jointprobe.analytics.compositions`), each coordinate scaled by a robust
estimate of its period-to-period noise (the MAD of first differences), and
searched for changes in mean with PELT (``ruptures``, least-squares cost) under
a penalty of ``PENALTY × parts × log(periods)``. Each change is then tried again
on ``BOOTSTRAP`` resamples of the seizures within each period: its confidence is
the share of resamples that find a change within ``TOLERANCE`` periods of it.
A series shorter than ``MIN_PERIODS`` is not searched, and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from jointprobe.analytics.compositions import clr, raw_shares, shares

MIN_PERIODS = 8
MIN_SIZE = 3
PENALTY = 2.5
BOOTSTRAP = 200
TOLERANCE = 2
SEED = 20240601


@dataclass(frozen=True)
class Shift:
    """One change: at ``index`` (the first period after it), what moved, and how sure."""

    index: int
    period: str
    before: dict[str, float]
    after: dict[str, float]
    span_before: tuple[str, str]
    span_after: tuple[str, str]
    confidence: float
    resamples: int

    @property
    def losers(self) -> list[str]:
        return sorted(self.before, key=lambda p: self.after[p] - self.before[p])

    @property
    def source(self) -> str:
        """The part that lost the most share."""
        return self.losers[0]

    @property
    def target(self) -> str:
        """The part that gained the most share."""
        return self.losers[-1]


@dataclass
class ShiftAnalysis:
    """What the search found on one series (or why it did not search)."""

    subject: str
    periods: list[str]
    parts: list[str]
    counts: list[list[int]]
    shifts: list[Shift] = field(default_factory=list)
    too_short: bool = False

    def sentences(self) -> list[str]:
        return [describe(self, shift) for shift in self.shifts] or [quiet(self)]


def _scaled(counts: NDArray[np.int64]) -> NDArray[np.float64]:
    coords = clr(shares(counts))
    diffs = np.diff(coords, axis=0)
    mad = np.median(np.abs(diffs - np.median(diffs, axis=0)), axis=0)
    noise = mad / (0.6745 * math.sqrt(2))
    noise[noise <= 1e-9] = float(np.std(coords)) or 1.0
    return np.asarray(coords / noise, dtype=np.float64)


def change_points(
    counts: NDArray[np.int64], *, penalty: float = PENALTY, min_size: int = MIN_SIZE
) -> list[int]:
    """Indices where the origin mix changes (each the first period after a change)."""
    periods, parts = counts.shape
    if periods < MIN_PERIODS or parts < 2:
        return []
    # imported here: ruptures pulls in SciPy, seconds at start-up for every command
    import ruptures as rpt  # type: ignore[import-untyped]

    signal = _scaled(counts)
    algo = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(signal)
    found = algo.predict(pen=penalty * parts * math.log(periods))
    return [int(i) for i in found if i < periods]


def resample(counts: NDArray[np.int64], rng: np.random.Generator) -> NDArray[np.int64]:
    """The seizures of each period drawn again, with replacement, from that period."""
    out = np.zeros_like(counts)
    for row, total in enumerate(counts.sum(axis=1)):
        if total > 0:
            out[row] = rng.multinomial(int(total), counts[row] / total)
    return out


def confidence(
    counts: NDArray[np.int64], index: int, *, resamples: int = BOOTSTRAP, seed: int = SEED
) -> float:
    """Share of resamples in which a change is found within TOLERANCE of ``index``."""
    rng = np.random.default_rng(seed + index)
    hits = 0
    for _ in range(resamples):
        found = change_points(resample(counts, rng))
        hits += any(abs(i - index) <= TOLERANCE for i in found)
    return hits / resamples


def _mix(counts: NDArray[np.int64], parts: list[str], lo: int, hi: int) -> dict[str, float]:
    pooled = counts[lo:hi].sum(axis=0, keepdims=True)
    return dict(zip(parts, raw_shares(pooled)[0].tolist(), strict=True))


def find_shifts(
    subject: str,
    periods: list[str],
    parts: list[str],
    counts: list[list[int]],
    *,
    resamples: int = BOOTSTRAP,
) -> ShiftAnalysis:
    """Search one series (periods × parts counts) and describe each change found."""
    analysis = ShiftAnalysis(subject, periods, parts, counts)
    matrix = np.asarray(counts, dtype=np.int64).reshape(len(periods), len(parts))
    if len(periods) < MIN_PERIODS or len(parts) < 2:
        analysis.too_short = True
        return analysis
    found = change_points(matrix)
    edges = [0, *found, len(periods)]
    for n, index in enumerate(found, start=1):
        lo, hi = edges[n - 1], edges[n + 1]
        analysis.shifts.append(
            Shift(
                index=index,
                period=periods[index],
                before=_mix(matrix, parts, lo, index),
                after=_mix(matrix, parts, index, hi),
                span_before=(periods[lo], periods[index - 1]),
                span_after=(periods[index], periods[hi - 1]),
                confidence=confidence(matrix, index, resamples=resamples),
                resamples=resamples,
            )
        )
    return analysis


def certainty(value: float) -> str:
    if value >= 0.9:
        return "high confidence"
    if value >= 0.7:
        return "moderate confidence"
    return "low confidence: treat as a hint, not a finding"


def describe(analysis: ShiftAnalysis, shift: Shift) -> str:
    """One sentence: what moved, when, from where to where, and how sure."""
    src, dst = shift.source, shift.target
    return (
        f"{analysis.subject}: the origin mix shifted around {shift.period}. "
        f"The share from {src} fell from {shift.before[src]:.0%} to {shift.after[src]:.0%} "
        f"while {dst} rose from {shift.before[dst]:.0%} to {shift.after[dst]:.0%} "
        f"({shift.span_before[0]}–{shift.span_before[1]} against "
        f"{shift.span_after[0]}–{shift.span_after[1]}). The change was found again in "
        f"{shift.confidence:.0%} of {shift.resamples} resamples of the seizures "
        f"({certainty(shift.confidence)})."
    )


def quiet(analysis: ShiftAnalysis) -> str:
    """What to say when nothing was found, or nothing could be searched."""
    if analysis.too_short:
        return (
            f"{analysis.subject}: {len(analysis.periods)} period(s) and "
            f"{len(analysis.parts)} origin(s) are too few to look for a shift "
            f"(at least {MIN_PERIODS} periods and 2 origins are needed); no finding is made."
        )
    return (
        f"{analysis.subject}: no shift in the origin mix was found over "
        f"{analysis.periods[0]}–{analysis.periods[-1]} ({len(analysis.periods)} periods)."
    )


__all__ = [
    "BOOTSTRAP",
    "MIN_PERIODS",
    "Shift",
    "ShiftAnalysis",
    "change_points",
    "confidence",
    "describe",
    "find_shifts",
    "quiet",
    "resample",
]
