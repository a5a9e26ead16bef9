"""``jointprobe peer rotate-keys``: new keys, a card update peers accept, an audit row."""

import json
import stat
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from jointprobe.cli.main import app
from jointprobe.config import load_settings
from jointprobe.exchange.peers import add_peer, apply_card_update, get_peer
from jointprobe.node import open_node
from jointprobe.store.tables import AuditEntry

runner = CliRunner()


def jp(data_dir: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], input=stdin)
    return result.exit_code, result.output


def _fingerprint(out: str) -> str:
    return out.split("fingerprint: ")[-1].split()[0]


def _init(base: Path, node_id: str, country: str) -> tuple[Path, dict[str, Any], str]:
    d = base / node_id
    assert jp(d, "init", "--node-id", node_id, "--name", node_id, "--country", country)[0] == 0
    code, out = jp(d, "peer", "card", "--out", str(base / f"{node_id}.card.json"))
    assert code == 0, out
    card = json.loads((base / f"{node_id}.card.json").read_text())
    return d, card, _fingerprint(out)


def test_rotate_keys_asks_first_and_changes_nothing_when_refused(tmp_path: Path) -> None:
    us, _, before = _init(tmp_path, "us-hsi-nola", "US")
    key = (us / "node.key").read_bytes()
    code, out = jp(us, "peer", "rotate-keys", stdin="n\n")
    assert code == 1 and "Rotate the keys of us-hsi-nola?" in out
    assert (us / "node.key").read_bytes() == key and not (us / "node.key.old").exists()
    assert _fingerprint(jp(us, "peer", "card")[1]) == before


def test_rotated_keys_give_a_new_fingerprint_and_an_update_peers_apply(tmp_path: Path) -> None:
    us, us_card, old = _init(tmp_path, "us-hsi-nola", "US")
    cn, _, _ = _init(tmp_path, "cn-mps-nnb", "CN")
    cn_node = open_node(load_settings(data_dir=cn))
    try:
        with cn_node.write_session() as session:
            add_peer(session, us_card, old)
    finally:
        cn_node.close()
    update_file = tmp_path / "us.update.json"
    code, out = jp(us, "peer", "rotate-keys", "--yes", "--out", str(update_file))
    assert code == 0, out
    new = out.split("new fingerprint: ")[1].split()[0]
    assert new != old and f"old fingerprint: {old}" in out
    assert "send" in out.lower() and "jointprobe peer update" in out
    assert _fingerprint(jp(us, "peer", "card")[1]) == new
    assert stat.S_IMODE((us / "node.key.old").stat().st_mode) == 0o600
    # the peer applies the update (signed by the old key) and pins the new fingerprint
    cn_node = open_node(load_settings(data_dir=cn))
    try:
        with cn_node.write_session() as session:
            apply_card_update(session, json.loads(update_file.read_text()))
            peer = get_peer(session, "us-hsi-nola")
            assert peer.fingerprint == new and old in peer.revoked
    finally:
        cn_node.close()
    us_node = open_node(load_settings(data_dir=us))
    try:
        with us_node.session() as session:
            row = session.query(AuditEntry).filter_by(action="rotate").one()
            assert row.detail == {"from": old, "to": new}
    finally:
        us_node.close()
