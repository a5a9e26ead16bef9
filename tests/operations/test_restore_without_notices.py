"""A peer whose agreement does not cover notices mends the channel at its next delivery."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.exchange.factories import referral_body
from tests.exchange.live import keys, make_node, peer

from jointprobe.config import Settings
from jointprobe.exchange.outbox import deliver_outbox, enqueue
from jointprobe.exchange.tables import InboxEntry, Referral
from jointprobe.node import Node
from jointprobe.operations.backup import backup, restore
from jointprobe.web import create_app


def _refer(us: Node, n: int) -> list[str]:
    with us.write_session() as session:
        return [
            enqueue(session, keys(us), kind="referral", body=referral_body(), to=["cn-mps-nnc"]).id
            for _ in range(n)
        ]


def _deliver(us: Node, cn: Node) -> None:
    with TestClient(create_app(cn)) as receiver:
        deliver_outbox(us, keys(us), client=receiver)


def test_the_peer_sends_again_what_the_restore_lost_when_it_next_delivers(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn, kinds=["referral", "ack"])
    sent = _refer(us, 2)
    _deliver(us, cn)
    backup(cn, tmp_path / "backup")
    sent += _refer(us, 2)
    _deliver(us, cn)
    cn.close()
    restored = restore(Settings(data_dir=tmp_path / "cn-restored"), tmp_path / "backup")
    assert (restored.told, restored.untold) == ([], ["us-hsi-nola"])
    cn2 = restored.node
    sent += _refer(us, 1)
    _deliver(us, cn2)  # held behind the lost 3 and 4; the receipt's applied_through fell to 2
    _deliver(us, cn2)  # 3 and 4 again, then the held 5 applies
    with cn2.session() as session:
        applied = session.scalars(
            select(InboxEntry.message_id).where(InboxEntry.state == "applied")
        )
        assert sorted(applied) == sorted(sent)
        assert session.query(Referral).count() == 5  # each applied once
    cn2.close()
    us.close()
