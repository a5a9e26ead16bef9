"""Kill the receiver mid-batch and the sender with a full outbox (real processes).

Every message must be applied exactly once, in sequence order.
"""

import threading
import time

import httpx
import pytest

from jointprobe.exchange.outbox import deliver_outbox, enqueue
from jointprobe.exchange.tables import InboxEntry, OutboxEntry, Peer, Referral

from .factories import referral_body
from .live import keys, make_node, peer
from .procs import Process

pytestmark = pytest.mark.live

N = 300


def _fill_outbox(us, n=N):
    with us.write_session() as session:
        session.get(Peer, "cn-mps-nnc").batch_limit = 40
        for _ in range(n):
            body = referral_body("us-hsi-nola")
            enqueue(session, keys(us), kind="referral", body=body, to=["cn-mps-nnc"])


def _assert_exactly_once_in_order(cn, n=N):
    with cn.session() as s:
        rows = s.query(InboxEntry).order_by(InboxEntry.id).all()
        assert len(rows) == n, "lost or duplicated messages"
        assert all(r.state == "applied" for r in rows)
        assert sorted(r.seq for r in rows) == list(range(1, n + 1))
        applied = sorted(rows, key=lambda r: (r.applied_at, r.id))
        assert [r.seq for r in applied] == list(range(1, n + 1)), "applied out of order"
        assert s.query(Referral).count() == n
        assert s.get(Peer, "us-hsi-nola").in_seq == n


def _delivered(us):
    with us.session() as s:
        return s.query(OutboxEntry).filter_by(state="delivered").count()


@pytest.fixture
def pair(tmp_path):
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    yield us, cn
    us.close()
    cn.close()


def test_receiver_killed_mid_batch_applies_every_message_exactly_once_in_order(pair):
    us, cn = pair
    _fill_outbox(us)
    receiver = Process(cn).start()
    stop = threading.Event()

    def pump():
        with httpx.Client(timeout=5) as client:
            while not stop.is_set() and _delivered(us) < N:
                with us.write_session() as s:  # retry at once after a kill in tests
                    s.get(Peer, "cn-mps-nnc").next_attempt_at = None
                deliver_outbox(us, keys(us), client=client, max_batches=1)
                time.sleep(0.01)

    thread = threading.Thread(target=pump)
    thread.start()
    try:
        for _ in range(3):
            deadline = time.monotonic() + 20
            start = _delivered(us)
            while _delivered(us) < start + 60 and time.monotonic() < deadline:
                time.sleep(0.01)
            receiver.kill()  # mid-stream: batches in flight are lost or half-answered
            time.sleep(0.2)
            receiver.start()
        deadline = time.monotonic() + 60
        while _delivered(us) < N and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
        receiver.stop()
    assert _delivered(us) == N
    _assert_exactly_once_in_order(cn)


def test_sender_killed_with_a_full_outbox_resumes_and_delivers_exactly_once(pair):
    us, cn = pair
    _fill_outbox(us)
    receiver = Process(cn).start()
    sender = Process(us)
    try:
        for _ in range(2):
            sender.start()
            before = _delivered(us)
            deadline = time.monotonic() + 20
            while _delivered(us) < before + 60 and time.monotonic() < deadline:
                time.sleep(0.01)
            sender.kill()
            assert _delivered(us) < N, "the outbox drained before the kill"
        sender.start()
        deadline = time.monotonic() + 60
        while _delivered(us) < N and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sender.stop()
        receiver.stop()
    assert _delivered(us) == N
    _assert_exactly_once_in_order(cn)
