"""Order screening latency: one order with ten parties and contacts, against the OFAC list.

A real node store (SQLite) holds the whole OFAC SDN list (imported first,
not timed). Orders are generated with a fixed seed (FICTIONAL parties): six
named parties (buyer, consignee, end user, forwarder, bank, payer) and four
contacts (phone, e-mail, website, wallet; consignee and payer are mostly the
buyer, screened all the same); a tenth of them name a listed
company or e-mail so that hits are found too; the substance cycles through
listed precursors, an unlisted analogue and ordinary chemicals. Each order
is screened by ``screen_order`` (lists, substance as of the order date, every
red flag) with a customer history of five earlier orders.

Baseline, same run: the ten bare instant-hits lookups (``find_hits``) of the
same names and contacts, i.e. the list-lookup floor under the screening.

    .venv/bin/python bench/screening_orders.py --orders 500
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.entities.normalise._codecs import encode_base58check
from jointprobe.node import init_node
from jointprobe.resolve.hits import find_hits
from jointprobe.resolve.importers.ofac_import import import_ofac_sdn
from jointprobe.screening.flag_rules import PastOrder
from jointprobe.screening.lists import import_list
from jointprobe.screening.order_reading import parse_order
from jointprobe.screening.verdict import rule_set, screen_order

console = Console()
OFAC = Path("/work/shared/data/sanctions/ofac_sdn_2024-05-03.csv")
TARGET_P99_MS = 50.0
WORDS = ("Aurora", "Brisa", "Cumbre", "Delta", "Faro", "Galena", "Nova", "Orion", "Polar")
SUBSTANCES = (
    {"cas": "23056-29-3"},
    {"name": "NPP"},
    {"name": "ethanol"},
    {"name": "acetone"},
    {"smiles": "O=C1CCN(Cc2ccccc2)CC1"},
    {"name": "1-boc-4-piperidone"},
)


PAYMENTS = ("bank_transfer", "bank_transfer", "letter_of_credit", "virtual_currency")
USES = ("research", "solvent for coating", "synthesis of active ingredient", "")


def _wallet(r: random.Random) -> str:
    return encode_base58check(b"\x00" + bytes(r.randrange(256) for _ in range(20)))


def _party(r: random.Random, kind: str, country: str) -> dict[str, str]:
    return {"name": f"{r.choice(WORDS)} {r.choice(WORDS)} {kind}", "country": country}


def make_orders(count: int, seed: int = 7) -> list[dict[str, Any]]:
    r = random.Random(seed)
    out = []
    for i in range(count):
        listed = i % 10 == 0
        buyer = (
            {"name": "GLOBAL UNITED BIOTECHNOLOGY INC.", "country": "VG"}
            if listed
            else _party(r, "Chemicals Ltd", "MX")
        )
        out.append(
            {
                "order_id": f"B-{i}",
                "customer_id": f"C-{i % 50}",
                "order_date": "2025-06-01",
                "buyer": buyer,
                "consignee": buyer if r.random() < 0.7 else _party(r, "Logistics", "US"),
                "end_user": _party(r, "Laboratorio", "MX"),
                "freight_forwarder": _party(r, "Freight", "US"),
                "bank": _party(r, "Bank", "HK"),
                "payer": buyer if r.random() < 0.8 else _party(r, "Trading", "HK"),
                "phone": f"+52 55 {r.randrange(1000, 9999)} {r.randrange(1000, 9999)}",
                "email": "goldenchemical@live.com" if listed else f"buyer{i}@example.com",
                "website": f"www.{r.choice(WORDS).lower()}{i}.example.com",
                "payment_wallet": "17ezuJoT3XBbdcwFZbkTnrXbup11F4uhiy" if listed else _wallet(r),
                "substance": SUBSTANCES[i % len(SUBSTANCES)],
                "quantity": str(r.randrange(1, 200)),
                "unit": "kg",
                "payment_method": r.choice(PAYMENTS),
                "end_use": r.choice(USES) or None,
                "transit_countries": r.choice((["GT"], [])),
            }
        )
    return out


def _history(order_date: date) -> tuple[PastOrder, ...]:
    return tuple(
        PastOrder(order_date - timedelta(days=60 * k), "CCO", Decimal(100), "kg")
        for k in range(1, 6)
    )


def _lookups(order: dict[str, Any]) -> list[tuple[str, str]]:
    names = [
        order[k]["name"]
        for k in ("buyer", "consignee", "end_user", "freight_forwarder", "bank", "payer")
    ]
    return [(n, "name") for n in names] + [
        (order["phone"], "phone"),
        (order["email"], "email"),
        (order["website"], "domain"),
        (order["payment_wallet"], "wallet"),
    ]


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        node = init_node(Settings(data_dir=Path(tmp)), "us-bench", "Bench", "US")
        with node.session() as session:
            create_user(session, "bench", "analyst")
            create_user(session, "bench-sup", "supervisor")
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("importing OFAC SDN", total=None)
            import_ofac_sdn(
                node.sessions, "bench", OFAC, on_entity=lambda n: progress.update(task, completed=n)
            )
            progress.update(task, description="registering it as a screening list")
            import_list(node.sessions, "bench-sup", OFAC, name="ofac-sdn", fmt="ofac")
        raws = make_orders(args.orders)
        orders = [parse_order(o, i) for i, o in enumerate(raws, start=1)]
        rules = rule_set()
        screen_ms, floor_ms, verdicts = [], [], {"clear": 0, "review": 0, "hold_and_report": 0}
        with node.session() as session, Progress(console=console, transient=True) as progress:
            screen_order(session, orders[0], rules=rules)  # warm caches (fingerprints, lists)
            task = progress.add_task("screening", total=len(orders))
            for raw, order in zip(raws, orders, strict=True):
                started = time.perf_counter()
                for value, kind in _lookups(raw):
                    find_hits(session, None, value, kind=kind, limit=10)
                floor_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                result = screen_order(session, order, _history(order.data.order_date), rules=rules)
                screen_ms.append((time.perf_counter() - started) * 1000)
                verdicts[result.verdict] += 1
                progress.advance(task)
        node.close()
    report = {
        "orders": len(orders),
        "verdicts": verdicts,
        "screen_p50_ms": round(statistics.median(screen_ms), 2),
        "screen_p99_ms": round(_pct(screen_ms, 99), 2),
        "lookups_p50_ms": round(statistics.median(floor_ms), 2),
        "lookups_p99_ms": round(_pct(floor_ms, 99), 2),
        "ratio_p50": round(statistics.median(screen_ms) / statistics.median(floor_ms), 2),
        "target_p99_ms": TARGET_P99_MS,
    }
    console.print_json(json.dumps(report))


if __name__ == "__main__":
    main()
