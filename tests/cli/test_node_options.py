"""Node options (--data-dir, --database-url) are accepted before the command and after it."""

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jointprobe.cli.main import app

runner = CliRunner()
INIT = ("init", "--node-id", "us-x", "--name", "Y", "--country", "US")


def jp(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_init_takes_data_dir_after_the_command(tmp_path: Path) -> None:
    d = tmp_path / "us"
    code, out = jp(*INIT, "--data-dir", str(d))
    assert code == 0, out
    assert (d / "node.db").exists()


def test_options_after_commands_at_every_depth(tmp_path: Path) -> None:
    d = str(tmp_path / "us")
    assert jp(*INIT, "--data-dir", d)[0] == 0
    code, out = jp("user", "add", "alice", "--role", "analyst", "--data-dir", d)
    assert code == 0 and "alice" in out, out
    code, out = jp("case", "create", "Diana", "--id", "diana", "--as", "alice", "--data-dir", d)
    assert code == 0, out
    code, out = jp("case", "list", "--as", "alice", "--data-dir", d)
    assert code == 0 and "diana" in out, out
    code, out = jp("audit", "verify", "--data-dir", d)
    assert code == 0 and "intact" in out, out
    # a nested group and the group level in between
    code, out = jp("peer", "outbox", "--failed", "--data-dir", d)
    assert code == 0, out
    code, out = jp("peer", "--data-dir", d, "outbox", "retry", "999")
    assert code != 0 and "999" in out, out  # reached the node: no such outbox row
    code, out = jp("peer", "outbox", "retry", "999", "--data-dir", d)
    assert code != 0 and "999" in out, out


def test_the_option_after_reaches_the_node(tmp_path: Path) -> None:
    """The value after the command is the one used, not the default data dir."""
    d = str(tmp_path / "n")
    code, out = jp("case", "list", "--data-dir", d)
    assert code != 0 and f"{d}: no node here" in out, out


def test_database_url_after_the_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    d = str(tmp_path / "keys")
    args = ("--node-id", "us-x", "--name", "Y", "--country", "US")
    code, out = jp("init", *args, "--data-dir", d, "--database-url", url)
    assert code == 0, out
    assert (tmp_path / "elsewhere.db").exists()
    add_bob = ("user", "add", "bob", "--role", "analyst")
    code, out = jp(*add_bob, "--database-url", url, "--data-dir", d)
    assert code == 0, out


def test_same_value_twice_is_fine_different_values_are_an_error(tmp_path: Path) -> None:
    d = str(tmp_path / "us")
    other = str(tmp_path / "other")
    args = ("init", "--node-id", "us-x", "--name", "Y", "--country", "US")
    assert jp("--data-dir", d, *args, "--data-dir", d)[0] == 0
    code, out = jp("--data-dir", other, "user", "add", "bob", "--role", "analyst", "--data-dir", d)
    assert code == 2 and "given twice with different values" in out, out
    assert not Path(other).exists()
    code, out = jp("peer", "--data-dir", other, "outbox", "--data-dir", d)
    assert code == 2 and "given twice with different values" in out, out


@pytest.mark.parametrize("where", ["before", "after"])
def test_typed_option_beats_the_environment(tmp_path: Path, where: str) -> None:
    d = str(tmp_path / "typed")
    env = {"JOINTPROBE_DATA_DIR": str(tmp_path / "from-env")}
    args = ["init", "--node-id", "us-x", "--name", "Y", "--country", "US"]
    args = ["--data-dir", d, *args] if where == "before" else [*args, "--data-dir", d]
    code, out = jp(*args, env=env)
    assert code == 0, out
    assert Path(d).exists() and not (tmp_path / "from-env").exists()


def test_every_command_has_the_node_options() -> None:
    root = typer.main.get_command(app)
    seen = 0
    stack = [root]
    while stack:
        group = stack.pop()
        for name, command in getattr(group, "commands", {}).items():
            names = {p.name for p in command.params}
            assert {"data_dir", "database_url"} <= names, name
            stack.append(command)
            seen += 1
    assert seen > 40
    code, out = jp("peer", "outbox", "retry", "--help")
    assert code == 0 and "--data-dir" in out and "--database-url" in out, out
