"""/api/v1/precursors: notifications answered between two nodes, reports, incidents;
roles, caps, malformed input and audited reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.precursors.pair import USERS, Wire, make, trust

from jointprobe.accounts import create_token
from jointprobe.node import Node
from jointprobe.scenarios.precursor_trade import incident_form, pen_form
from jointprobe.store.tables import AuditEntry
from jointprobe.timeutil import utcnow
from jointprobe.web import create_app

API = "/api/v1/precursors"


def _client(node: Node) -> tuple[TestClient, dict[str, dict[str, str]]]:
    with node.session() as session:
        heads = {n: {"Authorization": f"Bearer {create_token(session, n)}"} for n in USERS}
    return TestClient(create_app(node)), heads


def test_notification_answer_and_incident_through_the_api(tmp_path: Path) -> None:
    cn, us = make(tmp_path, "cn-nnc", "CN"), make(tmp_path, "us-dea", "US")
    try:
        trust(cn, us)
        cn_api, cn_h = _client(cn)
        us_api, us_h = _client(us)
        pen = {**pen_form(utcnow()), "to": "us-dea"}
        r = cn_api.post(f"{API}/notifications", json=pen, headers=cn_h["analyst"])
        assert r.status_code == 403 and r.json()["code"] == "auth.forbidden"
        bad = {**pen, "consignments": [{**pen["consignments"][0], "cas": "50-98-5"}]}
        r = cn_api.post(f"{API}/notifications", json=bad, headers=cn_h["reg"])
        assert r.status_code == 422, r.text
        r = cn_api.post(f"{API}/notifications", json={**pen, "surprise": 1}, headers=cn_h["reg"])
        assert r.status_code == 422, r.text
        r = cn_api.post(f"{API}/notifications", json=pen, headers=cn_h["reg"])
        assert r.status_code == 201, r.text
        pen_id = r.json()["id"]
        wire = Wire()
        wire.carry(cn, us)
        r = us_api.get(f"{API}/notifications", headers=us_h["liaison"])
        assert [(n["id"], n["state"], n["overdue"]) for n in r.json()] == [
            (pen_id, "received", False)
        ]
        assert us_api.get(f"{API}/notifications", headers=us_h["chem"]).status_code == 403
        assert us_api.get(f"{API}/{pen_id}", headers=us_h["chem"]).status_code == 404
        assert us_api.get(f"{API}/{'0' * 32}", headers=us_h["reg"]).status_code == 404
        url = f"{API}/notifications/{pen_id}/answer"
        r = us_api.post(url, json={"decision": "no-objection"}, headers=us_h["liaison"])
        assert r.status_code == 403
        r = us_api.post(url, json={"decision": "objection"}, headers=us_h["reg"])
        assert r.status_code == 422
        r = us_api.post(url, json={"decision": "no-objection"}, headers=us_h["reg"])
        assert r.status_code == 201, r.text
        r = us_api.post(url, json={"decision": "no-objection"}, headers=us_h["reg"])
        assert r.status_code == 409 and r.json()["code"] == "precursor.already_answered"
        wire.carry(us, cn)
        r = cn_api.get(f"{API}/{pen_id}", headers=cn_h["reg"])
        detail = r.json()[0]
        assert (detail["state"], detail["decision"]) == ("answered", "no-objection")
        assert detail["body"]["exit_point"].startswith("Shanghai")
        assert detail["answers"][0]["marking"]["originator"] == "us-dea"
        with cn.session() as session:
            reads = session.scalars(select(AuditEntry.actor).where(
                AuditEntry.action == "read", AuditEntry.object_id == pen_id))  # fmt: skip
            assert list(reads) == ["reg"]
        incident = incident_form(date(2026, 11, 30))
        r = us_api.post(f"{API}/incidents", json=incident, headers=us_h["liaison"])
        assert r.status_code == 201 and r.json()["sent_to"] == ["cn-nnc"], r.text
        wire.carry(us, cn)
        r = cn_api.get(f"{API}/incidents", headers=cn_h["liaison"])
        assert r.json()[0]["marking"]["originator"] == "us-dea"
        assert cn_api.get(f"{API}/incidents?limit=0", headers=cn_h["reg"]).status_code == 422
        huge = {**incident, "narrative": "x" * 20_001}
        r = us_api.post(f"{API}/incidents", json=huge, headers=us_h["liaison"])
        assert r.status_code == 422
    finally:
        cn.close()
        us.close()
