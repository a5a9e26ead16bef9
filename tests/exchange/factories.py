"""One-line factories for exchange tests: nodes with real keys, trusted peers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jointprobe.exchange.card import NodeCard
from jointprobe.exchange.envelope import Agreement, Envelope, TrustedPeer, seal
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Marking, Tlp

NOW = datetime(2017, 8, 14, 9, 30, tzinfo=UTC)


@dataclass
class Node:
    keys: NodeKeys
    card: NodeCard

    @property
    def id(self) -> str:
        return self.keys.node_id


def node(node_id: str, country: str = "US") -> Node:
    keys = NodeKeys.generate(node_id)
    card = NodeCard.create(
        keys, name=node_id.upper(), country=country, endpoint="http://127.0.0.1:1", issued=NOW
    )
    return Node(keys, card)


def trusted(peer: Node, **agreement: Any) -> TrustedPeer:
    return TrustedPeer(peer.card, Agreement(**agreement))


def lookup(*peers: TrustedPeer) -> Any:
    table = {p.node_id: p for p in peers}
    return table.get


def marking(tlp: str = "AMBER", originator: str = "us-hsi-nola", **extra: Any) -> Marking:
    return Marking.from_dict({"tlp": tlp, "originator": originator, **extra})


def referral_body(
    originator: str = "us-hsi-nola",
    tlp: str = "AMBER",
    *,
    selectors: int = 1,
    note: str | None = None,
) -> dict[str, Any]:
    m = marking(tlp, originator).to_dict()
    return {
        "title": "Vendor 'Diana'",
        "narrative": "Online vendor offering fentanyl to US buyers.",
        "requested_action": "Identify the subscriber and the operation behind the number.",
        "due": "2017-09-14T00:00:00.000Z",
        "items": [
            {
                "item_id": f"sel-{n + 1}",
                "type": "selector",
                "selector": {"type": "phone", "value": f"+86 311 5555 {n:04d}"},
                "marking": m,
                **({"note": note} if note is not None else {}),
            }
            for n in range(selectors)
        ],
        "marking": m,
    }


def envelope(
    sender: Node,
    *recipients: Node,
    kind: str = "referral",
    body: dict[str, Any] | None = None,
    now: datetime = NOW,
    seq: int = 1,
) -> Envelope:
    return seal(
        sender.keys,
        kind=kind,
        body=referral_body(sender.id) if body is None else body,
        recipients={r.id: r.card.box_public for r in recipients},
        seq={r.id: seq for r in recipients} if kind != "receipt" else None,
        now=now,
    )


__all__ = ["NOW", "Node", "Tlp", "envelope", "lookup", "marking", "node", "trusted"]
