"""Selector index benchmark: ingest rate and lookup latency at 1M selectors vs a naive scan.

Fictional people (name, phone, e-mail) are imported into a real node store
(SQLite) through the import path, ``jointprobe.entities.add_entities``: each
batch is validated (FtM schema and values, marking, duplicate ids), its
entity rows and the selectors ``extract_selectors`` reads off each entity are
inserted, one audit entry is written, and the batch commits. The ingest rate
counts that work, not the making of the input dicts.

Lookups go through ``find_hits`` (normalise → indexed ``(kind, value)`` query
→ entity rows); the baseline runs the same query with SQLite told not to use
the index (``NOT INDEXED``), i.e. a scan, in the same run.

    .venv/bin/python bench/selector_index.py --selectors 1000000
    .venv/bin/python bench/selector_index.py --selectors 200000 --profile 25
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import text

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.entities import NewEntity, add_entities, bulk
from jointprobe.node import Node, init_node, open_node
from jointprobe.resolve.hits import find_hits

console = Console()
SYLLABLES = ["zhang", "li", "wang", "fu", "jing", "ming", "ka", "lo", "ben", "mar", "ta", "sun"]
TARGET_PER_S = 20_000


def _person(i: int, rng: random.Random) -> dict[str, Any]:
    first = "".join(rng.choice(SYLLABLES) for _ in range(2)).title()
    last = rng.choice(SYLLABLES).title() + rng.choice(["", "son", "er", "ez"])
    return {
        "id": f"bench-{i}",
        "schema": "Person",
        "properties": {
            "name": [f"{first} {last}"],
            "phone": [f"+1202{200 + i // 10000:03d}{i % 10000:04d}"],  # valid US numbers
            "email": [f"user{i}@bench{i % 5000}.example"],
        },
    }


def _settings(path: str) -> Settings:
    return Settings(data_dir=Path(path).parent, database_url=f"sqlite:///{path}")


def _time_stage(name: str, stages: dict[str, float]) -> None:
    """Add the time spent in ``bulk.<name>`` (a stage of ``add_entities``) to ``stages``."""
    fn = getattr(bulk, name, None)
    if fn is None:  # older code without the stage
        return

    def timed(*args: Any, **kwargs: Any) -> Any:
        start, cpu_start = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - start
            cpu = f"{name} CPU"
            stages[cpu] = stages.get(cpu, 0.0) + time.process_time() - cpu_start

    setattr(bulk, name, timed)


def ingest(
    node: Node, target: int, batch: int, stages: dict[str, float]
) -> tuple[int, int, float, list[str]]:
    """Import entities until ``target`` selectors exist; return (entities, selectors, s, emails)."""
    for name in ("prepare", "write"):
        _time_stage(name, stages)
    rng = random.Random(1)
    entities = selectors = 0
    emails: list[str] = []
    seconds = 0.0
    with node.session() as session, Progress(console=console, transient=True) as progress:
        actor = create_user(session, "bench", "analyst")
        session.commit()
        task = progress.add_task("ingest", total=target)
        while selectors < target:
            items = []
            for i in range(entities, entities + batch):
                data = _person(i, rng)
                items.append(NewEntity(data, fictional=True, source="bench"))
                if i % 997 == 0:
                    emails.append(data["properties"]["email"][0])
            start, cpu_start = time.perf_counter(), time.process_time()
            failed = add_entities(session, actor, items)
            session.commit()
            seconds += time.perf_counter() - start
            stages["cpu"] = stages.get("cpu", 0.0) + time.process_time() - cpu_start
            assert not failed, failed[:3]
            entities += batch
            selectors = session.execute(text("SELECT count(*) FROM selectors")).scalar_one()
            progress.update(task, completed=selectors)
    return entities, selectors, seconds, emails


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
                text("SELECT entity_id FROM selectors NOT INDEXED WHERE kind='email' AND value=:v"),
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
    parser.add_argument("--batch", type=int, default=5000, help="entities per add_entities call")
    parser.add_argument("--naive", type=int, default=20, help="naive-scan lookups to time")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile the ingest and print the N costliest functions")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "node.db")
        node = init_node(_settings(path), "bench", "Bench", "US")
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        stages: dict[str, float] = {}
        entities, selectors, seconds, emails = ingest(node, args.selectors, args.batch, stages)
        node.close()
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        rate = entities / seconds
        console.print(
            f"ingest: {entities:,} entities, {selectors:,} selectors in {seconds:.1f} s = "
            f"{rate:,.0f} entities/s ({selectors / seconds:,.0f} selectors/s); "
            f"target {TARGET_PER_S:,}/s {'met' if rate >= TARGET_PER_S else 'NOT met'}"
        )
        cpu = stages.pop("cpu")
        console.print(
            f"ingest CPU time {cpu:.1f} s = {entities / cpu:,.0f} entities per CPU-second"
        )
        if stages:
            rest = seconds - sum(v for k, v in stages.items() if not k.endswith("CPU"))
            parts = [f"{k} {v:.1f} s" for k, v in stages.items()] + [f"audit+commit {rest:.1f} s"]
            console.print("ingest stages: " + ", ".join(parts) + "; write alone = "
                          f"{entities / stages.get('write', seconds):,.0f} entities/s")  # fmt: skip
        node = open_node(_settings(path))
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
