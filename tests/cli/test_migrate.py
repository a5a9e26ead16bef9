"""``jointprobe migrate --check`` tells an operator whether an upgrade is pending."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from typer.testing import CliRunner

from jointprobe.cli.main import app
from jointprobe.store import make_engine
from jointprobe.store.migrate import alembic_config, head_revision

runner = CliRunner()


def jp(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, " ".join(result.output.split())


def test_check_says_whether_an_upgrade_is_pending_and_migrate_performs_it(tmp_path: Path) -> None:
    data = tmp_path / "us"
    assert jp(data, "migrate", "--check")[0] == 7  # no node here: config.invalid
    assert jp(data, "init", "--node-id", "us-x", "--name", "X", "--country", "US")[0] == 0
    engine = make_engine(f"sqlite:///{data / 'node.db'}")
    head = head_revision(engine)
    code, out = jp(data, "migrate", "--check")
    assert (code, out) == (0, f"schema at head ({head}): no upgrade pending")
    command.downgrade(alembic_config(engine), "0005")
    code, out = jp(data, "migrate", "--check")
    assert code == 1 and f"upgrade pending: schema at 0005, head is {head}" in out, out
    assert "0006" in out
    code, out = jp(data, "migrate")
    assert (code, out) == (0, f"upgraded 0005 → {head}")
    assert jp(data, "migrate", "--check")[0] == 0
    engine.dispose()
