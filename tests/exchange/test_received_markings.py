"""A partner's item keeps the partner's marking here and is not passed on without consent."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.exchange.factories import marking, referral_body
from tests.exchange.live import HANDLERS, analyst, case, keys, make_node, peer

import jointprobe.leads  # noqa: F401  (registers lead routing on received referrals)
from jointprobe.accounts import create_user
from jointprobe.cases import list_events
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.workflow import ReferralIn, send_referral, send_rfi, system_user
from jointprobe.node import Node
from jointprobe.store.tables import CaseEvent, Entity


def test_routed_lead_keeps_originator_and_is_not_forwarded_without_consent(
    tmp_path: Path,
) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    mx = make_node(tmp_path, "mx-fgr", "FGR", "MX")
    peer(us, cn)
    peer(us, mx)
    body = referral_body("cn-mps-nnc")
    person = {"id": "b1", "schema": "Person",
              "properties": {"name": ["John Buyer"], "address": ["Houston, TX"]}}  # fmt: skip
    item_marking = marking("AMBER", "cn-mps-nnc", grading="E5").to_dict()
    body["items"] = [{"item_id": "buyer-1", "type": "entity", "marking": item_marking,
                      "entity": person}]  # fmt: skip
    box = {"us-hsi-nola": own_card(us).box_public}
    env = seal(keys(cn), kind="referral", body=body, recipients=box, now=datetime.now(UTC),
               seq={"us-hsi-nola": 1})  # fmt: skip
    assert receive(us, keys(us), env.to_json(), handlers=HANDLERS)[0].results[0].status == "applied"
    with us.write_session() as session:
        lead = session.query(Entity).filter(Entity.id.like("lead-%")).one()
        assert lead.tlp == "AMBER" and lead.grading == "E5"
        assert lead.handling["originator"] == "cn-mps-nnc" and lead.handling["consent"] == []
        boss = create_user(session, "boss", "supervisor")
        due = datetime.now(UTC) + timedelta(days=3)
        assert lead.case_id is not None
        forward = ReferralIn(
            case_id=lead.case_id, to=["mx-fgr"], title="fwd", due=due, entity_ids=[lead.id]
        )
        with pytest.raises(MarkingForbidden) as info:
            send_referral(session, boss, keys(us), forward)
    assert "consent of cn-mps-nnc" in info.value.message


def _reply(us: Node, cn: Node, kind: str, body: dict[str, Any], to: str, seq: int) -> None:
    env = seal(keys(cn), kind=kind, body=body, recipients={"us-hsi-nola": own_card(us).box_public},
               now=datetime.now(UTC), seq={"us-hsi-nola": seq}, conversation_id=to,
               in_reply_to=to)  # fmt: skip
    result = receive(us, keys(us), env.to_json(), handlers=HANDLERS)[0].results[0]
    assert result.status == "applied", result


def _red_referral_and_rfi(us: Node) -> tuple[str, str]:
    with us.write_session() as session:
        me = analyst(session)
        due = datetime.now(UTC) + timedelta(days=3)
        referral = ReferralIn(case_id="diana", to=["cn-mps-nnc"], title="Diana", due=due,
                              tlp="RED")  # fmt: skip
        referral_id = send_referral(session, me, keys(us), referral)
        rfi_id = send_rfi(session, me, keys(us), to="cn-mps-nnc", question="Who?",
                          case_id="diana", tlp="RED")  # fmt: skip
    return referral_id, rfi_id


def _exchange_events(us: Node) -> list[CaseEvent]:
    with us.session() as session:
        events = list_events(session, system_user(session), "diana")
        return [e for e in events if e.created_by == system_user(session).id]


def test_red_answers_statuses_and_outcomes_keep_their_marking_in_the_case(
    tmp_path: Path,
) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn, max_tlp="RED")
        case(us, "diana")
        referral_id, rfi_id = _red_referral_and_rfi(us)
        red = marking("RED", "cn-mps-nnc", use="evidential", consent=["mx-fgr"], grading="B2",
                      expires="2031-01-01T00:00:00.000Z").to_dict()  # fmt: skip
        seizure = {"type": "seizure", "description": "5 kg seized",
                   "details": {"quantity": 5, "unit": "kg"}}  # fmt: skip
        unfit = {"type": "seizure", "description": "a seizure without quantity"}
        _reply(us, cn, "status", {"state": "in progress", "note": "informant", "marking": red},
               referral_id, 1)  # fmt: skip
        _reply(us, cn, "outcome", {"outcomes": [seizure, unfit], "marking": red}, referral_id, 2)
        _reply(us, cn, "rfi-response", {"answer": "Wang Fengxi", "marking": red}, rfi_id, 3)
        events = _exchange_events(us)
        assert sorted(e.kind for e in events) == ["note", "note", "note", "seizure"]
        for event in events:
            assert (event.tlp, event.grading) == ("RED", "B2"), event.title
            assert event.handling == {"originator": "cn-mps-nnc", "consent": ["mx-fgr"],
                                      "use": "evidential",
                                      "expires": "2031-01-01T00:00:00Z"}  # fmt: skip
    finally:
        us.close()
        cn.close()


def test_acknowledgement_reason_is_held_as_strictly_as_the_referral_it_answers(
    tmp_path: Path,
) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn, max_tlp="RED")
        case(us, "diana")
        referral_id, _ = _red_referral_and_rfi(us)
        ack = {"decision": "decline", "reason": "our informant is involved"}
        _reply(us, cn, "ack", ack, referral_id, 1)
        [note] = _exchange_events(us)
        assert "our informant" in note.title and note.tlp == "RED"
        assert note.handling["originator"] == "cn-mps-nnc" and note.handling["consent"] == []
    finally:
        us.close()
        cn.close()
