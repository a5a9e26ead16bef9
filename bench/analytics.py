"""Balloon-effect benchmark: the shift search against the naive baseline, same series.

    .venv/bin/python bench/analytics.py --series 200 --seed 1

Generated series (seeded, fictional; ``jointprobe.analytics.validation``): half
with one known shift in the origin mix, half steady, at two seizure rates per
quarter. For each method: detection rate, false alarms per series-year, median
detection delay (quarters after the change until a growing series shows it),
median location error, and the share of steady series left quiet. Exits 1 when
the search is not quiet on at least 95% of steady series.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from jointprobe.analytics.validation import BASELINE_THRESHOLD, Score, evaluate

RATES = (10.0, 20.0)
COLUMNS = (
    "seizures/quarter",
    "method",
    "detection",
    "false alarms/series-year",
    "median delay (q)",
    "median |location error| (q)",
    "steady left quiet",
)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--series", type=int, default=200, help="shift series per rate (as many steady)"
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def _fmt(value: float | None, pattern: str = "{:.1f}") -> str:
    return "—" if value is None else pattern.format(value)


def _row(table: Table, rate: float, name: str, score: Score) -> None:
    table.add_row(
        f"{rate:g}",
        name,
        f"{score.detection_rate:.1%}",
        f"{score.false_alarms_per_series_year:.3f}",
        _fmt(score.median_delay),
        _fmt(score.median_abs_location_error),
        f"{score.quiet_series}/{score.steady_series}",
    )


def main() -> int:
    args = arguments()
    console = Console()
    console.print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    table = Table(title="Origin-shift detection on generated series (fictional)")
    for column in COLUMNS:
        table.add_column(column)
    ok = True
    started = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        for rate in RATES:
            task = progress.add_task(f"{rate:g} seizures/quarter", total=2 * args.series)
            ours, naive = evaluate(
                args.seed, args.series, mean_count=rate, progress=lambda t=task: progress.advance(t)
            )
            _row(table, rate, "PELT on clr shares", ours)
            _row(table, rate, f"year-on-year > {BASELINE_THRESHOLD:.0%}", naive)
            ok = ok and ours.quiet_series >= 0.95 * ours.steady_series
            if naive.false_alarms_per_series_year:
                ratio = ours.false_alarms_per_series_year / naive.false_alarms_per_series_year
                console.print(f"rate {rate:g}: false alarms, search/baseline = {ratio:.3f}")
    console.print(table)
    console.print(f"wall time {time.perf_counter() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
