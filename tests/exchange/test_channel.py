"""No silent wedge: every outbound message ends applied, refused or parked, and the
channel moves on. Two real nodes on loopback; the network in between is tampered with."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from jointprobe.accounts import create_token, create_user
from jointprobe.exchange.errors import MessageTooLarge
from jointprobe.exchange.outbox import (
    deliver_outbox,
    deliver_peer,
    drop,
    enqueue,
    outbox_rows,
    retry,
)
from jointprobe.exchange.peers import peer_status
from jointprobe.exchange.tables import InboxEntry, OutboxEntry, Peer
from jointprobe.exchange.wire import MAX_ENVELOPE_BYTES
from jointprobe.store.tables import AuditEntry
from jointprobe.web import create_app
from jointprobe.web.pages.dashdata import dashboard

from .factories import referral_body
from .live import Served, analyst, keys, make_node, peer

US, CN = "us-hsi-nola", "cn-mps-nnc"
Change = Callable[[int, list[dict[str, Any]]], list[dict[str, Any]] | None]


class Tamper(httpx.HTTPTransport):
    """Changes the envelopes of a batch on their way to the peer, as a hostile network would."""

    def __init__(self, change: Change) -> None:
        super().__init__()
        self.change, self.calls = change, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        batch = json.loads(request.read())
        changed = self.change(self.calls, batch)
        if changed is not None:
            headers = {k: v for k, v in request.headers.items() if k != "content-length"}
            request = httpx.Request(
                request.method, request.url, headers=headers, content=json.dumps(changed).encode()
            )
        return super().handle_request(request)


def _flip_signature(envelope: dict[str, Any]) -> None:
    value = envelope["signature"]["value"]
    envelope["signature"]["value"] = ("B" if value[0] == "A" else "A") + value[1:]


@pytest.fixture
def pair(tmp_path):
    us = make_node(tmp_path, US, "HSI New Orleans", "US")
    cn = make_node(tmp_path, CN, "MPS", "CN")
    peer(us, cn)
    yield us, cn
    us.close()
    cn.close()


def _queue(us, n: int, **kw) -> list[str]:
    ids = []
    with us.write_session() as session:
        for _ in range(n):
            body = referral_body(US, **kw)
            ids.append(enqueue(session, keys(us), kind="referral", body=body, to=[CN]).id)
    return ids


def _states(us) -> list[str]:
    with us.session() as s:
        return [r.state for r in s.query(OutboxEntry).order_by(OutboxEntry.seq)]


def _inbox(cn) -> list[tuple[int, str, str]]:
    with cn.session() as s:
        rows = s.query(InboxEntry).order_by(InboxEntry.seq)
        return [(r.seq, r.kind, r.state) for r in rows]


def test_an_envelope_corrupted_in_transit_is_sent_again_and_the_channel_is_not_held(pair):
    us, cn = pair
    _queue(us, 3)

    def corrupt_second_once(call: int, batch: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
        if call == 1:
            _flip_signature(batch[1])
            return batch
        return None

    tamper = Tamper(corrupt_second_once)
    with Served(cn), httpx.Client(transport=tamper, timeout=10) as client:
        deliver_outbox(us, keys(us), client=client)
    assert tamper.calls == 2  # the corrupted one went again, at once
    assert _states(us) == ["delivered"] * 3
    assert _inbox(cn) == [(1, "referral", "applied"), (2, "referral", "applied"),
                          (3, "referral", "applied")]  # fmt: skip
    with cn.session() as s:
        assert s.get(Peer, US).in_seq == 3
    with us.session() as s:
        assert s.get(Peer, CN).peer_applied_seq == 3


def test_a_message_the_peer_keeps_refusing_unread_is_parked_then_dropped_and_the_channel_moves_on(
    pair,
):
    us, cn = pair
    us.settings.delivery_max_failures = 3
    _queue(us, 3)

    def always_corrupt_first(call: int, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        first: list[dict[str, Any]] = json.loads(json.dumps(batch))
        for envelope in first:
            if envelope["seq"][CN] == 1:
                _flip_signature(envelope)
        return first

    with Served(cn), httpx.Client(transport=Tamper(always_corrupt_first), timeout=10) as client:
        for _ in range(6):
            with us.write_session() as session:  # no waiting for the backoff in a test
                session.get(Peer, CN).next_attempt_at = None
            deliver_outbox(us, keys(us), client=client)
        assert _states(us) == ["parked", "delivered", "delivered"]
        assert _inbox(cn) == [(2, "referral", "held"), (3, "referral", "held")]
        with us.session() as s:
            [status] = peer_status(s)
            assert (status.parked, status.held_by_peer) == (1, 2) and status.wedged
            [failed] = outbox_rows(s, failed=True)
            assert failed.seq == 1 and "envelope.bad_signature" in (failed.last_error or "")
        with cn.session() as s:
            [status] = peer_status(s)
            assert (status.holding, status.waiting_for) == (2, 1)
        with us.write_session() as s:  # the dashboard tells those who run the channel
            supervisor = create_user(s, "sup", "supervisor")
            [channel] = dashboard(s, supervisor).channels
            assert (channel.node_id, channel.parked, channel.held_by_peer) == (CN, 1, 2)
            assert dashboard(s, analyst(s)).channels == []

        with us.write_session() as session:
            drop(session, "operator", keys(us), failed.id, reason="corrupted on every path")
        with httpx.Client(timeout=10) as client:
            deliver_outbox(us, keys(us), client=client)

    assert _states(us) == ["dropped", "delivered", "delivered"]
    assert _inbox(cn) == [(1, "void", "applied"), (2, "referral", "applied"),
                          (3, "referral", "applied")]  # fmt: skip
    with us.session() as s:
        [row] = outbox_rows(s, failed=True)
        assert row.void == "done"
        [status] = peer_status(s)
        assert not status.wedged and status.dropped == 1
    with cn.session() as s:
        assert not peer_status(s)[0].wedged


def test_a_parked_message_retried_by_the_operator_is_delivered(pair):
    us, cn = pair
    us.settings.delivery_max_failures = 1
    _queue(us, 2)

    def corrupt_all(call: int, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for envelope in batch[:1]:
            _flip_signature(envelope)
        return batch

    with Served(cn):
        with httpx.Client(transport=Tamper(corrupt_all), timeout=10) as client:
            deliver_outbox(us, keys(us), client=client)
        assert _states(us) == ["parked", "delivered"]
        with us.write_session() as session:
            retry(session, "operator", outbox_rows(session, failed=True)[0].id)
        with httpx.Client(timeout=10) as client:
            deliver_outbox(us, keys(us), client=client)
    assert _states(us) == ["delivered", "delivered"]
    assert [state for _, _, state in _inbox(cn)] == ["applied", "applied"]


def test_one_message_too_large_for_the_peer_is_parked_not_resent_and_a_drop_lets_the_rest_apply(
    pair,
):
    us, cn = pair
    cn.settings.max_body_bytes = 100_000  # this peer takes less than we send
    _queue(us, 1, selectors=600)  # ~190 kB sealed
    _queue(us, 1)
    with Served(cn), httpx.Client(timeout=10) as client:
        reports = deliver_outbox(us, keys(us), client=client)
        assert len(reports) < 10  # it did not spin
        # an unsigned 413 (a proxy says so too) parks it for the operator, never withdraws it
        assert _states(us) == ["parked", "delivered"]
        assert _inbox(cn) == [(2, "referral", "held")]
        with us.write_session() as session:
            [row] = outbox_rows(session, failed=True)
            assert "envelope.too_large" in (row.last_error or "") and row.void is None
            drop(
                session, "operator", keys(us), row.id, reason="too large for them; resend as parts"
            )
        deliver_outbox(us, keys(us), client=client)
    assert _states(us) == ["dropped", "delivered"]
    assert _inbox(cn) == [(1, "void", "applied"), (2, "referral", "applied")]
    with cn.session() as s:  # the peer learns that it was dropped, not the operator's words
        [withdrawn] = [e for e in s.query(AuditEntry) if e.action == "withdraw"]
        assert withdrawn.detail["reason"] == "dropped" and withdrawn.detail["seq"] == 1


def test_a_message_dropped_after_a_lost_answer_that_the_peer_applied_shows_delivered(pair):
    us, cn = pair
    _queue(us, 1)

    class LoseAnswer(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            super().handle_request(request)  # the peer applies it; its answer is lost
            raise httpx.ReadError("connection reset")

    with Served(cn):
        with httpx.Client(transport=LoseAnswer(), timeout=10) as client:
            deliver_outbox(us, keys(us), client=client)
        assert _states(us) == ["queued"]
        with us.write_session() as session:
            drop(session, "operator", keys(us), outbox_rows(session)[0].id)
        with us.write_session() as session:  # no waiting for the backoff in a test
            session.get(Peer, CN).next_attempt_at = None
        with httpx.Client(timeout=10) as client:
            deliver_outbox(us, keys(us), client=client)
    assert _states(us) == ["delivered"]  # the void found the message itself in its slot
    assert _inbox(cn) == [(1, "referral", "applied")]
    with us.session() as s:
        assert "before it was withdrawn" in (s.query(OutboxEntry).one().last_error or "")


def test_a_drop_while_the_batch_is_in_flight_is_not_overwritten_by_the_receipt(pair):
    us, cn = pair
    _queue(us, 2)

    class DropMeanwhile(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            with us.write_session() as session:  # the operator acts while the POST is out
                second = [r for r in outbox_rows(session) if r.seq == 2][0]
                drop(session, "operator", keys(us), second.id)
            return super().handle_request(request)

    with Served(cn):
        with httpx.Client(transport=DropMeanwhile(), timeout=10) as client:
            deliver_peer(us, keys(us), CN, client)
        with us.session() as s:
            [row] = outbox_rows(s, failed=True)
            assert (row.seq, row.state, row.void) == (2, "dropped", "pending")
        with httpx.Client(timeout=10) as client:
            deliver_outbox(us, keys(us), client=client)
    # the peer had it already: the void says so and the row tells the truth
    assert _states(us) == ["delivered", "delivered"]
    assert [state for _, _, state in _inbox(cn)] == ["applied", "applied"]


def test_a_message_over_the_protocol_limit_is_refused_when_queued_naming_the_limit(pair):
    us, _cn = pair
    with pytest.raises(MessageTooLarge) as info, us.write_session() as session:
        body = referral_body(US, selectors=9_000, note="x" * 300)
        enqueue(session, keys(us), kind="referral", body=body, to=[CN])
    assert f"{MAX_ENVELOPE_BYTES:,}" in info.value.message
    with us.session() as s:
        assert s.query(OutboxEntry).count() == 0
        assert s.get(Peer, CN).out_seq == 0  # nothing queued, no sequence number used


def test_the_outbox_api_is_for_admins_and_channel_state_for_those_who_run_the_channels(pair):
    us, cn = pair
    us.settings.delivery_max_failures = 1
    _queue(us, 1)

    def corrupt(call: int, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        _flip_signature(batch[0])
        return batch

    with Served(cn), httpx.Client(transport=Tamper(corrupt), timeout=10) as client:
        deliver_outbox(us, keys(us), client=client)
    with us.write_session() as s:
        create_user(s, "admin1", "admin")
        create_user(s, "liaison1", "liaison")
        tokens = {name: create_token(s, name) for name in ("analyst", "admin1", "liaison1")}
    auth = {name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()}
    with TestClient(create_app(us)) as api:
        assert api.get("/api/v1/exchange/peers", headers=auth["analyst"]).status_code == 403
        [peer_row] = api.get("/api/v1/exchange/peers", headers=auth["liaison1"]).json()
        assert peer_row["parked"] == 1
        failed = "/api/v1/exchange/outbox?failed=true"
        assert api.get(failed, headers=auth["liaison1"]).status_code == 403
        [row] = api.get(failed, headers=auth["admin1"]).json()
        assert row["state"] == "parked" and "bad_signature" in row["last_error"]
        drop_url = f"/api/v1/exchange/outbox/{row['id']}/drop"
        assert api.post(drop_url, json={}, headers=auth["analyst"]).status_code == 403
        again = api.post(f"/api/v1/exchange/outbox/{row['id']}/retry", headers=auth["admin1"])
        assert again.status_code == 200 and again.json()["state"] == "queued"
        twice = api.post(f"/api/v1/exchange/outbox/{row['id']}/retry", headers=auth["admin1"])
        assert twice.status_code == 409 and twice.json()["code"] == "exchange.outbox_state"
        assert api.post("/api/v1/exchange/outbox/999/drop", json={},
                        headers=auth["admin1"]).status_code == 404  # fmt: skip
    with us.session() as s:
        assert [e.action for e in s.query(AuditEntry) if e.object_type == "outbox"] == ["retry"]
