"""The network page in a real browser: the selector form on a case's graph page, the
expansion drawn, and one more hop expanded in place."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from .conftest import US_USERS, shot, sign_in
from .nodes import LiveNode

pytestmark = pytest.mark.browser


def _diana_phone(us: LiveNode) -> str:
    with sqlite3.connect(us.data_dir / "node.db") as db:
        row = db.execute("SELECT value FROM selectors WHERE entity_id = 'xt-diana-phone' "
                         "AND kind = 'phone'").fetchone()  # fmt: skip
    return str(row[0])


def test_graph_page_form_expands_from_a_selector(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = nodes["us"]
    sign_in(page, us, "analyst", US_USERS["analyst"][1])
    page.wait_for_url(f"{us.url}/")
    page.goto(f"{us.url}/cases/xingtai-2017/graph")
    page.locator("#selector-q").fill(_diana_phone(us))
    page.locator("#selector-form button[type=submit]").click()
    page.wait_for_url(f"{us.url}/network?**")
    canvas = page.locator("#graph[data-ready='1']")
    canvas.wait_for()
    before = int(canvas.get_attribute("data-nodes"))
    assert before >= 2 and page.locator("#network-summary").is_visible()
    page.locator("#node-pick").select_option("xt-diana")
    page.get_by_role("button", name="Expand one hop").click()
    page.locator("#graph-status:has-text('xt-diana'), #graph-status:has-text('Diana')").wait_for(
        timeout=10_000
    )
    assert int(canvas.get_attribute("data-nodes")) >= before
    shot(page, "network")


def test_network_form_takes_a_kind_and_a_phone_region(
    page: Any, nodes: dict[str, LiveNode]
) -> None:
    us = nodes["us"]
    sign_in(page, us, "analyst", US_USERS["analyst"][1])
    page.wait_for_url(f"{us.url}/")
    page.goto(f"{us.url}/network")
    national = "0" + _diana_phone(us).removeprefix("+86")  # as dialled in China
    page.locator("#network-q").fill(national)
    page.locator("#network-kind").select_option("phone")
    page.locator("#network-region").fill("CN")
    page.locator("#network-form button[type=submit]").click()
    page.wait_for_url(f"{us.url}/network?**kind=phone**")
    page.locator("#graph[data-ready='1']").wait_for()
    assert page.locator("#network-summary").is_visible()
    assert page.locator("#network-kind").input_value() == "phone"
    assert page.locator("#network-region").input_value() == "CN"
