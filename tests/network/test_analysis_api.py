"""``/api/v1/cases/{case}/network/…``: analysis, path, money; hidden is 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jointprobe.accounts import create_token
from jointprobe.node import Node
from jointprobe.web import create_app

from .fixtures import BRIDGE, load


@pytest.fixture
def api(sqlite_node: Node, make_user: Any) -> Iterator[tuple[TestClient, Any]]:
    load(sqlite_node, make_user(sqlite_node, "alice"), make_user(sqlite_node, "bob"))
    with sqlite_node.session() as session:
        headers = {n: {"Authorization": f"Bearer {create_token(session, n)}"}
                   for n in ("alice", "bob")}  # fmt: skip
    with TestClient(create_app(sqlite_node)) as client:
        yield client, headers


def test_analysis_names_the_bridge_and_the_two_groups(api: Any) -> None:
    client, h = api
    r = client.get("/api/v1/cases/ring/network/analysis?top=3", headers=h["alice"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["entities"], body["ties"], len(body["groups"])) == (11, 22, 2)
    bridge = next(p for p in body["top"] if p["entity"]["id"] == BRIDGE)
    assert bridge["why"][0].startswith("highest betweenness")
    assert bridge["entity"]["fictional"] and bridge["entity"]["tlp"] == "AMBER"
    assert sorted(g["size"] for g in body["groups"]) == [5, 6]


def test_path_gives_the_evidence_of_each_step(api: Any) -> None:
    client, h = api
    r = client.get("/api/v1/cases/ring/network/path?from=a3&to=b4", headers=h["alice"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["connected"] and body["hops"] == 4
    own = body["paths"][0][1]["evidence"][0]
    assert own["relation_id"] == "own-a1" and own["dates"] == {"startDate": ["2017-03-01"]}
    r = client.get("/api/v1/cases/cash/network/path?from=ca1&to=cb3", headers=h["alice"])
    assert r.json()["connected"] is False and "not connected" in r.json()["message"]


def test_a_hidden_entity_or_case_is_404_like_a_missing_one(api: Any) -> None:
    client, h = api
    hidden = client.get("/api/v1/cases/ring/network/path?from=a1&to=h1", headers=h["alice"])
    missing = client.get("/api/v1/cases/ring/network/path?from=a1&to=zz", headers=h["alice"])
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["message"].replace("h1", "?") == missing.json()["message"].replace(
        "zz", "?"
    )
    for what in ("analysis", "money", "path?from=a1&to=a2"):
        r = client.get(f"/api/v1/cases/ring/network/{what}", headers=h["bob"])
        assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_money_sums_per_currency_and_says_when_a_case_has_none(api: Any) -> None:
    client, h = api
    body = client.get("/api/v1/cases/cash/network/money", headers=h["alice"]).json()
    usd = next(f for f in body["flows"] if f["currency"] == "USD" and f["payer"]["id"] == "ca1"
               and f["beneficiary"]["id"] == "cb1")  # fmt: skip
    assert usd["total"] == "1500.50" and usd["payments"] == ["p1", "p2"]
    btc = next(f for f in body["flows"] if f["currency"] == "BTC")
    assert btc["kind"] == "crypto" and btc["payer"]["holders"] == ["Fictional A3"]
    none = client.get("/api/v1/cases/ring/network/money", headers=h["alice"]).json()
    assert (
        none["flows"] == [] and none["message"] == "This case has no payments or wallet transfers."
    )
