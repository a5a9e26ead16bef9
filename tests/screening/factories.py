"""Factories for screening tests: ``order(**changes)`` gives a valid order mapping."""

from __future__ import annotations

from typing import Any

from jointprobe.screening.order_reading import parse_order
from jointprobe.screening.orders import Order

# A plain order of a known customer: an unlisted chemical, bank transfer, no flags.
BASE: dict[str, Any] = {
    "order_id": "PO-1",
    "customer_id": "C-100",
    "order_date": "2025-03-01",
    "buyer": {"name": "Example Pharma GmbH", "country": "DE", "address": "Industriestr. 5, Mainz",
              "address_kind": "industrial", "trade": "pharmaceutical manufacturer"},
    "substance": {"name": "ethanol"},
    "quantity": "200",
    "unit": "kg",
    "payment_method": "bank_transfer",
    "end_use": "solvent for tablet coating",
    "phone": "+49 6131 123456",
    "email": "purchasing@example-pharma.de",
}  # fmt: skip


def order(**changes: Any) -> dict[str, Any]:
    out = {**BASE, **changes}
    return {k: v for k, v in out.items() if v is not None}


def make(**changes: Any) -> Order:
    return parse_order(order(**changes))
