"""Suspicious order reports and incidents: shared with every partner the markings allow,
kept under the marking they came with, passed on only with the originator's consent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from jointprobe.cases import CaseIn, create_case
from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.tables import Peer
from jointprobe.node import Node
from jointprobe.precursors import (
    IncidentIn,
    PrecursorMessage,
    SorIn,
    forward_incident,
    list_register,
    parse_form,
    send_sor,
    share_incident,
)
from jointprobe.scenarios.precursor_trade import incident_form, sor_form

from .pair import Wire, keys, make, trust, user

ON = date(2026, 11, 30)


@pytest.fixture
def three(tmp_path: Path, db_url: str) -> Iterator[tuple[Node, Node, Node]]:
    """The node that receives and passes on (cn) on SQLite and PostgreSQL; the others SQLite."""
    us, mx = make(tmp_path, "us-dea", "US"), make(tmp_path, "mx-fgr", "MX")
    cn = make(tmp_path, "cn-nnc", "CN", db_url)
    trust(us, cn)
    trust(us, mx, max_tlp="GREEN")
    trust(cn, mx)
    yield us, cn, mx
    for n in (us, cn, mx):
        n.close()


def _rows(node: Node, kind: str) -> list[PrecursorMessage]:
    with node.session() as session:
        return list(list_register(session, user(session, "liaison"), kind=kind))


def test_an_incident_goes_to_every_partner_its_marking_allows(
    three: tuple[Node, Node, Node],
) -> None:
    us, cn, mx = three
    form = parse_form(IncidentIn, incident_form(ON))  # AMBER, consent "*"
    with us.write_session() as session:
        shared = share_incident(session, user(session, "liaison"), keys(us), form)
    assert shared.sent_to == ["cn-nnc"]
    assert "exceeds the agreement" in shared.refused["mx-fgr"]
    wire = Wire()
    assert wire.carry(us, cn) == [("applied", None)]
    assert wire.carry(us, mx) == []
    got = _rows(cn, "incident")[0]
    assert (got.body["type"], got.marking["originator"], got.marking["consent"]) == (
        "stopped-shipment", "us-dea", ["*"])  # fmt: skip
    # China passes it on to Mexico: the US marking goes with it, unchanged
    with cn.write_session() as session:
        onward = forward_incident(session, user(session, "liaison"), keys(cn), got.id,
                                  from_peer="us-dea")  # fmt: skip
    assert onward.sent_to == ["mx-fgr"]
    wire.carry(cn, mx)
    passed = _rows(mx, "incident")[0]
    assert passed.marking == got.marking and passed.body == got.body


def test_without_consent_a_received_incident_stays_where_it_is(
    three: tuple[Node, Node, Node],
) -> None:
    us, cn, _ = three
    form = parse_form(IncidentIn, {**incident_form(ON), "consent": []})
    with us.write_session() as session:
        share_incident(session, user(session, "reg"), keys(us), form, peers=["cn-nnc"])
    Wire().carry(us, cn)
    got = _rows(cn, "incident")[0]
    with cn.write_session() as session, pytest.raises(MarkingForbidden) as refused:
        forward_incident(session, user(session, "liaison"), keys(cn), got.id, from_peer="us-dea")
    assert "consent of us-dea" in refused.value.message
    with cn.session() as session:
        assert len(list(session.scalars(select(PrecursorMessage)))) == 1


def test_a_report_from_a_case_is_held_as_strictly_as_the_case(
    three: tuple[Node, Node, Node],
) -> None:
    us, cn, _ = three
    with us.write_session() as session:
        liaison = user(session, "liaison")
        create_case(session, liaison, CaseIn(id="c-sor", title="Piperidone orders", tlp="RED"))
    form = parse_form(SorIn, {**sor_form(ON), "tlp": "GREEN", "case_ref": "c-sor"})
    with us.write_session() as session, pytest.raises(MarkingForbidden):
        send_sor(session, user(session, "liaison"), keys(us), form, peers=["cn-nnc"])
    for me, other in ((us, "cn-nnc"), (cn, "us-dea")):  # agreements allow AMBER; case is RED
        with me.write_session() as session:
            session.get(Peer, other).max_tlp = "RED"  # type: ignore[union-attr]
    with us.write_session() as session:
        shared = send_sor(session, user(session, "liaison"), keys(us), form, peers=["cn-nnc"])
    Wire().carry(us, cn)
    got = _rows(cn, "sor")[0]
    assert got.id == shared.id and got.marking["tlp"] == "RED"
    assert got.body["red_flags"][0] == "payment offered in bitcoin"
    # an analyst who is not a member of the case cannot report from it
    with us.write_session() as session, pytest.raises(Exception) as hidden:
        send_sor(session, user(session, "reg"), keys(us), form)
    assert getattr(hidden.value, "code", "") == "not_found"


def test_a_peer_whose_agreement_leaves_out_incidents_is_named_not_sent(tmp_path: Path) -> None:
    us, cn = make(tmp_path, "us-dea", "US"), make(tmp_path, "cn-nnc", "CN")
    try:
        trust(us, cn, kinds=["referral", "ack"])
        with us.write_session() as session, pytest.raises(MarkingForbidden) as none:
            form = parse_form(IncidentIn, incident_form(ON))
            share_incident(session, user(session, "liaison"), keys(us), form)
        assert "does not cover incident" in none.value.message
    finally:
        us.close()
        cn.close()
