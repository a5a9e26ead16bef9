"""A partner's item keeps the partner's marking here and is not passed on without consent."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.exchange.factories import marking, referral_body
from tests.exchange.live import keys, make_node, peer

import jointprobe.leads  # noqa: F401  (registers lead routing on received referrals)
from jointprobe.accounts import create_user
from jointprobe.exchange.db import write_session
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.workflow import ReferralIn, send_referral
from jointprobe.store.tables import Entity


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
    assert receive(us, keys(us), env.to_json())[0].results[0].status == "applied"
    with write_session(us) as session:
        lead = session.query(Entity).filter(Entity.id.like("lead-%")).one()
        assert lead.tlp == "AMBER" and lead.grading == "E5"
        assert lead.handling["originator"] == "cn-mps-nnc" and lead.handling["consent"] == []
        boss = create_user(session, "boss", "supervisor")
        due = datetime.now(UTC) + timedelta(days=3)
        forward = ReferralIn(
            case_id=lead.case_id, to=["mx-fgr"], title="fwd", due=due, entity_ids=[lead.id]
        )
        with pytest.raises(MarkingForbidden) as info:
            send_referral(session, boss, keys(us), forward)
    assert "consent of cn-mps-nnc" in info.value.message
