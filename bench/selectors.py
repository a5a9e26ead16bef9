"""Selector index benchmark: ingest rate and lookup latency at 1M selectors vs a naive scan.

Fictional people (name, phone, e-mail) are written to a real node store
(SQLite): entity rows plus the selectors ``extract_selectors`` reads off each
one, in bulk. Lookups go through ``find_hits`` (normalise → indexed
``(kind, value)`` query → entity rows); the baseline runs the same query with
SQLite told not to use the index (``NOT INDEXED``), i.e. a scan.

    .venv/bin/python bench/selectors.py --selectors 1000000
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file's name shadows the standard library's ``selectors`` module (used by
# ``socket``) when run as a script; keep bench/ off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from followthemoney import model  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import Progress  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from jointprobe.config import Settings  # noqa: E402
from jointprobe.entities.selectors import extract_selectors  # noqa: E402
from jointprobe.node import init_node  # noqa: E402
from jointprobe.resolve.hits import find_hits  # noqa: E402
from jointprobe.store.tables import Entity, Selector  # noqa: E402

console = Console()
SYLLABLES = ["zhang", "li", "wang", "fu", "jing", "ming", "ka", "lo", "ben", "mar", "ta", "sun"]


def _person(i: int, rng: random.Random) -> dict[str, object]:
    first = "".join(rng.choice(SYLLABLES) for _ in range(2)).title()
    last = rng.choice(SYLLABLES).title() + rng.choice(["", "son", "er", "ez"])
    return {
        "id": f"bench-{i}",
        "schema": "Person",
        "properties": {
            "name": [f"{first} {last}"],
            "phone": [f"+1202{i:07d}"],
            "email": [f"user{i}@bench{i % 5000}.example"],
        },
    }


def ingest(url: str, target: int, batch: int = 5000) -> tuple[int, int, float, list[str]]:
    """Write entities until ``target`` selectors exist; return (entities, selectors, s, emails)."""
    node = init_node(Settings(data_dir=Path(url).parent, database_url=f"sqlite:///{url}"),
                     "bench", "Bench", "US")  # fmt: skip
    rng = random.Random(1)
    entities = selectors = 0
    emails: list[str] = []
    now = datetime.now(UTC)
    start = time.perf_counter()
    with node.session() as session, Progress(console=console, transient=True) as progress:
        task = progress.add_task("ingest", total=target)
        while selectors < target:
            rows, sel_rows = [], []
            for i in range(entities, entities + batch):
                data = _person(i, rng)
                proxy = model.get_proxy(data)
                rows.append({"id": data["id"], "schema": "Person", "caption": proxy.caption,
                             "properties": data["properties"], "tlp": "AMBER", "handling": {},
                             "fictional": True, "created_at": now, "updated_at": now})  # fmt: skip
                for kind, value in extract_selectors(proxy):
                    sel_rows.append({"entity_id": data["id"], "kind": kind, "value": value})
                if i % 997 == 0:
                    emails.append(str(data["properties"]["email"][0]))  # type: ignore[index]
            session.execute(insert(Entity.__table__), rows)
            session.execute(insert(Selector.__table__), sel_rows)
            session.commit()
            entities += batch
            selectors += len(sel_rows)
            progress.update(task, completed=selectors)
    seconds = time.perf_counter() - start
    node.close()
    return entities, selectors, seconds, emails


def lookups(url: str, emails: list[str], naive_n: int) -> dict[str, float]:
    node = init_node_existing(url)
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
    node.close()

    def p(values: list[float], q: float) -> float:
        return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000

    return {
        "find_hits_p50_ms": p(indexed, 0.5),
        "find_hits_p99_ms": p(indexed, 0.99),
        "index_query_p99_ms": p(raw, 0.99),
        "naive_scan_median_ms": statistics.median(naive) * 1000,
        "lookups": len(indexed),
    }


def init_node_existing(url: str):  # type: ignore[no-untyped-def]
    from jointprobe.node import open_node

    return open_node(Settings(data_dir=Path(url).parent, database_url=f"sqlite:///{url}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--selectors", type=int, default=1_000_000)
    parser.add_argument("--naive", type=int, default=20, help="naive-scan lookups to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = str(Path(tmp) / "node.db")
        entities, selectors, seconds, emails = ingest(url, args.selectors)
        console.print(
            f"ingest: {entities:,} entities, {selectors:,} selectors in {seconds:.1f} s = "
            f"{entities / seconds:,.0f} entities/s ({selectors / seconds:,.0f} selectors/s)"
        )
        figures = lookups(url, emails, args.naive)
        console.print(figures)
        ratio = figures["naive_scan_median_ms"] / figures["find_hits_p50_ms"]
        console.print(f"naive scan is {ratio:,.0f}× slower than an indexed find_hits (median)")


if __name__ == "__main__":
    main()
