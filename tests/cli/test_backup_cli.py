"""``jointprobe backup`` and ``restore`` as an operator types them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from jointprobe.cli.main import app

runner = CliRunner()


def jp(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, " ".join(result.output.split())


def test_backup_then_restore_into_an_empty_folder_and_never_over_a_node(tmp_path: Path) -> None:
    node, copy, restored = tmp_path / "us", tmp_path / "backup", tmp_path / "us-restored"
    assert jp(node, "init", "--node-id", "us-x", "--name", "X", "--country", "US")[0] == 0
    assert jp(node, "peer", "card", "--out", str(tmp_path / "card.json"))[0] == 0  # keys made
    code, out = jp(node, "backup", str(copy))
    assert code == 0 and "backed up node us-x (schema" in out, out
    assert sorted(p.name for p in copy.iterdir()) == ["manifest.json", "node.db", "node.key"]
    code, out = jp(node, "restore", str(copy))
    assert code == 4 and "refusing to restore into a folder that is not empty" in out, out
    code, out = jp(restored, "restore", str(copy))
    assert code == 0 and "restored node us-x from the backup taken" in out, out
    code, out = jp(restored, "audit", "verify")
    assert code == 0, out
    assert (restored / "node.key").read_bytes() == (node / "node.key").read_bytes()
    code, out = jp(tmp_path / "elsewhere", "restore", str(tmp_path / "card.json"))
    assert code == 2 and "not a jointprobe backup" in out, out
