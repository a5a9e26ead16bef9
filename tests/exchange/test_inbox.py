"""The inbox applies a batch in one savepoint per run of messages; a refused one stays alone."""

import pytest
from sqlalchemy import text

from jointprobe.errors import InvalidInput
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.tables import InboxEntry, OutboxEntry, Peer, Referral, ReferralEvent
from jointprobe.exchange.workflow import inbox_handlers

from .factories import referral_body
from .live import HANDLERS, keys, make_node, peer


@pytest.fixture
def pair(tmp_path):
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    yield us, cn
    us.close()
    cn.close()


def _batch(us, titles):
    with us.write_session() as session:
        for title in titles:
            body = {**referral_body(), "title": title}
            enqueue(session, keys(us), kind="referral", body=body, to=["cn-mps-nnc"])
    with us.session() as session:
        texts = [e.envelope for e in session.query(OutboxEntry).order_by(OutboxEntry.seq)]
    return ("[" + ",".join(texts) + "]").encode()


@pytest.mark.parametrize("refused", [set(), {"m1"}, {"m3"}, {"m6"}, {"m2", "m3", "m5"}])
def test_a_refused_message_is_rejected_alone_and_the_others_apply_once(pair, refused):
    us, cn = pair
    titles = [f"m{i}" for i in range(1, 7)]
    raw = _batch(us, titles)
    seen: list[str] = []

    def hook(session, msg):
        seen.append(msg.body.title)
        # an effect that must vanish with the refused message
        session.add(ReferralEvent(referral_id=msg.entry.message_id, peer_id="x", kind="hook"))
        if msg.body.title in refused:
            raise InvalidInput(f"refusing {msg.body.title}")

    handlers = inbox_handlers(referral_hooks=[hook])
    answer, batch = receive(cn, keys(cn), raw, handlers=handlers)
    assert batch
    statuses = [r.status for r in answer.results]
    assert statuses == ["rejected" if t in refused else "applied" for t in titles]
    assert all(
        r.code == "apply:input.invalid" if r.status == "rejected" else r.code is None
        for r in answer.results
    ), [r.code for r in answer.results]
    with cn.session() as s:
        rows = s.query(InboxEntry).order_by(InboxEntry.seq).all()
        assert [r.seq for r in rows] == list(range(1, 7))
        assert [r.state for r in rows] == statuses
        assert all((r.applied_at is None) == (r.state == "rejected") for r in rows)
        applied = {r.message_id for r in rows if r.state == "applied"}
        assert {r.id for r in s.query(Referral)} == applied
        hooked = [e.referral_id for e in s.query(ReferralEvent).filter_by(kind="hook")]
        assert sorted(hooked) == sorted(applied), "an effect applied twice or not rolled back"
        received = [e.referral_id for e in s.query(ReferralEvent).filter_by(kind="received")]
        assert sorted(received) == sorted(applied)
        assert s.get(Peer, "us-hsi-nola").in_seq == 6


def test_messages_held_by_an_earlier_delivery_apply_in_order_when_the_gap_closes(pair):
    us, cn = pair
    _batch(us, ["m1", "m2", "m3", "m4"])
    with us.session() as session:
        texts = [e.envelope for e in session.query(OutboxEntry).order_by(OutboxEntry.seq)]
    answer, _ = receive(cn, keys(cn), ("[" + ",".join(texts[2:]) + "]").encode(), handlers=HANDLERS)
    assert [r.status for r in answer.results] == ["held", "held"]
    answer, _ = receive(cn, keys(cn), ("[" + ",".join(texts[:2]) + "]").encode(), handlers=HANDLERS)
    assert [r.status for r in answer.results] == ["applied", "applied"]
    with cn.session() as s:
        rows = s.query(InboxEntry).order_by(InboxEntry.seq).all()
        assert [r.state for r in rows] == ["applied"] * 4
        assert s.get(Peer, "us-hsi-nola").in_seq == 4
        titles = [e.summary for e in s.query(ReferralEvent).order_by(ReferralEvent.id)]
        assert titles == ["m1", "m2", "m3", "m4"]


def test_a_message_rejected_before_decryption_stores_no_body(pair):
    us, cn = pair
    raw = _batch(us, ["m1"])
    with cn.write_session() as s:  # the agreement no longer covers referrals
        s.get(Peer, "us-hsi-nola").allowed_kinds = ["ack"]
    answer, _ = receive(cn, keys(cn), raw, handlers=HANDLERS)
    assert [r.status for r in answer.results] == ["rejected"]
    with cn.session() as s:
        null = s.execute(text("SELECT body IS NULL FROM exchange_inbox")).scalar_one()
        assert null == 1
        assert s.get(Peer, "us-hsi-nola").in_seq == 1


def test_a_kind_the_node_has_no_handler_for_is_refused_not_skipped(pair):
    us, cn = pair
    raw = _batch(us, ["only"])
    without_referrals = {k: v for k, v in HANDLERS.items() if k != "referral"}
    answer, _ = receive(cn, keys(cn), raw, handlers=without_referrals)
    assert [(r.status, r.code) for r in answer.results] == [
        ("rejected", "apply:exchange.unknown_kind")
    ]
    with cn.session() as s:
        assert s.query(Referral).count() == 0
        assert s.get(Peer, "us-hsi-nola").in_seq == 1  # the slot is settled: nothing waits on it


def test_a_handler_that_crashes_refuses_that_message_and_the_channel_moves_on(pair):
    us, cn = pair
    raw = _batch(us, ["ok-1", "boom", "ok-2"])

    def buggy(session, msg):
        if msg.body.title == "boom":
            raise RuntimeError("a bug in a hook")

    answer, _ = receive(cn, keys(cn), raw, handlers=inbox_handlers(referral_hooks=[buggy]))
    assert [(r.status, r.code) for r in answer.results] == [
        ("applied", None),
        ("rejected", "apply:internal"),
        ("applied", None),
    ]
    with cn.session() as s:
        assert s.get(Peer, "us-hsi-nola").in_seq == 3
        assert sorted(r.title for r in s.query(Referral)) == ["ok-1", "ok-2"]
