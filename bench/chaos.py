"""Chaos benchmark: the long run of tests/exchange/chaos.py, with a report.

    .venv/bin/python bench/chaos.py --messages 10000 --seed 13
    .venv/bin/python bench/chaos.py --messages 2000 --faults safe
    .venv/bin/python bench/chaos.py --faults drop,delay,corrupt --rate 0.1

Two real ``jointprobe serve`` processes on loopback, a fault proxy each way,
kills (SIGKILL) of either node at random points, one key rotation half way
(fault type ``rotate``).
Exits 1 when a check fails (lost, applied twice, out of order, wedged).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.exchange.chaos import ChaosConfig, ChaosReport, faults_from, run  # noqa: E402


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--faults", default="all", help="all, safe, or a comma-separated list")
    parser.add_argument("--rate", type=float, default=0.25, help="share of requests faulted")
    parser.add_argument("--kills", type=int, help="default: one per 500 messages, at least 2")
    parser.add_argument("--drain-seconds", type=float, default=300.0)
    parser.add_argument("--keep", type=Path, help="keep the nodes' folders here")
    return parser.parse_args()


def counts(title: str, rows: dict[str, int] | dict[str, float]) -> Table:
    table = Table(title=title)
    table.add_column("")
    table.add_column("", justify="right")
    for key, value in rows.items():
        table.add_row(key, f"{value:,.1f}" if isinstance(value, float) else f"{value:,}")
    return table


def show(console: Console, report: ChaosReport) -> None:
    config = report.config
    console.print(f"[bold]chaos[/]: seed {config.seed}, rate {config.rate}, "
                  f"faults {', '.join(sorted(config.faults)) or 'none'}")  # fmt: skip
    console.print(counts("messages", {
        "sent (queued by the sender)": report.sent, "applied at the receiver": report.applied,
        **{f"ended {state}": n for state, n in report.ended.items()},
        "replies (acks back)": report.replies, "duplicates seen": report.duplicates_seen,
        "API calls cut off by a kill": report.unsure,
    }))  # fmt: skip
    faults = {"requests (both proxies)": report.requests, **dict(sorted(report.faults.items()))}
    console.print(counts("faults injected", faults))
    console.print(counts("kills and rotations", {**report.kills, "rotations": report.rotations}))
    console.print(counts("operator actions on parked messages", dict(report.operator)))
    console.print(counts("seconds", {**report.phases, "total": report.elapsed}))
    for d in report.directions:
        console.print(f"{d.sender} → {d.receiver}: sender {dict(d.sender_states)}, "
                      f"receiver {dict(d.receiver_states)}, out_seq {d.out_seq}, "
                      f"in_seq {d.in_seq}")  # fmt: skip
    if report.end_reasons:
        console.print(counts("end reasons", dict(report.end_reasons)))
    verdict = "[green]PASS[/]" if report.ok and report.drained else "[red]FAIL[/]"
    console.print(f"{verdict}: drained {report.drained}")
    for problem in report.problems():
        console.print(f"  [red]{problem[:300]}[/]")


def main() -> int:
    args = arguments()
    kills = args.kills if args.kills is not None else max(2, args.messages // 500)
    config = ChaosConfig(
        messages=args.messages, seed=args.seed, faults=faults_from(args.faults), rate=args.rate,
        kills=kills, drain_seconds=args.drain_seconds,
    )  # fmt: skip
    console = Console()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        report = run(args.keep, config)
    else:
        with tempfile.TemporaryDirectory() as base:
            report = run(Path(base), config)
    show(console, report)
    return 0 if report.ok and report.drained else 1


if __name__ == "__main__":
    sys.exit(main())
