"""Signed receipts: the receiver's proof of what it did with each message (§8)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from jointprobe.exchange.envelope import (
    Envelope,
    TrustedPeer,
    envelope_from_dict,
    open_envelope,
    seal,
    verify,
)
from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.payloads import ReceiptBody, ReceiptResult, parse_body
from jointprobe.exchange.wire import format_time

#: Statuses after which the sender may consider a message delivered.
DELIVERED = frozenset({"applied", "held", "duplicate"})
#: The receiver refused the message and recorded that: its sequence slot is settled.
REFUSED = "rejected"
#: The receiver did not record the message (not authenticated, not readable, slot taken):
#: the sender sends it again, and parks it after a bounded number of such answers.
INVALID = "invalid"


@dataclass(frozen=True)
class Result:
    """What the receiver did with one envelope."""

    id: str
    digest: str
    status: str
    code: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"id": self.id, "digest": self.digest, "status": self.status, "code": self.code}


def make_receipt(
    keys: NodeKeys,
    peer: TrustedPeer,
    results: Sequence[Result],
    *,
    now: datetime,
    applied_through: int | None = None,
) -> Envelope:
    """A receipt envelope from this node to ``peer`` covering ``results``.

    ``applied_through`` is this node's last applied sequence number from
    ``peer``: the sender learns from it which delivered messages still wait.
    """
    body: dict[str, object] = {
        "received": format_time(now),
        "results": [r.to_dict() for r in results],
    }
    if applied_through is not None:
        body["applied_through"] = applied_through
    return seal(
        keys,
        kind="receipt",
        body=body,
        recipients={peer.node_id: peer.card.box_public},
        now=now,
    )


def read_receipt(
    data: object, *, keys: NodeKeys, peer: TrustedPeer, now: datetime, window_seconds: float
) -> ReceiptBody:
    """Verify a receipt from ``peer`` and return its body (``results_by_id`` indexes it)."""
    envelope = envelope_from_dict(data)
    if envelope.kind != "receipt" or envelope.sender != peer.node_id:
        raise MalformedEnvelope("expected a receipt from the peer delivered to")
    verify(
        envelope,
        peers=lambda node: peer if node == peer.node_id else None,
        me=keys.node_id,
        now=now,
        window_seconds=window_seconds,
    )
    body = parse_body("receipt", open_envelope(envelope, keys).body)
    if not isinstance(body, ReceiptBody):
        raise MalformedEnvelope("expected a receipt body")
    return body


def results_by_id(body: ReceiptBody) -> dict[str, ReceiptResult]:
    """Results by message id; for an id listed twice (a tampered copy sent beside the
    real one), the result that says the receiver has it wins."""
    found: dict[str, ReceiptResult] = {}
    for result in body.results:
        if result.id not in found or result.status in DELIVERED:
            found[result.id] = result
    return found


__all__ = [
    "DELIVERED",
    "INVALID",
    "REFUSED",
    "Result",
    "make_receipt",
    "read_receipt",
    "results_by_id",
]
