"""Order screening in a real browser: an upload-free paste of two orders, one held."""

from __future__ import annotations

import json
from typing import Any

from .conftest import US_USERS, shot, sign_in
from .nodes import LiveNode

HELD = {
    "order_id": "PO-E2E-1", "order_date": "2025-06-01",
    "buyer": {"name": "Northwind Fine Chemicals S.A.", "country": "MX"},
    "substance": {"name": "4-AP"}, "quantity": "25", "unit": "kg",
    "payment_method": "virtual_currency", "payment_wallet": "bc1qexample",
    "consignee": {"name": "Rapido Freight Forwarding", "country": "US"},
}  # fmt: skip
BROKEN = {"order_id": "PO-E2E-2", "buyer": {"name": "X"}}


def test_a_compliance_officer_pastes_orders_and_sees_the_verdicts(
    page: Any, nodes: dict[str, LiveNode]
) -> None:
    us = nodes["us"]
    sign_in(page, us, "analyst", US_USERS["analyst"][1])
    page.wait_for_url(f"{us.url}/")
    page.get_by_role("link", name="Screening").click()
    page.get_by_label("Orders").fill(json.dumps(HELD) + "\n" + json.dumps(BROKEN))
    page.get_by_role("button", name="Screen").click()
    held = page.locator("article.screening.verdict-hold_and_report")
    held.wait_for()
    assert "PO-E2E-1" in held.inner_text()
    assert held.locator('li[data-code="RF.VIRTUAL_CURRENCY"]').is_visible()
    assert held.locator('li[data-code="SUBSTANCE.PRECURSOR"]').count() >= 1
    assert "line 2: order_date: Field required" in page.locator(".line-errors").inner_text()
    shot(page, "screening")
