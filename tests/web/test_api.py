import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jointprobe.accounts import create_token, create_user, revoke_token
from jointprobe.node import Node
from jointprobe.web import create_app


@pytest.fixture
def api(node: Node, make_user: Any) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tokens = {}
    for name, role in (("alice", "analyst"), ("bob", "analyst"), ("boss", "supervisor")):
        make_user(node, name, role)
        with node.session() as session:
            tokens[name] = create_token(session, name)
    with TestClient(create_app(node)) as client:
        yield client, tokens


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_case_flow_and_need_to_know_404(api: Any) -> None:
    client, tokens = api
    r = client.post(
        "/api/v1/cases", json={"title": "Diana", "id": "diana"}, headers=auth(tokens["alice"])
    )
    assert r.status_code == 201, r.text
    assert client.get("/api/v1/cases/diana", headers=auth(tokens["alice"])).json()["members"] == [
        "alice"
    ]
    r = client.get("/api/v1/cases/diana", headers=auth(tokens["bob"]))
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "no case 'diana'"}
    assert client.get("/api/v1/cases/diana", headers=auth(tokens["boss"])).status_code == 200
    r = client.post(
        "/api/v1/cases/diana/members", json={"username": "bob"}, headers=auth(tokens["alice"])
    )
    assert r.status_code == 204
    assert client.get("/api/v1/cases/diana", headers=auth(tokens["bob"])).status_code == 200
    r = client.delete("/api/v1/cases/diana/members/bob", headers=auth(tokens["alice"]))
    assert r.status_code == 204
    assert client.get("/api/v1/cases/diana", headers=auth(tokens["bob"])).status_code == 404
    r = client.delete("/api/v1/cases/diana/members/alice", headers=auth(tokens["alice"]))
    assert r.status_code == 409 and r.json()["code"] == "conflict"


def test_events_and_entities_through_the_api(api: Any) -> None:
    client, tokens = api
    h = auth(tokens["alice"])
    client.post("/api/v1/cases", json={"title": "x", "id": "c"}, headers=h)
    person = {"id": "p1", "schema": "Person", "properties": {"name": ["Liu Yong"]}}
    r = client.post("/api/v1/entities", json={"entity": person, "case_id": "c"}, headers=h)
    assert r.status_code == 201 and r.json()["caption"] == "Liu Yong"
    event = {"kind": "court_outcome", "outcome": "death_with_reprieve", "people": ["p1"]}
    r = client.post("/api/v1/cases/c/events", json=event, headers=h)
    assert r.status_code == 201 and r.json()["people"] == ["p1"]
    assert client.get("/api/v1/entities/p1", headers=auth(tokens["bob"])).status_code == 404


def test_a_hidden_case_id_gets_the_answer_of_any_unavailable_id(api: Any) -> None:
    client, tokens = api
    alice, bob = auth(tokens["alice"]), auth(tokens["bob"])
    client.post("/api/v1/cases", json={"title": "Diana", "id": "diana"}, headers=alice)
    client.post("/api/v1/cases", json={"title": "Bob's", "id": "bobs"}, headers=bob)
    answers = [
        client.post("/api/v1/cases", json={"title": "probe", "id": chosen}, headers=bob)
        for chosen in ("diana", "bobs", "leads-hsi-x-0123")  # hidden, visible, reserved
    ]
    assert {(r.status_code, r.text) for r in answers} == {(answers[0].status_code, answers[0].text)}
    assert answers[0].status_code == 409 and "diana" not in answers[0].text
    r = client.get("/api/v1/cases/diana", headers=alice)
    assert r.json()["title"] == "Diana" and r.json()["members"] == ["alice"]


def test_a_hidden_entity_id_gets_the_answer_of_any_taken_id(api: Any) -> None:
    client, tokens = api
    alice, bob = auth(tokens["alice"]), auth(tokens["bob"])
    client.post("/api/v1/cases", json={"title": "A", "id": "a"}, headers=alice)
    client.post("/api/v1/cases", json={"title": "B", "id": "b"}, headers=bob)

    def person(eid: str, name: str, case_id: str, headers: dict[str, str]) -> Any:
        entity = {"id": eid, "schema": "Person", "properties": {"name": [name]}}
        return client.post(
            "/api/v1/entities", json={"entity": entity, "case_id": case_id}, headers=headers
        )

    assert person("secret", "Liu Yong", "a", alice).status_code == 201
    assert person("mine", "Bob's man", "b", bob).status_code == 201
    hidden, taken = person("secret", "probe", "b", bob), person("mine", "probe", "b", bob)
    assert (hidden.status_code, hidden.text) == (taken.status_code, taken.text)
    assert hidden.status_code == 409 and "secret" not in hidden.text
    assert client.get("/api/v1/entities/secret", headers=alice).json()["caption"] == "Liu Yong"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "auth.missing_token"),
        ({"Authorization": "Bearer jp_wrong"}, "auth.invalid_token"),
        ({"Authorization": "Basic abc"}, "auth.missing_token"),
    ],
)
def test_bad_tokens_get_401_with_stable_code(api: Any, headers: dict[str, str], code: str) -> None:
    client, _tokens = api
    r = client.get("/api/v1/cases", headers=headers)
    assert r.status_code == 401
    assert r.json()["code"] == code


def test_revoked_token_gets_401(api: Any, node: Node) -> None:
    client, tokens = api
    with node.session() as session:
        revoke_token(session, tokens["bob"])
    r = client.get("/api/v1/cases", headers=auth(tokens["bob"]))
    assert r.status_code == 401 and r.json()["code"] == "auth.revoked_token"


def test_error_bodies_have_code_and_message(api: Any) -> None:
    client, tokens = api
    h = auth(tokens["alice"])
    client.post("/api/v1/cases", json={"title": "x", "id": "c"}, headers=h)
    r = client.post("/api/v1/cases", json={"title": "x", "id": "c"}, headers=h)
    assert r.status_code == 409 and r.json()["code"] == "case.id_unavailable"
    r = client.post("/api/v1/cases/c/events", json={"kind": "seizure", "quantity": "-3"}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "request.invalid"
    r = client.post("/api/v1/entities", json={"entity": {"id": "x", "schema": "Nope"}}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "request.invalid"
    assert r.json()["where"] == "body.entity.schema"
    nope = {"id": "x", "schema": "Person", "properties": {"nope": ["a"]}}
    r = client.post("/api/v1/entities", json={"entity": nope}, headers=h)
    assert r.status_code == 422 and r.json()["code"] == "entity.invalid"
    r = client.post(
        "/api/v1/cases", content=b"{bad json", headers={**h, "content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["code"] == "request.invalid"
    r = client.get("/api/v1/audit/verify", headers=h)
    assert r.status_code == 403 and r.json()["code"] == "auth.forbidden"
    r = client.get("/api/v1/nowhere", headers=h)
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = client.get("/api/v1/cases/c/events", headers=h)
    assert r.status_code == 200


def test_oversized_body_is_refused_with_413(node: Node, make_user: Any) -> None:
    node.settings.max_body_bytes = 1000
    make_user(node, "alice")
    with node.session() as session:
        token = create_token(session, "alice")
    with TestClient(create_app(node)) as client:
        r = client.post("/api/v1/cases", json={"title": "x" * 5000}, headers=auth(token))
    assert r.status_code == 413 and r.json()["code"] == "request.too_large"


def test_openapi_schema_is_versioned(api: Any) -> None:
    client, tokens = api
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/cases/{case_id}" in schema["paths"]
    boss = auth(tokens["boss"])
    assert client.get("/api/v1/audit/verify", headers=boss).json()["ok"] is True


def test_an_audited_read_waits_for_a_concurrent_writer_instead_of_failing(
    sqlite_node: Node, make_user: Any
) -> None:
    """A case read writes its audit row; a writer committing meanwhile must not make it a 503."""
    make_user(sqlite_node, "alice", "analyst")
    with sqlite_node.session() as session:
        token = create_token(session, "alice")
    holding, done = threading.Event(), threading.Event()

    def writer() -> None:
        with sqlite_node.write_session() as session:
            create_user(session, "zed", "analyst")
            session.flush()
            holding.set()
            time.sleep(0.5)
        done.set()

    with TestClient(create_app(sqlite_node)) as client:
        h = auth(token)
        assert client.post("/api/v1/cases", json={"title": "x", "id": "c"}, headers=h).is_success
        thread = threading.Thread(target=writer)
        thread.start()
        assert holding.wait(5)
        r = client.get("/api/v1/cases/c", headers=h)
        thread.join()
    assert done.is_set()
    assert r.status_code == 200, r.text
