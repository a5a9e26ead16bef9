from typing import Any

from fastapi.testclient import TestClient

from jointprobe.accounts import create_token
from jointprobe.cases import CaseIn, create_case
from jointprobe.entities import add_entity
from jointprobe.node import Node
from jointprobe.web import create_app


def test_hits_endpoint_explains_matches_and_respects_need_to_know(
    sqlite_node: Node, make_user: Any
) -> None:
    alice = make_user(sqlite_node, "alice")
    make_user(sqlite_node, "bob")
    with sqlite_node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
        person = {
            "id": "zfj",
            "schema": "Person",
            "properties": {"name": ["ZHENG, Fujing"], "email": ["goldenchemical@live.com"]},
        }
        add_entity(session, alice, person, case_id="c")
        tokens = {u: create_token(session, u) for u in ("alice", "bob")}
    with TestClient(create_app(sqlite_node)) as client:
        r = client.get(
            "/api/v1/hits",
            params={"q": "GoldenChemical@live.com"},
            headers={"Authorization": f"Bearer {tokens['alice']}"},
        )
        assert r.status_code == 200, r.text
        hits = r.json()
        assert hits[0]["entity_id"] == "zfj" and "e-mail" in hits[0]["reason"]
        r = client.get(
            "/api/v1/hits",
            params={"q": "郑富京"},
            headers={"Authorization": f"Bearer {tokens['alice']}"},
        )
        assert [h["entity_id"] for h in r.json()] == ["zfj"]
        r = client.get(
            "/api/v1/hits",
            params={"q": "goldenchemical@live.com"},
            headers={"Authorization": f"Bearer {tokens['bob']}"},
        )
        assert r.json() == []
        r = client.get(
            "/api/v1/hits",
            params={"q": "12345", "kind": "phone"},
            headers={"Authorization": f"Bearer {tokens['alice']}"},
        )
        assert r.status_code == 422 and r.json()["code"] == "selector.invalid"


def test_the_kinds_hits_takes_are_the_selector_kinds_and_name() -> None:
    from typing import get_args

    from jointprobe.entities.normalise.dispatch import SELECTOR_KINDS
    from jointprobe.web.api.hits import HitKind

    assert set(get_args(HitKind)) == {*SELECTOR_KINDS, "name"}
