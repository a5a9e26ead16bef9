"""A bad marking a local user gives is input.invalid (422), not a malformed envelope."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.exchange.factories import referral_body
from tests.exchange.live import HANDLERS, analyst, case, keys, make_node, peer

from jointprobe.accounts import create_token
from jointprobe.errors import Conflict, InvalidInput
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.peers import set_agreement
from jointprobe.exchange.workflow import (
    ReferralIn,
    SelectorIn,
    acknowledge,
    send_outcome,
    send_referral,
    send_status,
)
from jointprobe.node import Node
from jointprobe.web import create_app


def _pair(tmp_path: Path) -> tuple[Node, str]:
    """``us`` holding a referral received from ``cn-mps-nnc``; returns its id."""
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    box = {"us-hsi-nola": own_card(us).box_public}
    ref = seal(keys(cn), kind="referral", body=referral_body("cn-mps-nnc"), recipients=box,
               now=datetime.now(UTC), seq={"us-hsi-nola": 1})  # fmt: skip
    assert receive(us, keys(us), ref.to_json(), handlers=HANDLERS)[0].results[0].status == "applied"
    return us, ref.id


def test_bad_tlp_in_status_and_outcome_requests_is_refused_by_schema_422(
    tmp_path: Path,
) -> None:
    us, referral_id = _pair(tmp_path)
    with us.session() as session:
        token = create_token(session, "analyst")
    client = TestClient(create_app(us))
    h = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/exchange/referrals/{referral_id}"
    r = client.post(f"{url}/status", json={"state": "working", "tlp": "PURPLE"}, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "request.invalid" and r.json()["where"] == "body.tlp"
    outcome = {"outcomes": [{"type": "arrest", "description": "x"}], "tlp": "PINK"}
    r = client.post(f"{url}/outcome", json=outcome, headers=h)
    assert (r.status_code, r.json()["code"]) == (422, "request.invalid")
    # a good label still goes through
    r = client.post(f"{url}/status", json={"state": "working", "tlp": "amber"}, headers=h)
    assert r.status_code == 201, r.text


def test_bad_markings_in_services_are_input_invalid(tmp_path: Path) -> None:
    us, referral_id = _pair(tmp_path)
    case(us, "c1")
    due = datetime.now(UTC) + timedelta(days=3)
    phone = SelectorIn(type="phone", value="+86 311 5555 0100")
    with us.write_session() as session:
        with pytest.raises(InvalidInput):
            send_status(session, analyst(session), keys(us), referral_id, state="s", tlp="X")
        for bad in (
            {"tlp": "ULTRA"},
            {"grading": "Z9"},
            {"consent": ["Not A Node"]},
        ):
            data = ReferralIn(case_id="c1", to=["cn-mps-nnc"], title="t", due=due,
                              selectors=[phone], **bad)  # fmt: skip
            with pytest.raises(InvalidInput):
                send_referral(session, analyst(session), keys(us), data)
        with pytest.raises(InvalidInput):
            set_agreement(session, "cn-mps-nnc", max_tlp="BLUE")
        with pytest.raises(InvalidInput):
            set_agreement(session, "cn-mps-nnc", kinds=["gossip"])


def test_nothing_is_reported_on_a_declined_referral(tmp_path: Path) -> None:
    us, referral_id = _pair(tmp_path)
    with us.write_session() as session:
        acknowledge(session, analyst(session), keys(us), referral_id, decision="decline")
    with us.write_session() as session:
        with pytest.raises(Conflict, match="declined"):
            send_status(session, analyst(session), keys(us), referral_id, state="working")
        outcomes = [{"type": "arrest", "description": "x"}]
        with pytest.raises(Conflict, match="declined"):
            send_outcome(session, analyst(session), keys(us), referral_id, outcomes=outcomes)
