from __future__ import annotations

from importlib import import_module
from typing import Any

from fastapi.testclient import TestClient
from tests.network.conftest import SHARED_PHONE, TwoCases, e

from jointprobe.accounts import create_token
from jointprobe.entities import add_entity
from jointprobe.web import create_app


def _client(two_cases: TwoCases) -> tuple[TestClient, dict[str, dict[str, str]]]:
    with two_cases.node.session() as s:
        tokens = {u: create_token(s, u) for u in ("alice", "bob", "carol")}
    headers = {u: {"Authorization": f"Bearer {t}"} for u, t in tokens.items()}
    return TestClient(create_app(two_cases.node)), headers


def test_expand_api_shows_a_placeholder_and_no_hidden_entity(two_cases: TwoCases) -> None:
    client, headers = _client(two_cases)
    with client:
        r = client.get("/api/v1/network/expand", params={"q": SHARED_PHONE, "hops": 2},
                       headers=headers["alice"])  # fmt: skip
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        assert [n["id"] for n in body["nodes"]] == ["a-diana", "a-shop", "a-clerk"]
        assert body["placeholders"][0]["owner"] == "Bob Officer (Hebei)"
        assert "b-secret" not in r.text and body["stopped"] is None
        assert body["capped"] == [] and body["capped_entities"] == []
        edge = {"source": "a-diana", "target": "hidden-1", "kind": "selector",
                "evidence": f"phone:{SHARED_PHONE}", "schema_name": None}  # fmt: skip
        assert edge in body["edges"]
        r = client.get("/api/v1/network/expand", params={"q": SHARED_PHONE, "limit": 1},
                       headers=headers["alice"])  # fmt: skip
        assert r.json()["stopped"] == {"hop": 0, "entity_id": "", "reason": "size limit"}


def test_expand_api_refusals(two_cases: TwoCases) -> None:
    client, headers = _client(two_cases)
    with client:
        get = lambda **params: client.get(  # noqa: E731
            "/api/v1/network/expand", params=params, headers=headers["alice"]
        )
        r = get(entity="b-secret")
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        assert get(entity="no-such").json() == r.json() | {"message": "no entity 'no-such'"}
        r = get(q="nobody@nowhere.example")
        assert r.status_code == 404 and r.json()["code"] == "network.unknown_selector"
        r = get(q="12345", kind="phone")
        assert r.status_code == 422 and r.json()["code"] == "selector.invalid"
        assert get().status_code == 422
        assert get(q=SHARED_PHONE, entity="a-shop").status_code == 422
        assert get(q=SHARED_PHONE, hops=9).status_code == 422
        assert get(q=SHARED_PHONE, limit=100_000).status_code == 422


def test_links_api_for_both_owners_and_not_for_a_non_member(two_cases: TwoCases) -> None:
    client, headers = _client(two_cases)
    with client:
        r = client.get("/api/v1/network/cases/A/links", headers=headers["alice"])
        assert r.status_code == 200
        [link] = r.json()
        assert link["other_owner"] == "Bob Officer (Hebei)" and link["other_case_id"] is None
        assert link["common"] is False and link["more"] is False
        r = client.get("/api/v1/network/cases/B/links", headers=headers["bob"])
        assert r.json()[0]["other_owner"] == "Alice Agent (New Orleans)"
        r = client.get("/api/v1/network/cases/A/links", headers=headers["carol"])
        assert r.status_code == 404


def test_expand_api_names_a_capped_hub(two_cases: TwoCases, monkeypatch: Any) -> None:
    with two_cases.node.session() as s:
        for i in range(3):
            add_entity(s, two_cases.alice, e(f"a-link{i}", "UnknownLink", subject=["a-shop"],
                                             object=["a-clerk"]), case_id="A")  # fmt: skip
    monkeypatch.setattr(import_module("jointprobe.network.expand"), "MAX_EDGES", 2)
    client, headers = _client(two_cases)
    with client:
        r = client.get("/api/v1/network/expand", params={"entity": "a-shop", "hops": 1},
                       headers=headers["alice"])  # fmt: skip
    assert r.json()["capped_entities"] == [{
        "entity_id": "a-shop", "hop": 1,
        "note": "more than 2 relations one way: only the first 2 followed"}]  # fmt: skip
