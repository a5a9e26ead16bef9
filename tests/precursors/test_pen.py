"""Pre-export notifications between two real nodes: sent, received, answered once,
overdue as referrals are, and answers that are forged, replayed or misaddressed refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.exchange.live import HANDLERS

from jointprobe.errors import Conflict, Forbidden, InvalidInput, NotFound
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.workflow import is_overdue
from jointprobe.node import Node
from jointprobe.precursors import (
    PenIn,
    PrecursorMessage,
    answer_pen,
    list_register,
    parse_form,
    read_item,
    send_pen,
)
from jointprobe.scenarios.precursor_trade import pen_form
from jointprobe.store.tables import AuditEntry
from jointprobe.timeutil import utcnow

from .pair import Wire, inbox_state, keys, make, trust, user

CN, US = "cn-mps-nnc", "us-dea-doc"


@pytest.fixture
def pair(tmp_path: Path, db_url: str) -> Iterator[tuple[Node, Node]]:
    """The importing node under test on SQLite and PostgreSQL; the exporter on SQLite."""
    cn, us = make(tmp_path, CN, "CN"), make(tmp_path, US, "US", db_url)
    trust(cn, us)
    yield cn, us
    cn.close()
    us.close()


def _send(cn: Node, now: datetime | None = None, **over: object) -> str:
    form = parse_form(PenIn, {**pen_form(now or utcnow()), **over})
    with cn.write_session() as session:
        return send_pen(session, user(session, "reg"), keys(cn), form, to=US, now=now)


def _row(node: Node, pen_id: str, peer: str) -> PrecursorMessage:
    with node.session() as session:
        row = session.get(PrecursorMessage, (pen_id, peer))
        assert row is not None
        session.expunge(row)
        return row


def test_notification_travels_and_the_final_answer_comes_back_once(pair: tuple[Node, Node]) -> None:
    cn, us = pair
    wire = Wire()
    pen_id = _send(cn)
    assert wire.carry(cn, us) == [("applied", None)]
    got = _row(us, pen_id, CN)
    assert (got.direction, got.state, got.kind) == ("in", "received", "pen")
    assert got.body["consignments"][0]["cas"] == "50-98-6"
    assert got.body["importer"]["licence"].startswith("FX-")
    assert got.marking["originator"] == CN and got.marking["tlp"] == "AMBER"
    with us.write_session() as session:
        answer_pen(session, user(session, "reg"), keys(us), pen_id, decision="rfi",
                   reason="Send the end-user declaration.")  # fmt: skip
    wire.carry(us, cn)
    assert _row(cn, pen_id, US).state == "information-requested"
    with us.write_session() as session:
        answer_pen(session, user(session, "reg"), keys(us), pen_id, decision="no-objection")
    wire.carry(us, cn)
    sent = _row(cn, pen_id, US)
    assert (sent.state, sent.decision) == ("answered", "no-objection")
    assert [a["decision"] for a in sent.answers] == ["rfi", "no-objection"]
    assert all(a["marking"]["originator"] == US for a in sent.answers)
    with us.write_session() as session, pytest.raises(Conflict) as again:
        answer_pen(session, user(session, "reg"), keys(us), pen_id, decision="objection",
                   reason="changed our mind")  # fmt: skip
    assert again.value.code == "precursor.already_answered"
    with cn.session() as session:
        actions = {(e.actor, e.action, e.object_type) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == pen_id))}  # fmt: skip
    assert {("reg", "send", "pen"), (f"peer:{US}", "receive", "pen-answer")} <= actions
    with us.session() as session:
        pairs = {(e.actor, e.action) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == pen_id))}  # fmt: skip
    assert {(f"peer:{CN}", "receive"), ("reg", "answer")} <= pairs


def test_objection_and_request_need_a_reason(pair: tuple[Node, Node]) -> None:
    cn, us = pair
    pen_id = _send(cn)
    Wire().carry(cn, us)
    with us.write_session() as session, pytest.raises(InvalidInput):
        answer_pen(session, user(session, "reg"), keys(us), pen_id, decision="objection")
    with us.write_session() as session, pytest.raises(InvalidInput):
        answer_pen(session, user(session, "reg"), keys(us), pen_id, decision="maybe",
                   reason="x")  # fmt: skip
    assert _row(us, pen_id, CN).state == "received"
    with us.write_session() as session:  # an AMBER notification is not answered under GREEN
        answer_pen(session, user(session, "reg"), keys(us), pen_id, decision="no-objection",
                   tlp="GREEN")  # fmt: skip
    answer = _row(us, pen_id, CN).answers[0]
    assert (answer["marking"]["tlp"], answer["marking"]["originator"]) == ("AMBER", US)


def _forge(sender: Node, recipient: Node, pen_id: str | None, seq: int, **body: object) -> str:
    env = seal(
        keys(sender), kind="pen-answer",
        body={"decision": "objection", "reason": "forged", "marking": {
            "tlp": "AMBER", "originator": keys(sender).node_id}, **body},
        recipients={keys(recipient).node_id: own_card(recipient).box_public},
        seq={keys(recipient).node_id: seq}, now=utcnow(), conversation_id=pen_id or "0" * 32,
        in_reply_to=pen_id,
    )  # fmt: skip
    receive(recipient, keys(recipient), env.to_json(), handlers=HANDLERS)
    return env.id


def test_answers_that_are_not_the_addressees_are_refused_with_a_code(
    pair: tuple[Node, Node], tmp_path: Path
) -> None:
    cn, us = pair
    other = make(tmp_path, "mx-cofepris", "MX")
    try:
        trust(cn, other)
        pen_id = _send(cn)
        Wire().carry(cn, us)
        # a third node answers a notification sent to the US
        wrong = _forge(other, cn, pen_id, 1)
        assert inbox_state(cn, wrong) == ("rejected", "apply:precursor.not_addressee")
        # an answer to a notification nobody sent, and one bound to nothing
        unknown = _forge(us, cn, "f" * 32, 1)
        assert inbox_state(cn, unknown) == ("rejected", "apply:precursor.unknown_notification")
        unbound = _forge(us, cn, None, 2)
        assert inbox_state(cn, unbound) == ("rejected", "apply:precursor.unbound_answer")
        # the exporter cannot answer its own notification in the importer's records
        own = _forge(cn, us, pen_id, 2)
        assert inbox_state(us, own) == ("rejected", "apply:precursor.not_answerable")
        assert _row(cn, pen_id, US).state == "sent"
        assert _row(us, pen_id, CN).state == "received"
    finally:
        other.close()


def test_a_replayed_or_second_final_answer_changes_nothing(pair: tuple[Node, Node]) -> None:
    cn, us = pair
    wire = Wire()
    pen_id = _send(cn)
    wire.carry(cn, us)
    with us.write_session() as session:
        answer_pen(session, user(session, "reg"), keys(us), pen_id, decision="objection",
                   reason="Importer not registered")  # fmt: skip
    wire.carry(us, cn)
    # the same envelope again: the inbox knows its id
    with us.session() as session:
        from jointprobe.exchange.tables import OutboxEntry

        raw = session.scalar(select(OutboxEntry.envelope).where(OutboxEntry.kind == "pen-answer"))
    assert raw is not None
    again, _ = receive(cn, keys(cn), raw.encode(), handlers=HANDLERS)
    assert again.results[0].status == "duplicate"
    # a fresh, validly signed second final answer from the addressee itself
    late = _forge(us, cn, pen_id, 2, decision="no-objection", reason="")
    assert inbox_state(cn, late) == ("rejected", "apply:precursor.already_answered")
    row = _row(cn, pen_id, US)
    assert (row.decision, len(row.answers)) == ("objection", 1)


def test_overdue_is_the_referral_rule(pair: tuple[Node, Node]) -> None:
    cn, us = pair
    wire = Wire()
    early = _send(cn, reply_by=(utcnow() + timedelta(hours=1)).isoformat())
    late = _send(cn)  # reply_by in 15 days
    wire.carry(cn, us)
    now = utcnow() + timedelta(days=1)
    with us.session() as session:
        reg = user(session, "reg")
        overdue = {r.id for r in list_register(session, reg, overdue_at=now)}
        by_row = {r.id for r in list_register(session, reg, kind="pen") if is_overdue(r, now)}
    assert overdue == by_row == {early}
    with us.write_session() as session:
        answer_pen(session, user(session, "reg"), keys(us), early, decision="rfi", reason="?")
    with us.session() as session:
        assert {r.id for r in list_register(session, user(session, "reg"), overdue_at=now)} == {
            early
        }  # a request for information does not stop the clock
    with us.write_session() as session:
        answer_pen(session, user(session, "reg"), keys(us), early, decision="no-objection")
    with us.session() as session:
        assert list_register(session, user(session, "reg"), overdue_at=now) == []
    assert late


def test_need_to_know_register_roles_and_audited_reads(pair: tuple[Node, Node]) -> None:
    cn, us = pair
    pen_id = _send(cn)
    Wire().carry(cn, us)
    with us.write_session() as session:
        for name in ("analyst", "chem"):
            with pytest.raises(Forbidden):
                list_register(session, user(session, name))
            with pytest.raises(NotFound):
                read_item(session, user(session, name), pen_id)
        with pytest.raises(Forbidden):  # the liaison officer sees, the regulator decides
            answer_pen(session, user(session, "liaison"), keys(us), pen_id,
                       decision="no-objection")  # fmt: skip
        assert [r.id for r in list_register(session, user(session, "liaison"))] == [pen_id]
        assert read_item(session, user(session, "liaison"), pen_id)[0].peer_id == CN
    with us.session() as session:
        reads = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "read", AuditEntry.object_id == pen_id))  # fmt: skip
        assert [e.actor for e in reads] == ["liaison"]
    with cn.write_session() as session, pytest.raises(Forbidden):
        form = parse_form(PenIn, pen_form(utcnow()))
        send_pen(session, user(session, "liaison"), keys(cn), form, to=US)


def test_a_notification_over_the_agreement_is_not_sent(tmp_path: Path) -> None:
    cn, us = make(tmp_path, CN, "CN"), make(tmp_path, US, "US")
    try:
        trust(cn, us, max_tlp="GREEN")
        with pytest.raises(Exception) as refused:
            _send(cn)
        assert getattr(refused.value, "code", "") == "marking.forbidden"
        with cn.session() as session:
            assert session.scalars(select(PrecursorMessage)).first() is None
    finally:
        cn.close()
        us.close()
