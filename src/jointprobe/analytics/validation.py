"""Checking the shift search on generated series (seeded; every series is fictional).

A series is ``PERIODS`` quarters of seizure counts over ``PARTS`` origins. A
*shift* series moves 25–50 points of share from the leading origin to another
at a known quarter; a *steady* series keeps its mix. Both draw each quarter's
seizures from a Poisson count and a multinomial mix, so noise is real noise.

The naive baseline, as an analyst would do it by hand: compare each origin's
share over the last four quarters with the four before, and raise an alarm
when any moved more than ``BASELINE_THRESHOLD``; a run of alarms counts once,
placed at its first quarter.

A detection *matches* a true change when it lies within ``MATCH_WINDOW``
quarters of it; every other detection is a false alarm (counted on the whole
series). *Delay* is how many quarters after the true change the method first
reports a matching change when run on the series as it grows, quarter by
quarter, as a working group meeting each quarter would see it; the *location
error* is where the whole-series run places it minus the true quarter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from jointprobe.analytics.compositions import raw_shares
from jointprobe.analytics.shifts import change_points

PERIODS = 36  # nine years of quarters, as 2016–2024
PARTS = 4
BASELINE_THRESHOLD = 0.15
MATCH_WINDOW = 4


@dataclass(frozen=True)
class Series:
    counts: NDArray[np.int64]
    change: int | None  # the first quarter of the new mix, None for a steady series


def generate(rng: np.random.Generator, *, shift: bool, mean_count: float = 20.0) -> Series:
    """One generated series (see the module doc)."""
    mix = rng.dirichlet(np.full(PARTS, 2.0))
    mixes = np.tile(mix, (PERIODS, 1))
    change: int | None = None
    if shift:
        change = int(rng.integers(8, PERIODS - 8))
        lead = int(np.argmax(mix))
        other = int(rng.choice([p for p in range(PARTS) if p != lead]))
        moved = min(float(rng.uniform(0.25, 0.5)), float(mix[lead]) - 0.02)
        after = mix.copy()
        after[lead] -= moved
        after[other] += moved
        mixes[change:] = after
    totals = rng.poisson(mean_count, PERIODS)
    counts = np.stack([rng.multinomial(n, p) for n, p in zip(totals, mixes, strict=True)])
    return Series(counts.astype(np.int64), change)


def baseline(counts: NDArray[np.int64], threshold: float = BASELINE_THRESHOLD) -> list[int]:
    """Year-on-year share difference above ``threshold`` (see the module doc)."""
    alarms: list[int] = []
    previous = False
    for t in range(8, counts.shape[0] + 1):
        last = raw_shares(counts[t - 4 : t].sum(axis=0, keepdims=True))[0]
        before = raw_shares(counts[t - 8 : t - 4].sum(axis=0, keepdims=True))[0]
        alarm = bool(np.max(np.abs(last - before)) > threshold)
        if alarm and not previous:
            alarms.append(t - 4)  # the first quarter of the window that moved
        previous = alarm
    return alarms


Detector = Callable[[NDArray[np.int64]], list[int]]


def online_delay(counts: NDArray[np.int64], change: int, detector: Detector) -> int | None:
    """Quarters after ``change`` until ``detector``, fed the series as it grows, reports it."""
    for end in range(change + 1, counts.shape[0] + 1):
        if any(abs(i - change) <= MATCH_WINDOW for i in detector(counts[:end])):
            return end - 1 - change
    return None


@dataclass
class Score:
    """Detection rate, false alarms per series-year and delays of one method."""

    shifts: int = 0
    detected: int = 0
    false_alarms: int = 0
    series_years: float = 0.0
    delays: list[int] = field(default_factory=list)
    location_errors: list[int] = field(default_factory=list)
    quiet_series: int = 0
    steady_series: int = 0

    def add(self, series: Series, detector: Detector) -> None:
        found = detector(series.counts)
        self.series_years += series.counts.shape[0] / 4
        matched = False
        for index in found:
            near = series.change is not None and abs(index - series.change) <= MATCH_WINDOW
            if near and not matched:
                matched = True
                self.location_errors.append(index - (series.change or 0))
            else:
                self.false_alarms += 1
        if matched and series.change is not None:
            delay = online_delay(series.counts, series.change, detector)
            if delay is not None:
                self.delays.append(delay)
        if series.change is not None:
            self.shifts += 1
            self.detected += matched
        else:
            self.steady_series += 1
            self.quiet_series += not found

    @property
    def detection_rate(self) -> float:
        return self.detected / self.shifts if self.shifts else 0.0

    @property
    def false_alarms_per_series_year(self) -> float:
        return self.false_alarms / self.series_years if self.series_years else 0.0

    @property
    def median_delay(self) -> float | None:
        return float(np.median(self.delays)) if self.delays else None

    @property
    def median_abs_location_error(self) -> float | None:
        errors = self.location_errors
        return float(np.median(np.abs(errors))) if errors else None


def evaluate(
    seed: int,
    count: int,
    *,
    mean_count: float = 20.0,
    progress: Callable[[], None] | None = None,
) -> tuple[Score, Score]:
    """Score the shift search and the baseline on ``count`` shift and ``count`` steady series."""
    rng = np.random.default_rng(seed)
    ours, naive = Score(), Score()
    for n in range(2 * count):
        series = generate(rng, shift=n % 2 == 0, mean_count=mean_count)
        ours.add(series, change_points)
        naive.add(series, baseline)
        if progress:
            progress()
    return ours, naive


__all__ = [
    "BASELINE_THRESHOLD",
    "Detector",
    "Score",
    "Series",
    "baseline",
    "evaluate",
    "generate",
    "online_delay",
]
