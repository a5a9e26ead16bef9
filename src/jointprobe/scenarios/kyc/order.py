"""One order a compliance officer should stop. Everything in it is FICTIONAL.

The buyer, the forwarder, the people and the wallet are generated with a
fixed seed: names from word lists, e-mail on an example domain, a phone in a
range no one is assigned, a bitcoin address made from random bytes (a valid
checksum, no known holder). The substance and its control dates are real
(4-AP, see ``chem/data``); the red flags are those of
``screening/data/red_flags.yaml``.
"""

from __future__ import annotations

import random
from typing import Any

from jointprobe.entities.normalise._codecs import encode_base58check

SEED = 20250601
LABEL = f"FICTIONAL: generated with seed {SEED}"
_WORDS = ("Aurora", "Brisa", "Cumbre", "Delta", "Estrella", "Faro", "Galena", "Horizonte")
_TRADES = ("import and distribution of chemicals", "trading company", "general trading")
_FORWARDERS = ("Rapido", "Puente", "Enlace", "Via Norte")


def _wallet(r: random.Random) -> str:
    """A P2PKH-shaped bitcoin address from seeded random bytes (fictional, valid checksum)."""
    return encode_base58check(b"\x00" + bytes(r.randrange(256) for _ in range(20)))


def demo_order(seed: int = SEED) -> dict[str, Any]:
    """The order as the exporter received it (JSON, as ``POST /screening/orders`` takes it)."""
    r = random.Random(seed)
    word = r.choice(_WORDS)
    forwarder = f"{r.choice(_FORWARDERS)} Freight Forwarding LLC"
    return {
        "order_id": f"PO-{r.randrange(10_000, 99_999)}",
        "customer_id": f"NEW-{r.randrange(1000, 9999)}",
        "order_date": "2025-06-02",
        "buyer": {
            "name": f"Química {word} S.A. de C.V.",
            "country": "MX",
            "trade": r.choice(_TRADES),
        },
        "consignee": {
            "name": forwarder,
            "country": "US",
            "address_kind": "shared",
            "address": f"{r.randrange(100, 999)} Commerce Dr, Suite {r.randrange(1, 99)}, "
            "Laredo TX",
        },
        "freight_forwarder": {"name": forwarder, "country": "US"},
        "substance": {"name": "4-AP", "cas": "23056-29-3"},
        "quantity": str(r.choice((20, 25, 50))),
        "unit": "kg",
        "payment_method": "virtual_currency",
        "payment_wallet": _wallet(r),
        "email": f"compras.{word.lower()}@example.com",
        "shipping_speed": "urgent",
        "transit_countries": ["GT"],
        "destination_country": "MX",
        "end_use": "research",
    }
