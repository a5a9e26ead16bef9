"""An entity (and a referral) leaves under the stricter of its own and its case's marking."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.exchange.live import analyst, keys, make_node, peer

from jointprobe.cases import CaseIn, create_case
from jointprobe.entities.service import add_entity
from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.tables import OutboxEntry, Referral
from jointprobe.exchange.workflow import ReferralIn, send_referral
from jointprobe.node import Node


def _red_case_with_amber_entity(node: Node) -> str:
    with node.write_session() as session:
        me = analyst(session)
        create_case(session, me, CaseIn(id="red-case", title="Source case", tlp="RED"))
        person = {"id": "p-informant", "schema": "Person", "properties": {"name": ["Informant"]}}
        return add_entity(session, me, person, case_id="red-case").id


def _referral(entity_id: str, to: str) -> ReferralIn:
    due = datetime.now(UTC) + timedelta(days=3)
    return ReferralIn(case_id="red-case", to=[to], title="t", due=due, entity_ids=[entity_id])


def test_amber_entity_of_a_red_case_is_not_sent_to_an_amber_peer(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn)  # agreement: at most TLP:AMBER
        entity_id = _red_case_with_amber_entity(us)
        with us.write_session() as session, pytest.raises(MarkingForbidden):
            send_referral(session, analyst(session), keys(us), _referral(entity_id, "cn-mps-nnc"))
        with us.session() as session:
            assert session.query(OutboxEntry).count() == 0
    finally:
        us.close()
        cn.close()


def test_entity_and_referral_travel_under_the_case_marking_when_it_is_stricter(
    tmp_path: Path,
) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn, max_tlp="RED")
        entity_id = _red_case_with_amber_entity(us)
        with us.write_session() as session:
            send_referral(session, analyst(session), keys(us), _referral(entity_id, "cn-mps-nnc"))
        with us.session() as session:
            sent = session.query(Referral).one()  # the items and marking as queued
            assert session.query(OutboxEntry).count() == 1
            assert sent.marking["tlp"] == "RED"
            assert [item["marking"]["tlp"] for item in sent.items] == ["RED"]
    finally:
        us.close()
        cn.close()
