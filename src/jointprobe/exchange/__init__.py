"""Federated exchange between agency nodes (capability C2).

Signed, encrypted envelopes (docs/protocol.md), node identity and cards,
handling markings and the release decision. The public surface is listed in
``__all__``.
"""

from __future__ import annotations

from jointprobe.exchange.card import CardUpdate, NodeCard, fingerprints_equal
from jointprobe.exchange.envelope import (
    KINDS,
    Agreement,
    Envelope,
    Message,
    TrustedPeer,
    authorise,
    examine,
    open_envelope,
    parse_envelope,
    resign,
    seal,
    verify,
)
from jointprobe.exchange.keys import NodeKeys, load_keys, save_keys
from jointprobe.exchange.markings import (
    Channel,
    Decision,
    Grading,
    Marking,
    Purpose,
    Tlp,
    Use,
    may_release,
    require_release,
)

__all__ = [
    "KINDS",
    "Agreement",
    "CardUpdate",
    "Channel",
    "Decision",
    "Envelope",
    "Grading",
    "Marking",
    "Message",
    "NodeCard",
    "NodeKeys",
    "Purpose",
    "Tlp",
    "TrustedPeer",
    "Use",
    "authorise",
    "examine",
    "fingerprints_equal",
    "load_keys",
    "may_release",
    "open_envelope",
    "parse_envelope",
    "require_release",
    "resign",
    "save_keys",
    "seal",
    "verify",
]
