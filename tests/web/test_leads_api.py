"""POST /api/v1/cases/{case}/leads/from-list: the same path as the CLI (people FICTIONAL)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.exchange.live import case, make_node, peer

from jointprobe.accounts import create_token, create_user
from jointprobe.leads.tables import INVALID_MESSAGE
from jointprobe.store.tables import Entity
from jointprobe.web import create_app

MAPPING = "properties: {name: name, phone: phone}\njurisdiction: {state: state}\nfictional: true"
LIST = "name,phone,state\nAnn Example,+1 212 555 0101,NY\nbad,row\nCy Example,+86 170 5550 0104,\n"


def test_the_api_imports_routes_and_reports_like_the_cli(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US", leads_list_max_bytes=2_000)
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn)
        case(us, "seized-2017")
        with us.session() as session:
            token = create_token(session, "analyst")
            create_user(session, "outsider", "analyst")
            other = create_token(session, "outsider")
        client = TestClient(create_app(us))
        auth = {"Authorization": f"Bearer {token}"}
        url = "/api/v1/cases/seized-2017/leads/from-list"
        with client:
            answer = client.post(url, json={"content": LIST, "mapping": MAPPING}, headers=auth)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert body["bad"] == [{"line": 3, "reason": "2 fields, the header has 3"}]
            routes = {r["jurisdiction"]: r for r in body["routes"]}
            assert routes["US-NY"]["to"] == "hsi-new-york" and routes["US-NY"]["count"] == 1
            assert routes["CN"]["kind"] == "peer" and routes["CN"]["to"] == "cn-mps-nnc"
            assert all(p["fictional"] for p in body["people"])

            hidden = client.post(url, json={"content": LIST, "mapping": MAPPING},
                                 headers={"Authorization": f"Bearer {other}"})  # fmt: skip
            assert hidden.status_code == 404 and hidden.json()["message"] == "no case 'seized-2017'"

            big = client.post(url, json={"content": LIST * 40, "mapping": MAPPING}, headers=auth)
            assert big.status_code == 413 and big.json()["code"] == "leads.list_too_large"

            bad_map = client.post(url, json={"content": LIST, "mapping": "properties: ["},
                                  headers=auth)  # fmt: skip
            assert bad_map.status_code == 422 and bad_map.json()["where"] == "mapping"
            assert "not valid YAML" in bad_map.json()["message"]
    finally:
        us.close()
        cn.close()


def test_a_number_too_long_for_python_is_not_a_server_error(tmp_path: Path) -> None:
    """Review L2a: a JSON-lines row or a mapping with a 5,000-digit integer answered 500."""
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    try:
        case(us, "seized-2017")
        with us.session() as session:
            token = create_token(session, "analyst")
        client = TestClient(create_app(us), raise_server_exceptions=False)
        auth = {"Authorization": f"Bearer {token}"}
        url = "/api/v1/cases/seized-2017/leads/from-list"
        huge = "9" * 5_000
        rows = '{"name": "Ann Example", "phone": "+1 212 555 0101", "state": "NY"}\n' + (
            '{"name": "Bo Example", "phone": ' + huge
        )
        with client:
            answer = client.post(url, json={"content": rows + "}\n", "format": "jsonl",
                                            "mapping": MAPPING}, headers=auth)  # fmt: skip
            assert answer.status_code == 200, answer.text
            assert answer.json()["bad"] == [
                {"line": 2, "reason": "a number in it is too long to read"}
            ]
            bad_map = client.post(url, json={"content": LIST, "mapping": f"id: {huge}"},
                                  headers=auth)  # fmt: skip
            assert bad_map.status_code == 422 and bad_map.json()["where"] == "mapping"
    finally:
        us.close()


def test_a_bad_routing_file_is_refused_by_the_setting_and_nothing_imported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "secret-dir"
    secret.mkdir()
    offices = secret / "offices.yaml"
    offices.write_text("default: {id: q, name: Q, note: held}\noffices: {a: {name: A}}\n"
                       "- hunter2: [unclosed\n")  # fmt: skip
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US", leads_routing_file=offices)
    log = logging.getLogger("jointprobe.leads.tables")  # where the operator is told
    log.addHandler(caplog.handler)
    try:
        case(us, "seized-2017")
        with us.session() as session:
            token = create_token(session, "analyst")
        url = "/api/v1/cases/seized-2017/leads/from-list"
        with TestClient(create_app(us)) as client:
            answer = client.post(url, json={"content": LIST, "mapping": MAPPING},
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert answer.status_code == 500 and answer.json()["code"] == "leads.routing_table_invalid"
        assert answer.json()["message"] == INVALID_MESSAGE
        assert answer.json()["where"] == "JOINTPROBE_LEADS_ROUTING_FILE"
        assert "secret-dir" not in answer.text and "hunter2" not in answer.text
        assert "yaml" not in answer.text.lower()
        logged = [r for r in caplog.records if r.getMessage() == "leads.routing_table_invalid"]
        fields = logged[0].jp_fields  # type: ignore[attr-defined]
        assert fields["file"] == str(offices) and "not valid YAML" in fields["detail"]
        with us.session() as session:
            assert session.scalar(select(func.count()).select_from(Entity)) == 0
    finally:
        log.removeHandler(caplog.handler)
        us.close()
