"""``GET /api/v1/cases/{case}/export`` and ``POST /api/v1/cases/{case}/imports/{format}``."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from jointprobe.accounts import create_token
from jointprobe.interop.validate import stix_problems
from jointprobe.node import Node
from jointprobe.web import create_app

from .conftest import HIDDEN, PEER, SHARED_PHONE

MISP = Path(__file__).parent / "data" / "misp_event_fictional.json"


def _client(node: Node, user: str) -> TestClient:
    with node.session() as session:
        token = create_token(session, user)
    return TestClient(create_app(node), headers={"Authorization": f"Bearer {token}"})


def test_export_and_import_over_the_api(us: Node) -> None:
    alice = _client(us, "alice")
    answer = alice.get("/api/v1/cases/diana/export", params={"format": "stix", "peer": PEER})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert stix_problems(json.dumps(body["bundle"])) == []
    assert sum(w["count"] for w in body["withheld"]) == 2 and body["lines"] is None
    ftm = alice.get("/api/v1/cases/diana/export", params={"format": "ftm", "peer": PEER}).json()
    assert {line["id"] for line in ftm["lines"]} >= {"p-diana", "c-xt"}
    made = alice.post("/api/v1/cases/copy/imports/misp", json=json.loads(MISP.read_text()))
    assert made.status_code == 201, made.text
    assert made.json()["by_tlp"]["RED"] == 1
    again = alice.post("/api/v1/cases/copy/imports/misp", json=json.loads(MISP.read_text()))
    assert again.status_code == 409, again.text


def test_api_refusals(us: Node) -> None:
    bob = _client(us, "bob")
    assert bob.get("/api/v1/cases/diana/export").status_code == 404
    assert bob.post("/api/v1/cases/diana/imports/stix", json={"type": "bundle"}).status_code == 404
    alice = _client(us, "alice")
    bad = alice.post("/api/v1/cases/copy/imports/stix", json={"Event": {}})
    assert bad.status_code == 422 and bad.json()["code"] == "interop.invalid"
    us.settings.interop_max_import_bytes = 1024
    big = alice.post("/api/v1/cases/copy/imports/misp", json=json.loads(MISP.read_text()))
    assert big.status_code == 413 and big.json()["code"] == "interop.too_large"


def test_integers_over_64_bits_are_taken_or_refused_clearly_never_a_500(us: Node) -> None:
    """orjson cannot write integers over 64 bits; the size check must not trip on them."""
    alice = _client(us, "alice")
    huge = 2**70
    event = json.loads(MISP.read_text())
    event["Event"]["x_counter"] = huge  # a field no mapping reads: imported as usual
    event["Event"]["Attribute"][1]["x_counter"] = -huge
    made = alice.post("/api/v1/cases/copy/imports/misp", json=event)
    assert made.status_code == 201, made.text
    assert made.json()["by_tlp"]["RED"] == 1
    event = json.loads(MISP.read_text())
    event["Event"]["Attribute"][0]["value"] = huge  # where text is needed: a clear 422
    bad = alice.post("/api/v1/cases/diana/imports/misp", json=event)
    assert bad.status_code == 422, bad.text
    assert bad.json()["code"] == "interop.invalid" and bad.json()["where"] == "Event.Attribute[0]"


def test_export_of_an_expansion_over_the_api(ring: Node) -> None:
    alice = _client(ring, "alice")
    route = "/api/v1/network/expand/export"
    answer = alice.get(route, params={"q": SHARED_PHONE, "hops": 3, "peer": PEER})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert stix_problems(json.dumps(body["bundle"])) == [] and body["lines"] is None
    assert (body["start"], body["kind"], body["format"]) == (SHARED_PHONE, "phone", "stix")
    assert sum(w["count"] for w in body["withheld"]) == 2 and body["entities"] == 3
    assert not any(secret.lower() in answer.text.lower() for secret in HIDDEN)
    public = alice.get(route, params={"q": SHARED_PHONE, "hops": 3, "format": "ftm"}).json()
    assert {line["marking"]["tlp"] for line in public["lines"]} == {"CLEAR"}
    assert public["peer"] is None and public["bundle"] is None
    unknown = alice.get(route, params={"q": "nobody@nowhere.example"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "network.unknown_selector"
    hidden = alice.get(route, params={"entity": "p-zed"})
    assert hidden.status_code == 404 and "p-zed" in hidden.json()["message"]
    assert alice.get(route, params={"q": "12345", "kind": "phone"}).status_code == 422
    assert alice.get(route).status_code == 422  # neither q nor entity
    assert alice.get(route, params={"q": SHARED_PHONE, "peer": "nobody"}).status_code == 404


def test_an_expansion_export_larger_than_the_setting_allows_is_refused(ring: Node) -> None:
    alice = _client(ring, "alice")
    route = "/api/v1/network/expand/export"
    allowed = ring.settings.interop_max_export_nodes
    refused = alice.get(route, params={"q": SHARED_PHONE, "limit": allowed + 1})
    assert refused.status_code == 422, refused.text
    assert refused.json()["where"] == "limit"
    assert "JOINTPROBE_INTEROP_MAX_EXPORT_NODES" in refused.json()["message"]
    assert alice.get(route, params={"q": SHARED_PHONE, "limit": allowed}).status_code == 200
