"""Fuzzing the inbox's batch entry point: garbage is refused and never recorded.

Two real nodes (own SQLite databases, real keys, each trusting the other);
``receive`` gets arbitrary bytes, arbitrary JSON, batches of arbitrary objects
and mutations of a valid signed referral. It answers or raises a
JointprobeError, and the inbox never holds a message the sender did not sign.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jointprobe.errors import JointprobeError
from jointprobe.exchange.envelope import Envelope, seal
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.tables import InboxEntry
from jointprobe.node import Node

from .factories import NOW, referral_body
from .fuzzing import (
    EXAMPLES,
    FUZZ,
    ByteEdit,
    Mutation,
    attempt,
    byte_edits,
    encode,
    json_objects,
    json_values,
    mutations,
)
from .live import HANDLERS, keys, make_node, peer

#: Each delivery is a write transaction: half the parsers' examples keeps the file near 20 s.
RECEIVING = settings(FUZZ, max_examples=max(EXAMPLES // 2, 1))


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Node, Node]]:
    base: Path = tmp_path_factory.mktemp("fuzz-receive")
    us = make_node(base, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(base, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    yield us, cn
    us.close()
    cn.close()


@pytest.fixture(scope="module")
def valid(nodes: tuple[Node, Node]) -> Envelope:
    us, cn = nodes
    to = keys(cn).node_id
    return seal(
        keys(us),
        kind="referral",
        body=referral_body(),
        recipients={to: own_card(cn).box_public},
        seq={to: 1},
        now=NOW,
    )


def inbox(node: Node) -> list[str]:
    with node.session() as session:
        return [entry.digest for entry in session.query(InboxEntry)]


def deliver(nodes: tuple[Node, Node], raw: bytes) -> None:
    """Deliver ``raw`` to CN; only a JointprobeError may interrupt."""
    _, cn = nodes
    attempt(lambda: receive(cn, keys(cn), raw, now=NOW, handlers=HANDLERS), JointprobeError)


@RECEIVING
@given(raw=st.binary(max_size=2000))
@example(raw=b"[]")
@example(raw=b"[1, null, {}]")
@example(raw=b'[{"id": 5}]')
def test_arbitrary_bytes_are_refused_and_nothing_is_recorded(
    nodes: tuple[Node, Node], raw: bytes
) -> None:
    before = inbox(nodes[1])
    deliver(nodes, raw)
    assert inbox(nodes[1]) == before


@RECEIVING
@given(data=json_values | st.lists(json_objects, min_size=1, max_size=5))
def test_arbitrary_json_and_batches_are_refused_and_nothing_is_recorded(
    nodes: tuple[Node, Node], data: Any
) -> None:
    before = inbox(nodes[1])
    deliver(nodes, encode(data))
    assert inbox(nodes[1]) == before


@RECEIVING
@given(data=st.data(), batch=st.booleans())
def test_mutated_envelopes_are_recorded_only_when_their_signed_content_is_unchanged(
    nodes: tuple[Node, Node], valid: Envelope, data: Any, batch: bool
) -> None:
    mutation: Mutation = data.draw(mutations(valid.to_dict()))
    document = mutation.apply(valid.to_dict())
    deliver(nodes, encode([document, document] if batch else document))
    assert set(inbox(nodes[1])) <= {valid.digest()}


@RECEIVING
@given(edit=byte_edits)
def test_envelopes_with_flipped_bytes_are_recorded_only_when_their_signed_content_is_unchanged(
    nodes: tuple[Node, Node], valid: Envelope, edit: ByteEdit
) -> None:
    deliver(nodes, edit.apply(valid.to_json()))
    assert set(inbox(nodes[1])) <= {valid.digest()}


def test_a_deeply_nested_batch_is_refused_as_malformed(nodes: tuple[Node, Node]) -> None:
    deliver(nodes, b"[" * 1000 + b"]" * 1000)


def test_an_envelope_id_with_a_lone_surrogate_is_refused_as_malformed(
    nodes: tuple[Node, Node],
) -> None:
    deliver(nodes, b'{"id":"\\ud800"}')


def test_the_unmutated_envelope_is_recorded_once(nodes: tuple[Node, Node], valid: Envelope) -> None:
    deliver(nodes, valid.to_json())
    deliver(nodes, valid.to_json())
    assert inbox(nodes[1]) == [valid.digest()]
