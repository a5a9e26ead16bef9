from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.screening.factories import order

from jointprobe.accounts import create_token
from jointprobe.config import Settings
from jointprobe.node import Node, init_node
from jointprobe.web import create_app

HOLD = order(
    order_id="PO-H",
    customer_id=None,
    buyer={"name": "Northwind Fine Chemicals", "country": "MX"},
    substance={"cas": "23056-29-3"},
    quantity="25",
    payment_method="virtual_currency",
    payment_wallet="bc1qexample",
    consignee={"name": "Rapido Freight Forwarding"},
)


def _client(node: Node, make_user: Any) -> tuple[TestClient, dict[str, dict[str, str]]]:
    for name, role in (("alice", "analyst"), ("bob", "analyst"), ("root", "admin")):
        make_user(node, name, role)
    with node.session() as session:
        tokens = {u: create_token(session, u) for u in ("alice", "bob", "root")}
    return TestClient(create_app(node)), {
        u: {"Authorization": f"Bearer {t}"} for u, t in tokens.items()
    }


def test_post_orders_screens_each_names_bad_ones_and_keeps_them_private(
    sqlite_node: Node, make_user: Any
) -> None:
    client, auth = _client(sqlite_node, make_user)
    with client:
        bad = order(order_id="PO-B", quantity="0")
        r = client.post(
            "/api/v1/screening/orders", json={"orders": [HOLD, bad]}, headers=auth["alice"]
        )
        assert r.status_code == 200, r.text
        body = r.json()
        [held] = body["screenings"]
        assert held["verdict"] == "hold_and_report" and body["counts"]["hold_and_report"] == 1
        codes = {x["code"] for x in held["reasons"]}
        assert {"SUBSTANCE.PRECURSOR", "RF.VIRTUAL_CURRENCY", "RF.FORWARDER_CONSIGNEE"} <= codes
        assert body["errors"][0]["where"] == "orders[1]"
        assert body["errors"][0]["message"].startswith("quantity:")
        r = client.get(f"/api/v1/screening/orders/{held['id']}", headers=auth["alice"])
        assert r.status_code == 200 and r.json()["order"]["buyer"]["country"] == "MX"
        r = client.get(f"/api/v1/screening/orders/{held['id']}", headers=auth["bob"])
        assert r.status_code == 404
        assert client.get("/api/v1/screening/orders", headers=auth["bob"]).json() == []
        held_only = client.get(
            "/api/v1/screening/orders", params={"verdict": "hold_and_report"}, headers=auth["alice"]
        ).json()
        assert [x["id"] for x in held_only] == [held["id"]]
        assert (
            client.get(
                "/api/v1/screening/orders", params={"verdict": "clear"}, headers=auth["alice"]
            ).json()
            == []
        )
        one = client.post("/api/v1/screening/orders", json={"order": order()}, headers=auth["bob"])
        assert one.status_code == 200 and one.json()["screenings"][0]["verdict"] == "review"


def test_post_orders_refuses_bad_requests_with_clear_4xx(sqlite_node: Node, make_user: Any) -> None:
    client, auth = _client(sqlite_node, make_user)
    url = "/api/v1/screening/orders"
    with client:
        assert client.post(url, json={"orders": [order()]}).status_code == 401
        r = client.post(url, json={"orders": [order()]}, headers=auth["root"])
        assert r.status_code == 403 and "may not screen" in r.json()["message"]
        r = client.post(url, json={"orders": [{"buyer": {"name": "x"}}]}, headers=auth["alice"])
        assert r.status_code == 422 and r.json()["where"] == "orders[0]"
        assert "no order could be screened" in r.json()["message"]
        r = client.post(url, json={"orders": []}, headers=auth["alice"])
        assert r.status_code == 422
        r = client.post(url, json={"order": order(), "orders": [order()]}, headers=auth["alice"])
        assert r.status_code == 422 and "either" in r.json()["message"]
        r = client.post(url, json={"orders": [order()], "tlp": "PURPLE"}, headers=auth["alice"])
        assert r.status_code == 422
        r = client.post(url, json={"orders": [order()], "case_id": "nope"}, headers=auth["alice"])
        assert r.status_code == 404
        assert client.get("/api/v1/screening/orders", headers=auth["alice"]).json() == []


def test_too_many_orders_or_too_large_a_body_is_refused(tmp_path: Path, make_user: Any) -> None:
    settings = Settings(data_dir=tmp_path / "n", screening_max_orders=2, max_body_bytes=20_000)
    node = init_node(settings, "us-test", "T", "US")
    client, auth = _client(node, make_user)
    url = "/api/v1/screening/orders"
    with client:
        r = client.post(url, json={"orders": [order()] * 3}, headers=auth["alice"])
        assert r.status_code == 422 and "at most 2 orders" in r.json()["message"]
        r = client.post(url, json={"orders": [order(end_use="x" * 30_000)]}, headers=auth["alice"])
        assert r.status_code == 413
    node.close()
