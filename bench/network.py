"""Network expansion benchmark: 3-hop expansion from one selector at 1M entities / 5M edges.

A seeded generator writes a fictional network straight into a real node store
(SQLite, migrated to head) with the store's bulk writer (``store.bulk.insert_rows``):
``--entities`` people and companies (every caption says FICTIONAL, every row
``fictional``) in groups of 50 ("rings"), spread over 1,000 cases; each entity
has a Chinese mobile number drawn from its ring's 25 (so about two entities
share each number) and its own e-mail; ``--edges`` edges, 90 % inside the
ring and 10 % to anyone. An edge's relation is its source entity (as the
edges of FtM entity-valued properties are), so the 5M edges need no 5M
relation rows. The benchmark user is a member of nine cases in ten, so
expansions meet cases they may not see and draw placeholders; the start
numbers are drawn from rings in cases the user may see.

Then ``network.expand`` runs from ``--starts`` phone numbers (seeded choice)
to 3 hops with the default size limit, and reports p50/p99 against the
target (p99 < 200 ms). Baseline in the same run: the floor, i.e. the same
indexed SQL statements the expansion issues, hop by hop on the same
frontiers, run through the bare driver with no visibility, no objects and no
audit; the ratio says what the expansion costs over its lookups. Peak memory
(``ru_maxrss``) is printed after generation and after the expansions.

    .venv/bin/python bench/network.py --entities 1000000 --edges 5000000
    .venv/bin/python bench/network.py --entities 100000 --edges 500000 --starts 200
    .venv/bin/python bench/network.py --db /tmp/net.db --reuse   # measure a kept store again
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.network.expand import LINK_KINDS, expand
from jointprobe.node import Node, init_node, open_node
from jointprobe.operations.heap import settle_heap
from jointprobe.store.bulk import insert_rows
from jointprobe.store.engine import bulk_write_cache
from jointprobe.store.tables import Base, User

console = Console()
RING = 50
PHONES_PER_RING = 25
CASES = 1000
HIDDEN_EVERY = 10  # the user may not see cases 0, 10, 20…
BATCH = 100_000
TARGET_P99_MS = 200.0
TABLES = Base.metadata.tables


def phone(ring: int, k: int) -> str:
    return f"+86138{ring * PHONES_PER_RING + k:08d}"


def _entities(n: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    per_case = max(n // CASES, 1)
    for i in range(n):
        schema = "Company" if i % 5 == 0 else "Person"
        yield (
            f"bn{i:07d}",
            schema,
            f"FICTIONAL {schema.lower()} {i}",
            f"bench-{min(i // per_case, CASES - 1):04d}",
        )


def _selectors(n: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    per_case = max(n // CASES, 1)
    for i in range(n):
        case = f"bench-{min(i // per_case, CASES - 1):04d}"
        yield ("phone", phone(i // RING, rng.randrange(PHONES_PER_RING)), f"bn{i:07d}", case)
        yield ("email", f"u{i}@ring{i // RING}.fictional.example", f"bn{i:07d}", case)


def _edges(n: int, count: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    per_case = max(n // CASES, 1)
    for j in range(count):
        i = j % n
        ring_start = (i // RING) * RING
        if rng.random() < 0.9:
            other = min(ring_start + rng.randrange(RING), n - 1)
        else:
            other = rng.randrange(n)
        source = f"bn{i:07d}"
        yield (
            source,
            "UnknownLink",
            source,
            f"bn{other:07d}",
            f"bench-{min(i // per_case, CASES - 1):04d}",
        )


def _batches(rows: Iterator[tuple[object, ...]]) -> Iterator[list[tuple[object, ...]]]:
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def generate(node: Node, n: int, edges: int) -> None:
    """Write the fictional network (see the module docstring), with progress bars."""
    rng = random.Random(16)
    with node.session() as s:
        owner = create_user(s, "bench-owner", "analyst")
        create_user(s, "bench", "analyst")  # its cases: grant()
        owner_id = owner.id
    cases = [(f"bench-{c:04d}", f"FICTIONAL bench case {c}") for c in range(CASES)]
    marking = {"tlp": "AMBER", "handling": {}, "fictional": True, "source": "bench/network.py"}
    with (
        node.engine.connect() as connection,
        bulk_write_cache(connection),
        Session(bind=connection) as s,
        Progress(console=console) as progress,
    ):
        insert_rows(
            s,
            TABLES["cases"],
            ["id", "title"],
            cases,
            constants={
                **marking,
                "summary": "",
                "status": "open",
                "created_by": owner_id,
                "created_at": _now(),
            },
        )
        members = [(cid, owner_id) for cid, _ in cases]
        insert_rows(
            s,
            TABLES["case_members"],
            ["case_id", "user_id"],
            members,
            constants={"added_at": _now()},
        )
        s.commit()
        steps = [
            (
                "entities",
                n,
                TABLES["entities"],
                ["id", "schema", "caption", "case_id"],
                _entities(n, rng),
                {**marking, "properties": {}, "created_at": _now(), "updated_at": _now()},
            ),
            (
                "selectors",
                2 * n,
                TABLES["selectors"],
                ["kind", "value", "entity_id", "case_id"],
                _selectors(n, rng),
                {},
            ),
            (
                "edges",
                edges,
                TABLES["edges"],
                ["relation_id", "schema", "source_id", "target_id", "case_id"],
                _edges(n, edges, rng),
                {},
            ),
        ]
        for label, total, table, columns, rows, constants in steps:
            task = progress.add_task(f"{label} (fictional)", total=total)
            for batch in _batches(rows):
                insert_rows(s, table, columns, batch, constants=constants)
                s.commit()
                progress.advance(task, len(batch))
    with node.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")


def grant(node: Node) -> None:
    """Make the benchmark user a member of every case but each tenth (``HIDDEN_EVERY``)."""
    with node.session() as s:
        user = s.scalar(select(User).where(User.username == "bench"))
        assert user is not None
        s.connection().exec_driver_sql("DELETE FROM case_members WHERE user_id = ?", (user.id,))
        rows = [(f"bench-{c:04d}", user.id) for c in range(CASES) if c % HIDDEN_EVERY]
        insert_rows(
            s, TABLES["case_members"], ["case_id", "user_id"], rows, constants={"added_at": _now()}
        )
        s.commit()


def _now() -> object:
    from jointprobe.timeutil import utcnow

    return utcnow()


def floor(session: Session, frontiers: list[list[str]]) -> None:
    """The expansion's lookups on the same frontiers, through the bare driver (the baseline)."""
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    for frontier in frontiers:
        for start in range(0, len(frontier), 500):
            ids = frontier[start : start + 500]
            marks = ",".join("?" * len(ids))
            keys = raw.execute(
                f"SELECT kind, value FROM selectors WHERE entity_id IN ({marks})", ids
            ).fetchall()
            keys = [k for k in keys if k[0] in LINK_KINDS]
            held: set[str] = set()
            by_kind: dict[str, list[str]] = {}
            for kind, value in keys:
                by_kind.setdefault(kind, []).append(value)
            for kind, values in by_kind.items():
                for k in range(0, len(values), 500):
                    chunk = values[k : k + 500]
                    sql = (
                        f"SELECT entity_id FROM selectors WHERE kind = ? AND value IN "
                        f"({','.join('?' * len(chunk))})"
                    )
                    held |= {r[0] for r in raw.execute(sql, [kind, *chunk])}
            for end in ("source_id", "target_id"):
                for row in raw.execute(
                    f"SELECT id, relation_id, schema, source_id, target_id, "
                    f"case_id FROM edges WHERE {end} IN ({marks})",
                    ids,
                ):
                    held.add(row[3])
                    held.add(row[4])
            wanted = sorted(held)
            for k in range(0, len(wanted), 500):
                chunk = wanted[k : k + 500]
                raw.execute(
                    f"SELECT id, schema, caption, case_id, tlp, fictional FROM entities "
                    f"WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def _size_mib(path: Path) -> float:
    files = [path, path.with_name(path.name + "-wal")]
    return sum(f.stat().st_size for f in files if f.exists()) / 2**20


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(node: Node, n: int, starts: int, hops: int) -> None:
    rng = random.Random(99)
    per_case = max(n // CASES, 1)
    rings = [r for r in range(max(n // RING, 1)) if (r * RING // per_case) % HIDDEN_EVERY]
    numbers = [phone(rng.choice(rings), rng.randrange(PHONES_PER_RING)) for _ in range(starts)]
    times, floors, sizes, hidden, stopped = [], [], [], [], 0
    cpu: list[float] = []
    with node.session() as s, Progress(console=console, transient=True) as progress:
        user = s.scalar(select(User).where(User.username == "bench"))
        assert user is not None
        task = progress.add_task("expansions", total=starts)
        for number in numbers:
            began, began_cpu = time.perf_counter(), time.process_time()
            try:
                result = expand(s, user, number, kind="phone", hops=hops)
            except Exception:  # a number no entity drew: not an expansion
                s.rollback()
                progress.advance(task)
                continue
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
            s.rollback()  # the audit entries of a benchmark are not kept
            by_hop: dict[int, list[str]] = {}
            for node_ in result.nodes:
                by_hop.setdefault(node_.hop, []).append(node_.id)
            frontiers = [by_hop[h] for h in sorted(by_hop) if h < hops]
            began = time.perf_counter()
            floor(s, frontiers)
            floors.append((time.perf_counter() - began) * 1000)
            sizes.append(len(result.nodes))
            hidden.append(len(result.placeholders))
            stopped += result.stopped is not None
            progress.advance(task)
    p50, p99 = statistics.median(times), _pct(times, 0.99)
    f50, f99 = statistics.median(floors), _pct(floors, 0.99)
    verdict = "met" if p99 < TARGET_P99_MS else "NOT met"
    console.print(
        f"{len(times)} expansions to {hops} hops: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
        f"(target p99 < {TARGET_P99_MS:.0f} ms: {verdict}); median {statistics.median(sizes):.0f} "
        f"entities and {statistics.median(hidden):.0f} hidden-case placeholders; "
        f"{stopped} stopped at the size limit"
    )
    console.print(
        f"baseline (same run): the bare indexed lookups on the same frontiers p50 "
        f"{f50:.1f} ms, p99 {f99:.1f} ms; expansion / floor = {p50 / f50:.2f}× (p50), "
        f"{p99 / f99:.2f}× (p99)"
    )
    console.print(
        f"CPU time of this process per expansion (what the load average does not "
        f"inflate): p50 {statistics.median(cpu):.1f} ms, p99 {_pct(cpu, 0.99):.1f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    console.print(f"peak memory (ru_maxrss) after the expansions: {_rss_mib():,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=5_000_000)
    parser.add_argument("--starts", type=int, default=300)
    parser.add_argument("--hops", type=int, default=3)
    parser.add_argument("--db", type=Path, help="Keep the store here (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="Measure an existing --db again")
    parser.add_argument(
        "--no-settle",
        dest="settle",
        action="store_false",
        help="Leave the heap unfrozen (serve freezes it: jointprobe.operations.heap)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "network.db"
        settings = Settings(data_dir=path.parent, database_url=f"sqlite:///{path}")
        if args.reuse and path.exists():
            node = open_node(settings)
            console.print(f"reusing {path} ({_size_mib(path):,.0f} MiB on disk)")
        else:
            node = init_node(settings, "bench", "Bench (FICTIONAL)", "US")
            began = time.perf_counter()
            generate(node, args.entities, args.edges)
            console.print(
                f"generated {args.entities:,} entities, {2 * args.entities:,} selectors, "
                f"{args.edges:,} edges (FICTIONAL) in {time.perf_counter() - began:.0f} s; "
                f"{_size_mib(path):,.0f} MiB on disk; peak memory {_rss_mib():,.0f} MiB"
            )
        grant(node)
        if args.settle:  # as `jointprobe serve` does once its app is built
            console.print(f"heap settled: {settle_heap():,} start-up objects frozen")
        measure(node, args.entities, args.starts, args.hops)
        node.close()


if __name__ == "__main__":
    main()
