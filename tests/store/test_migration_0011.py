"""Migration 0011 recovers the keys peers rotated away from before 0006 kept a history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from tests.exchange.factories import marking
from tests.exchange.live import HANDLERS, keys, make_node, peer

from jointprobe.errors import Conflict, InvalidInput
from jointprobe.exchange.card import NodeCard
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.identity import own_card, rotate_own_keys
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.peerkeys import add_old_key, key_history
from jointprobe.node import Node
from jointprobe.store import upgrade_to_head
from jointprobe.store.migrate import alembic_config


def _rotate_by_notice(us: Node, cn: Node, seq: int) -> str:
    """``cn`` rotates its keys and tells ``us`` in a card-update notice; the new fingerprint."""
    old = keys(cn)
    rotation = rotate_own_keys(cn)
    body = {"topic": "card-update", "text": "new keys", "card_update": rotation.update,
            "marking": marking("GREEN", "cn-mps-nnc").to_dict()}  # fmt: skip
    envelope = seal(old, kind="notice", body=body, now=datetime.now(UTC),
                    recipients={"us-hsi-nola": own_card(us).box_public},
                    seq={"us-hsi-nola": seq})  # fmt: skip
    answer, _ = receive(us, keys(us), envelope.to_json(), handlers=HANDLERS)
    assert answer.results[0].status == "applied", answer.results[0]
    return rotation.new_fingerprint


def test_keys_a_peer_rotated_away_from_before_0006_come_back(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    first_card = own_card(cn)
    first = first_card.fingerprint
    second = _rotate_by_notice(us, cn, 1)
    third = _rotate_by_notice(us, cn, 2)
    with us.session() as session:
        before = [(k.fingerprint, k.current) for k in key_history(session, "cn-mps-nnc")]
    assert before == [(first, False), (second, False), (third, True)]
    # The node as it was before 0006: no history table; upgrading backfills, then recovers.
    command.downgrade(alembic_config(us.engine), "0005")
    command.upgrade(alembic_config(us.engine), "0007")
    with us.session() as session:  # what 0006 alone leaves: the current key only
        assert [k.fingerprint for k in key_history(session, "cn-mps-nnc")] == [third]
    upgrade_to_head(us.engine)
    with us.session() as session:
        history = key_history(session, "cn-mps-nnc")
    assert [(k.fingerprint, k.current, k.source) for k in history] == [
        (second, False, "recovered"),
        (third, True, "backfill"),
    ]
    assert history[0].superseded_at == history[1].accepted_at
    # the key pinned by `peer add` was kept as a fingerprint only: the partner hands over
    # its old card, which must carry a fingerprint this node replaced by a rotation
    assert first not in {k.fingerprint for k in history}
    stranger = NodeCard.create(NodeKeys.generate("cn-mps-nnc"), name="MPS", country="CN",
                               endpoint="http://127.0.0.1:1")  # fmt: skip
    with us.write_session() as session, pytest.raises(InvalidInput, match="never replaced"):
        add_old_key(session, stranger.to_dict())
    with us.write_session() as session:
        added = add_old_key(session, first_card.to_dict())
    assert (added.fingerprint, added.source, added.current) == (first, "operator", False)
    with us.session() as session:
        history = key_history(session, "cn-mps-nnc")
    assert [k.fingerprint for k in history] == [first, second, third]
    assert history[0].superseded_at == history[1].accepted_at
    with us.write_session() as session, pytest.raises(Conflict):
        add_old_key(session, first_card.to_dict())
    command.downgrade(alembic_config(us.engine), "0010")
    with us.session() as session:
        assert [k.fingerprint for k in key_history(session, "cn-mps-nnc")] == [first, third]
    us.close()
    cn.close()
