"""What was exchanged about a referral reads back on both nodes, each with its marking
(SQLite and PostgreSQL for the node under test, a SQLite peer, the real inbox)."""

from pathlib import Path

import pytest
from sqlalchemy import select
from tests.exchange.live import HANDLERS
from tests.templates import new_node

from jointprobe.accounts import create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.config import Settings
from jointprobe.errors import NotFound
from jointprobe.exchange.identity import node_keys, own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.peers import add_peer
from jointprobe.exchange.tables import OutboxEntry
from jointprobe.exchange.workflow import (
    ReferralIn,
    acknowledge,
    ask_about,
    exchanged,
    send_notice,
    send_outcome,
    send_referral,
    subject_of,
    visible_notices,
    visible_referral,
)
from jointprobe.node import Node
from jointprobe.store.tables import User
from jointprobe.timeutil import utcnow

SEIZURE = {"type": "seizure", "description": "2 kg", "details": {"quantity": "2", "unit": "kg"}}


def _deliver(sender: Node, recipient: Node, done: set[str]) -> None:
    with sender.session() as session:
        query = select(OutboxEntry.message_id, OutboxEntry.envelope).where(
            OutboxEntry.peer_id == node_keys(recipient).node_id
        )
        rows = list(session.execute(query.order_by(OutboxEntry.seq)))
    for message_id, raw in rows:
        if message_id not in done:
            answer, _ = receive(recipient, node_keys(recipient), raw.encode(), handlers=HANDLERS)
            assert answer.results[0].status == "applied", answer.errors[0]
            done.add(message_id)


def _user(session: object, name: str) -> User:
    user = session.scalar(select(User).where(User.username == name))  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def test_outcomes_rfis_and_notices_read_back_with_their_markings(
    node: Node, tmp_path: Path
) -> None:
    cn = new_node(Settings(data_dir=tmp_path / "cn"), "cn-peer", "CN peer", "CN")
    try:
        with node.session() as session:
            analyst = create_user(session, "analyst", "analyst")
            create_user(session, "chem", "chemist")
            create_user(session, "outsider", "analyst")  # not a member of c1
            create_case(session, analyst, CaseIn(id="c1", title="Diana"))
        with cn.session() as session:
            create_user(session, "liaison", "liaison")
        for me, other in ((node, cn), (cn, node)):
            card = own_card(other)
            with me.write_session() as session:
                add_peer(session, card.to_dict(), card.fingerprint)
        with node.write_session() as session:
            data = ReferralIn(case_id="c1", to=["cn-peer"], title="Diana", due=utcnow())
            referral = send_referral(session, _user(session, "analyst"), node_keys(node), data)
        done: set[str] = set()
        _deliver(node, cn, done)
        with cn.write_session() as session:
            liaison, keys = _user(session, "liaison"), node_keys(cn)
            acknowledge(session, liaison, keys, referral, decision="accept")
            send_outcome(
                session, liaison, keys, referral, outcomes=[SEIZURE], tlp="GREEN", use="evidential"
            )
            rfi = ask_about(
                session, liaison, keys, referral, peer_id="us-test", question="Which port?"
            )
            send_notice(session, liaison, keys, to=["us-test"], topic="alert", text="Alias")
        _deliver(cn, node, done)

        for side, user, direction in ((node, "analyst", "in"), (cn, "liaison", "out")):
            with side.session() as session:
                actor = _user(session, user)
                about = exchanged(session, actor, visible_referral(session, actor, referral))
                [outcome] = about.outcomes
                assert (outcome.direction, outcome.kind, outcome.details["unit"]) == (
                    direction, "seizure", "kg",
                )  # fmt: skip
                assert outcome.marking["tlp"] == "GREEN"
                assert outcome.marking["use"] == "evidential"
                assert [t.rfi.id for t in about.rfis] == [rfi]
                subject = subject_of(session, actor, about.rfis[0].rfi)
                assert subject is not None and subject.id == referral
        with node.session() as session:  # the RFI is about c1's referral: c1's need-to-know
            [row] = visible_referral(session, _user(session, "analyst"), rfi)
            assert row.case_id == "c1"
            with pytest.raises(NotFound):
                visible_referral(session, _user(session, "outsider"), rfi)
        with node.session() as session:
            [notice] = visible_notices(session, _user(session, "analyst"))
            assert (notice.topic, notice.text, notice.marking["tlp"]) == ("alert", "Alias", "GREEN")
            assert visible_notices(session, _user(session, "chem")) == []
    finally:
        cn.close()
