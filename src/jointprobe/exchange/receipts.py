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
    keys: NodeKeys, peer: TrustedPeer, results: Sequence[Result], *, now: datetime
) -> Envelope:
    """A receipt envelope from this node to ``peer`` covering ``results``."""
    body = {"received": format_time(now), "results": [r.to_dict() for r in results]}
    return seal(
        keys,
        kind="receipt",
        body=body,
        recipients={peer.node_id: peer.card.box_public},
        now=now,
    )


def read_receipt(
    data: object, *, keys: NodeKeys, peer: TrustedPeer, now: datetime, window_seconds: float
) -> dict[str, ReceiptResult]:
    """Verify a receipt from ``peer`` and return its results by message id."""
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
    assert isinstance(body, ReceiptBody)
    return {result.id: result for result in body.results}


__all__ = ["DELIVERED", "Result", "make_receipt", "read_receipt"]
