"""Back up a live node, exchange, restore it, exchange again: nothing lost, nothing twice.

Two real nodes serve on loopback. After the backup of ``cn`` both sides send
messages; then ``cn`` is restored (an older view of both channels) and served
again at the same address with the same keys. The peer must still trust it,
every message the peer sent after the backup must reach it again, its own new
messages must take numbers the peer has not used, and every message must be
applied exactly once on each side.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.exchange.live import Served, analyst, keys, make_node, peer, wait_for

from jointprobe.audit import verify
from jointprobe.config import Settings
from jointprobe.errors import Conflict, InvalidInput, JointprobeError
from jointprobe.exchange.tables import InboxEntry, OutboxEntry, ReferralEvent
from jointprobe.exchange.workflow.sending import send_notice
from jointprobe.node import Node
from jointprobe.operations.backup import backup, restore
from jointprobe.store.tables import AuditEntry


def _notice(node: Node, to: str, text: str) -> str:
    with node.write_session() as session:
        return send_notice(session, analyst(session), keys(node), to=[to], topic="alert", text=text)


def _all_delivered(node: Node) -> bool:
    with node.session() as session:
        left = session.scalar(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state != "delivered")
        )
        return left == 0


def _applied(node: Node, sender: str) -> list[str]:
    with node.session() as session:
        rows = session.scalars(
            select(InboxEntry.message_id).where(
                InboxEntry.sender == sender, InboxEntry.state == "applied"
            )
        )
        return list(rows)


def _effects(node: Node) -> dict[str, int]:
    """How often each received message's effect (its timeline entry) was written."""
    with node.session() as session:
        rows = session.execute(
            select(ReferralEvent.message_id, func.count())
            .where(ReferralEvent.kind == "notice")
            .group_by(ReferralEvent.message_id)
        )
        return {m: n for m, n in rows if m is not None}


def _resyncs(node: Node) -> list[dict[str, Any]]:
    with node.session() as session:
        rows = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "resync"))
        return [dict(r) for r in rows]


def test_a_restored_node_gets_back_what_peers_sent_after_the_backup(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    to_cn: list[str] = []
    to_us: list[str] = []
    with Served(us):
        with Served(cn):
            to_cn += [_notice(us, "cn-mps-nnc", f"before the backup {i}") for i in range(2)]
            to_us += [_notice(cn, "us-hsi-nola", f"before the backup {i}") for i in range(2)]
            wait_for(lambda: _all_delivered(us) and _all_delivered(cn))
            manifest = backup(cn, tmp_path / "backup")
            to_cn += [_notice(us, "cn-mps-nnc", f"after the backup {i}") for i in range(3)]
            to_us += [_notice(cn, "us-hsi-nola", f"after the backup {i}") for i in range(2)]
            wait_for(lambda: _all_delivered(us) and _all_delivered(cn))
        cn.close()  # the disk fails; the operator restores into a new data dir
        settings = Settings(**{**cn.settings.model_dump(), "data_dir": tmp_path / "cn-restored"})
        restored = restore(settings, tmp_path / "backup")
        cn2 = restored.node
        assert restored.told == ["us-hsi-nola"]
        assert manifest.node_id == "cn-mps-nnc" and set(manifest.files) >= {"node.db", "node.key"}
        with cn2.session() as session:
            report = verify(session)
            assert report.ok, report.problems
        assert len(_applied(cn2, "us-hsi-nola")) == 2  # the backup's view
        with Served(cn2):
            to_cn.append(_notice(us, "cn-mps-nnc", "after the restore"))
            to_us.append(_notice(cn2, "us-hsi-nola", "after the restore"))
            wait_for(lambda: _all_delivered(us) and _all_delivered(cn2), timeout=30)
            wait_for(lambda: sorted(_applied(cn2, "us-hsi-nola")) == sorted(to_cn), timeout=30)
        # nothing lost: the restored node has everything the peer sent, in one copy each
        assert sorted(_applied(cn2, "us-hsi-nola")) == sorted(to_cn)
        effects = _effects(cn2)
        assert all(effects.get(m) == 1 for m in to_cn), effects
        # the peer applied each of ours once, including those the restore lost on our side
        received = _applied(us, "cn-mps-nnc")
        assert set(to_us) <= set(received)
        assert len(received) == len(set(received)) == len(to_us) + 1  # + the restored notice
        assert all(n == 1 for n in _effects(us).values())
        with cn2.session() as session:
            report = verify(session)
            assert report.ok, report.problems
        # how the channels mended: the peer sent again what the restore lost; we renumbered
        assert [d["queued_again"] for d in _resyncs(us) if "queued_again" in d] == [3]
        # the first slot the restore lost is renumbered past the peer's; a later one either
        # too, or it got a fresh number once the counter had moved up (as deliveries fall)
        renumbered = [pair for d in _resyncs(cn2) for pair in d.get("renumbered", [])]
        assert renumbered[:1] == [[3, 5]] and renumbered[1:] in ([], [[4, 6]]), renumbered
        cn2.close()
    us.close()


def test_restore_refuses_a_live_node_and_a_damaged_backup(tmp_path: Path) -> None:
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    keys(cn)  # the key file exists
    backup(cn, tmp_path / "backup")
    with pytest.raises(Conflict, match="not empty"):
        restore(cn.settings, tmp_path / "backup")  # the live node's own data dir
    with pytest.raises(Conflict, match="not empty"):
        backup(cn, tmp_path / "backup")  # never over an earlier backup
    key = tmp_path / "backup" / "node.key"
    key.write_bytes(key.read_bytes()[:-1] + b" ")
    target = Settings(data_dir=tmp_path / "new")
    with pytest.raises(InvalidInput, match="node.key does not match its digest"):
        restore(target, tmp_path / "backup")
    assert not (tmp_path / "new").exists()  # nothing written
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["format"] == "jointprobe-backup/1"
    assert "key_passphrase" not in manifest["settings"]
    cn.close()


def test_a_sealed_key_needs_its_passphrase_before_anything_is_restored(tmp_path: Path) -> None:
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN", key_passphrase="a long passphrase")
    sealed = keys(cn)
    backup(cn, tmp_path / "backup")
    cn.close()
    with pytest.raises(JointprobeError, match="passphrase"):
        restore(Settings(data_dir=tmp_path / "new"), tmp_path / "backup")
    assert not (tmp_path / "new").exists()  # nothing written; the operator tries again
    target = Settings(data_dir=tmp_path / "new", key_passphrase="a long passphrase")
    restored = restore(target, tmp_path / "backup")
    assert keys(restored.node).fingerprint == sealed.fingerprint
    restored.node.close()


def test_a_postgresql_node_is_backed_up_with_pg_dump_and_restored(
    tmp_path: Path, pg_database: str, second_pg_database: str
) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US", database_url=pg_database)
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    notice = _notice(us, "cn-mps-nnc", "queued at the backup")
    manifest = backup(us, tmp_path / "backup")
    assert manifest.database == "postgresql" and "node.pgdump" in manifest.files
    settings = Settings(data_dir=tmp_path / "us-restored", database_url=second_pg_database)
    restored = restore(settings, tmp_path / "backup")
    with restored.node.session() as session:
        assert verify(session).ok
        queued = session.scalars(select(OutboxEntry.message_id).order_by(OutboxEntry.seq))
        assert list(queued)[0] == notice  # the queued message survived, then the notice
    assert keys(restored.node).fingerprint == keys(us).fingerprint  # same identity
    restored.node.close()
    with pytest.raises(Conflict, match="database that is not empty"):
        restore(Settings(data_dir=tmp_path / "again", database_url=second_pg_database),
                tmp_path / "backup")  # fmt: skip
    us.close()
    cn.close()
