"""Limits at the door: what an unauthenticated request can cost a node, and what a
receipt promises. Junk is refused before the write lock; deep JSON is a clean 400."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from jointprobe.exchange.envelope import seal
from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.tables import InboxEntry
from jointprobe.web import create_app

from .factories import node, referral_body
from .live import HANDLERS, keys, make_node


@pytest.fixture
def cn(tmp_path):
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    yield cn
    cn.close()


def _strangers_batch(cn, n: int) -> bytes:
    """``n`` well-formed envelopes from a node ``cn`` does not trust."""
    stranger = node("mx-fgr-cenapi", "MX")
    box = keys(cn).box_public
    envelopes = [
        seal(stranger.keys, kind="referral", body=referral_body("mx-fgr-cenapi"),
             recipients={"cn-mps-nnc": bytes(box)}, now=datetime.now(UTC),
             seq={"cn-mps-nnc": i + 1}).to_json()
        for i in range(n)
    ]  # fmt: skip
    return b"[" + b",".join(envelopes) + b"]"


def test_an_unauthenticated_batch_is_answered_without_taking_the_write_lock(cn):
    raw = _strangers_batch(cn, 200)
    answers: list[tuple[Any, Any]] = []
    with cn.write_lock:  # another writer holds the lock for as long as this test likes
        worker = threading.Thread(
            target=lambda: answers.append(receive(cn, keys(cn), raw, handlers=HANDLERS))
        )
        worker.start()
        worker.join(5)
        assert not worker.is_alive(), "the junk batch waited for the write lock"
    [(answer, batch)] = answers
    assert batch and answer.receipt is None
    assert {(r.status, r.code) for r in answer.results} == {("invalid", "envelope.unknown_sender")}
    with cn.session() as s:
        assert s.query(InboxEntry).count() == 0


@pytest.mark.parametrize("depth", [65, 10_000, 200_000])
def test_deeply_nested_json_is_refused_as_malformed_not_a_crash(cn, depth):
    raw = b"[" * depth + b"]" * depth
    with pytest.raises(MalformedEnvelope, match="deeper than|not JSON"):
        receive(cn, keys(cn), raw, handlers=HANDLERS)


def test_deeply_nested_json_gets_400_from_the_inbox_route(cn):
    with TestClient(create_app(cn)) as client:
        answer = client.post(
            "/api/v1/exchange/inbox", content=b'{"a":' * 50_000 + b"1" + b"}" * 50_000
        )
    assert answer.status_code == 400 and answer.json()["code"] == "envelope.malformed"


def test_a_receipt_is_signed_only_after_a_commit_that_is_on_disk(cn):
    with cn.engine.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: the WAL is synced
