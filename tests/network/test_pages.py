"""The money page and the graph page of a case with known structure, signed in as a person."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jointprobe.config import Settings
from jointprobe.node import Node, init_node
from jointprobe.web import create_app

from .fixtures import load

PASSWORD = "alice-network-pw"


@pytest.fixture
def browser(tmp_path: Any, make_user: Any) -> Iterator[TestClient]:
    node: Node = init_node(Settings(data_dir=tmp_path, session_secret="s" * 32), "us-x", "X", "US")
    load(
        node, make_user(node, "alice", password=PASSWORD), make_user(node, "bob", password=PASSWORD)
    )
    with TestClient(create_app(node), follow_redirects=False) as client:
        page = client.get("/signin").text
        token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"username": "alice", "password": PASSWORD, "csrf_token": token}
        assert client.post("/signin", data=form).status_code == 303
        yield client
    node.close()


def test_the_money_page_draws_flows_and_lists_them_per_currency(browser: TestClient) -> None:
    r = browser.get("/cases/cash/money")
    assert r.status_code == 200
    assert "Flows by counterparty and currency" in r.text and "1,500.50" in r.text
    assert "held by Fictional A3" in r.text and 'id="money-data"' in r.text
    assert "/static/money.js" in r.text
    none = browser.get("/cases/ring/money")
    assert "This case has no payments or wallet transfers." in none.text
    assert "/static/money.js" not in none.text
    assert browser.get("/cases/other/money").status_code == 404


def test_the_graph_page_of_two_cliques_shows_two_groups(browser: TestClient) -> None:
    data = browser.get("/cases/ring/graph.json").json()
    groups = {n["data"]["id"]: n["data"]["community"] for n in data["nodes"]}
    assert groups["a2"] != groups["b2"] and len(set(groups.values())) == 2
    size = {n["data"]["id"]: n["data"]["size"] for n in data["nodes"]}
    assert size["a1"] > size["a2"] > size["x"]
    page = browser.get("/cases/ring/graph").text
    assert "Group 1 (6)" in page and "Group 2 (5)" in page
