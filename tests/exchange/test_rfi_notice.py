"""Requests for information and notices through the API, between two real nodes."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from jointprobe.accounts import create_token, create_user
from jointprobe.cases import list_events
from jointprobe.exchange.tables import OutboxEntry
from jointprobe.exchange.workflow import get_referral, system_user, timeline
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry
from jointprobe.web import create_app

from .live import Served, case, make_node, peer, wait_for


def _api(node: Node, *users: tuple[str, str]) -> tuple[TestClient, dict[str, dict[str, str]]]:
    """A client (no lifespan: the served node delivers) and a bearer header per user."""
    headers = {}
    with node.session() as session:
        for name, role in users:
            if name != "analyst":
                create_user(session, name, role)
            headers[name] = {"Authorization": f"Bearer {create_token(session, name)}"}
    return TestClient(create_app(node)), headers


def _arrived(node: Node, message_id: str, kind: str, peer_id: str) -> Any:
    def check() -> Any:
        with node.session() as s:
            return [e for e in timeline(s, message_id, peer_id) if e.kind == kind]

    return wait_for(check)


def test_rfi_and_notice_travel_and_the_answer_lands_in_the_askers_case(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn)
        case(us, "diana")
        us_api, us_h = _api(us, ("analyst", "analyst"))
        cn_api, cn_h = _api(cn, ("analyst", "analyst"), ("chem", "chemist"))
        with Served(us), Served(cn):
            rfi = {"to": "cn-mps-nnc", "question": "Who subscribes +86 311 5555 0100?",
                   "case_id": "diana", "due": "2030-01-01T00:00:00"}  # fmt: skip
            r = us_api.post("/api/v1/exchange/rfis", json=rfi, headers=us_h["analyst"])
            assert r.status_code == 201, r.text
            rfi_id = r.json()["id"]
            notice = {"to": ["cn-mps-nnc"], "topic": "alert", "text": "New vendor alias"}
            r = us_api.post("/api/v1/exchange/notices", json=notice, headers=us_h["analyst"])
            assert r.status_code == 201, r.text
            _arrived(cn, rfi_id, "rfi", "us-hsi-nola")
            assert (
                "alert: New vendor alias"
                in _arrived(cn, r.json()["id"], "notice", "us-hsi-nola")[0].summary
            )
            # the unlinked RFI sits in the liaison inbox: a chemist may not answer it
            url = f"/api/v1/exchange/rfis/{rfi_id}/answer"
            r = cn_api.post(url, json={"answer": "x"}, headers=cn_h["chem"])
            assert r.status_code == 404, r.text
            r = cn_api.post(url, json={"answer": "Wang Fengxi"}, headers=cn_h["analyst"])
            assert r.status_code == 201, r.text
            _arrived(us, rfi_id, "rfi-response", "cn-mps-nnc")
        with cn.session() as s:
            audited = s.query(AuditEntry).filter_by(action="rfi-response", object_id=rfi_id)
            assert [e.actor for e in audited] == ["analyst"]
        with us.session() as s:
            assert get_referral(s, rfi_id).state == "answered"
            titles = [e.title for e in list_events(s, system_user(s), "diana")]
            assert "Answer from cn-mps-nnc: Wang Fengxi" in titles
    finally:
        us.close()
        cn.close()


def test_rfi_and_notice_enforce_need_to_know_and_markings(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn)  # agreement: at most TLP:AMBER
        case(us, "diana")
        api, h = _api(us, ("analyst", "analyst"), ("bob", "analyst"))
        question = {"to": "cn-mps-nnc", "question": "Who?", "case_id": "diana"}
        r = api.post("/api/v1/exchange/rfis", json=question, headers=h["bob"])
        assert (r.status_code, r.json()["code"]) == (404, "not_found")  # not a member
        for tlp, status, code in (("RED", 403, "marking.forbidden"),
                                  ("MAUVE", 422, "request.invalid")):  # fmt: skip
            r = api.post("/api/v1/exchange/rfis", json={**question, "tlp": tlp},
                         headers=h["analyst"])  # fmt: skip
            assert (r.status_code, r.json()["code"]) == (status, code), r.text
            notice = {"to": ["cn-mps-nnc"], "topic": "alert", "tlp": tlp}
            r = api.post("/api/v1/exchange/notices", json=notice, headers=h["analyst"])
            assert (r.status_code, r.json()["code"]) == (status, code), r.text
        r = api.post("/api/v1/exchange/notices", json={"to": ["nobody-here"], "topic": "alert"},
                     headers=h["analyst"])  # fmt: skip
        assert r.status_code == 404
        r = api.post("/api/v1/exchange/notices", json={"to": [], "topic": "alert"},
                     headers=h["analyst"])  # fmt: skip
        assert r.status_code == 422
        with us.session() as s:  # nothing refused was queued
            assert s.query(OutboxEntry).count() == 0
    finally:
        us.close()
        cn.close()
