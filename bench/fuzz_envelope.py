"""Coverage-guided fuzzing of what a peer's bytes reach, with atheris (libFuzzer).

    pip install atheris
    PYTHONPATH=src .venv/bin/python bench/fuzz_envelope.py -atheris_runs=200000 [corpus/]

Each input goes the way ``receive`` takes it, without a database: the size
limit and JSON (``load_json``), a batch or one envelope, the shape
(``envelope_from_dict``), signature and trust (``verify``), decryption
(``open_envelope``) and the body (``parse_body``); receipts through
``read_receipt``. Refusals are ``JointprobeError``s; any other exception is a
finding and stops the run with the input that caused it. The first seed is a
valid envelope signed with real keys, so mutations start from the real shape.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import atheris

with atheris.instrument_imports():
    from jointprobe.errors import JointprobeError
    from jointprobe.exchange.card import NodeCard
    from jointprobe.exchange.envelope import (
        Agreement,
        TrustedPeer,
        envelope_from_dict,
        load_json,
        open_envelope,
        seal,
        verify,
    )
    from jointprobe.exchange.keys import NodeKeys
    from jointprobe.exchange.payloads import parse_body
    from jointprobe.exchange.receipts import read_receipt

NOW = datetime(2017, 8, 14, 9, 30, tzinfo=UTC)
LIMIT = 1_000_000
WINDOW = 600.0


def _node(node_id: str) -> tuple[NodeKeys, TrustedPeer]:
    keys = NodeKeys.generate(node_id)
    card = NodeCard.create(keys, name=node_id, country="US", endpoint="http://127.0.0.1:1")
    return keys, TrustedPeer(card, Agreement())


US_KEYS, US = _node("us-hsi-nola")
CN_KEYS, CN = _node("cn-mps-nnc")
MARKING = {"tlp": "AMBER", "originator": "us-hsi-nola"}
SEED = seal(
    US_KEYS,
    kind="referral",
    body={
        "title": "Vendor",
        "narrative": "n",
        "requested_action": "a",
        "due": "2017-09-14T00:00:00.000Z",
        "marking": MARKING,
    },
    recipients={CN.node_id: CN.card.box_public},
    seq={CN.node_id: 1},
    now=NOW,
).to_json()


def take(item: Any) -> None:
    """One envelope of a batch, as the inbox takes it; refusals are answers."""
    try:
        envelope = envelope_from_dict(item)
        verify(envelope, peers={US.node_id: US}.get, me=CN.node_id, now=NOW, window_seconds=WINDOW)
        message = open_envelope(envelope, CN_KEYS)
        parse_body(envelope.kind, message.body)
    except JointprobeError:
        pass
    try:
        read_receipt(item, keys=US_KEYS, peer=CN, now=NOW, window_seconds=WINDOW)
    except JointprobeError:
        pass


def test_one_input(raw: bytes) -> None:
    try:
        data = load_json(raw, max_bytes=LIMIT)
    except JointprobeError:
        return
    for item in data if isinstance(data, list) else [data]:
        take(item)


def main() -> None:
    if len(sys.argv) > 1 and not sys.argv[-1].startswith("-"):
        (corpus := __import__("pathlib").Path(sys.argv[-1])).mkdir(exist_ok=True)
        (corpus / "seed-referral.json").write_bytes(SEED)
    test_one_input(SEED)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
