"""Selector index benchmark: ingest rate and lookup latency at 1M selectors vs a naive scan.

Fictional people are imported into a real node store (SQLite) through the
import path of ``jointprobe entity import``, ``import_ftm_lines``: FtM JSON
lines are read and validated (FtM schema and values), their selectors and
edges read off, ids checked against the store, entity and selector rows
inserted, one audit entry written per batch, and each batch committed. The
lines are made before the clock starts; the rate counts the import alone.

The people look like an import's: 70 % Latin names built from syllables
(nearly every full name distinct), 30 % Chinese names in characters, pinyin,
Wade-Giles or Cantonese spellings (from the cross-script generator), a valid
US or Chinese phone number, an e-mail at a mail provider or an own domain.
The same lines are imported twice in the same run: by ``--workers``
processes (default one per core) and by one process, the baseline.

Lookups go through ``find_hits`` (normalise → indexed ``(kind, value)`` query
→ entity rows); their baseline is the same query with SQLite told not to use
its key (``kind || ''``), i.e. a scan of every row, in the same run.

    .venv/bin/python bench/selector_index.py --selectors 1000000
    .venv/bin/python bench/selector_index.py --selectors 200000 --profile 25
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import text

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.entities import import_ftm_lines
from jointprobe.entities.parallel import default_workers
from jointprobe.entities.write import parse_item
from jointprobe.node import Node, init_node, open_node
from jointprobe.resolve.hits import find_hits
from jointprobe.resolve.synth import chinese, people

console = Console()
TARGET_PER_S = 20_000
PROVIDERS = ["qq.com", "163.com", "gmail.com", "outlook.com"]
# The same lookup made to read every row: `|| ''` keeps SQLite from using the key.
SCAN = "SELECT entity_id FROM selectors WHERE kind || '' = 'email' AND value || '' = :v"
US_AREAS = ["202", "212", "415", "646", "713"]
CN_MOBILE = ["138", "139", "150", "186"]


def _names(count: int) -> list[str]:
    """``count`` person names, 70 % Latin and 30 % Chinese in their various spellings."""
    rng = random.Random(2)
    latin = people.generate(int(count * 0.7 / 0.8) + 10, duplicate_share=0.0, seed=3)
    latin_names = (latin["first_name"] + " " + latin["last_name"]).tolist()
    han = chinese.generate(int(count * 0.3 / 2.5) + 10, seed=5)["name"].tolist()
    names = latin_names[: int(count * 0.7)] + han[: count - int(count * 0.7)]
    names += latin_names[len(names) : count]
    rng.shuffle(names)
    return names[:count]


def make_lines(count: int) -> tuple[list[str], list[str]]:
    """``count`` FtM JSON lines of fictional people, and e-mails to look up afterwards."""
    rng = random.Random(1)
    lines, emails = [], []
    for i, name in enumerate(_names(count)):
        if i % 2:
            phone = f"+1{rng.choice(US_AREAS)}{rng.randint(2_000_000, 9_999_999)}"
        else:
            phone = f"+86{rng.choice(CN_MOBILE)}{rng.randint(10_000_000, 99_999_999)}"
        domain = (
            rng.choice(PROVIDERS) if rng.random() < 0.6 else f"shop{rng.randrange(5000)}.example"
        )
        email = f"user{i}@{domain}"
        props = {"name": [name], "phone": [phone], "email": [email]}
        lines.append(json.dumps({"id": f"bench-{i}", "schema": "Person", "properties": props},
                                ensure_ascii=False))  # fmt: skip
        if i % 997 == 0:
            emails.append(email)
    return lines, emails


def _settings(path: str) -> Settings:
    return Settings(data_dir=Path(path).parent, database_url=f"sqlite:///{path}")


def ingest(node: Node, lines: list[str], workers: int, label: str) -> tuple[int, float]:
    """Import ``lines`` through import_ftm_lines; return (selectors, seconds)."""
    with node.session() as session:
        create_user(session, "bench", "analyst")
        session.commit()
    with Progress(console=console, transient=True, auto_refresh=False) as progress:
        task = progress.add_task(label, total=len(lines))
        start = time.perf_counter()
        report = import_ftm_lines(
            node.sessions, "bench", lines, name="bench.jsonl", fictional=True, batch=1000,
            workers=workers, on_line=lambda n: progress.update(task, completed=n, refresh=True),
        )  # fmt: skip
        seconds = time.perf_counter() - start
    assert not report.errors and report.imported == len(lines), report.errors[:3]
    with node.session() as session:
        selectors = session.execute(text("SELECT count(*) FROM selectors")).scalar_one()
    return int(selectors), seconds


def lookups(node: Node, emails: list[str], naive_n: int) -> dict[str, float]:
    indexed, raw, naive = [], [], []
    with node.session() as session:
        for email in emails:
            t = time.perf_counter()
            hits = find_hits(session, None, email.upper())
            indexed.append(time.perf_counter() - t)
            assert hits and hits[0].reason.startswith("same e-mail"), email
            t = time.perf_counter()
            session.execute(text("SELECT entity_id FROM selectors WHERE kind='email' AND value=:v"),
                            {"v": email}).all()  # fmt: skip
            raw.append(time.perf_counter() - t)
        for email in emails[:naive_n]:
            t = time.perf_counter()
            session.execute(
                text(SCAN),
                {"v": email},
            ).all()
            naive.append(time.perf_counter() - t)

    def p(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000

    return {
        "find_hits_p50_ms": round(p(indexed, 0.5), 3),
        "find_hits_p99_ms": round(p(indexed, 0.99), 3),
        "index_query_p99_ms": round(p(raw, 0.99), 3),
        "naive_scan_median_ms": round(statistics.median(naive) * 1000, 2),
        "lookups": len(indexed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--selectors", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="processes reading lines (default: one per core)")  # fmt: skip
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-process run")
    parser.add_argument("--naive", type=int, default=20, help="naive-scan lookups to time")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile this process in the main run; print N calls")  # fmt: skip
    args = parser.parse_args()
    sample = make_lines(2000)[0]
    per_entity = sum(len(parse_item(json.loads(line)).selectors) for line in sample) / len(sample)
    lines, emails = make_lines(int(args.selectors / per_entity) + 1)
    console.print(f"{len(lines):,} entities, ≈{per_entity:.2f} selectors each")
    runs = [(args.workers, f"{args.workers} workers")]
    if not args.no_baseline and args.workers != 1:
        runs.append((1, "one process"))
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers, label in runs:
            path = str(Path(tmp) / f"node-{workers}.db")
            node = init_node(_settings(path), "bench", "Bench", "US")
            profiler = cProfile.Profile() if args.profile and workers == runs[0][0] else None
            if profiler:
                profiler.enable()
            selectors, seconds = ingest(node, lines, workers, label)
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
            node.close()
            rates[label] = rate = len(lines) / seconds
            console.print(
                f"ingest ({label}): {len(lines):,} entities, {selectors:,} selectors in "
                f"{seconds:.1f} s = {rate:,.0f} entities/s ({selectors / seconds:,.0f} selectors/s)"
            )
        main_label = runs[0][1]
        rate = rates[main_label]
        verdict = "met" if rate >= TARGET_PER_S else "NOT met"
        console.print(f"ingest target {TARGET_PER_S:,}/s: {verdict} ({rate:,.0f}/s)")
        if len(runs) > 1:
            console.print(f"baseline (same run): one process {rates['one process']:,.0f}/s; "
                          f"{main_label} {rate / rates['one process']:.2f}× that")  # fmt: skip
        node = open_node(_settings(str(Path(tmp) / f"node-{args.workers}.db")))
        figures = lookups(node, emails, args.naive)
        node.close()
        console.print(figures)
        ratio = figures["naive_scan_median_ms"] / figures["find_hits_p50_ms"]
        console.print(
            f"baseline (same run): naive scan median {figures['naive_scan_median_ms']} ms is "
            f"{ratio:,.0f}× slower than an indexed find_hits (median "
            f"{figures['find_hits_p50_ms']} ms); find_hits p99 {figures['find_hits_p99_ms']} ms "
            f"(target ≤ 2 ms)"
        )


if __name__ == "__main__":
    main()
