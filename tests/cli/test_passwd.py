"""``jointprobe user passwd``: an operator resets a password; every session ends (both engines)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from typer.testing import CliRunner

from jointprobe.accounts import authenticate_password
from jointprobe.accounts.web_sessions import session_is_live, start_session
from jointprobe.cli.main import app
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry

runner = CliRunner()
NOW = datetime.now(UTC)


def jp(node: Node, db_url: str, tmp_path: Path, *args: str, input: str = "") -> tuple[int, str]:
    root = ["--data-dir", str(tmp_path), "--database-url", db_url]
    result = runner.invoke(app, [*root, *args], input=input)
    return result.exit_code, result.output


def test_an_operator_resets_a_password_and_every_session_ends(
    node: Node, db_url: str, tmp_path: Path, make_user: Any
) -> None:
    alice = make_user(node, "alice", password="alice-old-password")
    with node.session() as session:
        start_session(session, "a1", alice.id, NOW + timedelta(hours=1), NOW)
        start_session(session, "a2", alice.id, NOW + timedelta(hours=1), NOW)
    code, out = jp(node, db_url, tmp_path, "user", "passwd", "alice", "--stdin",
                   input="alice-new-password\n")  # fmt: skip
    assert code == 0, out
    assert "password of alice set; 2 web session(s) ended" in out
    with node.session() as session:
        assert not session_is_live(session, "a1", alice.id)
        assert not session_is_live(session, "a2", alice.id)
        assert authenticate_password(session, "alice", "alice-new-password").id == alice.id
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.detail["password"] == "reset"
    assert "alice-new-password" not in str(last.detail)


def test_passwd_prompts_twice_and_refuses_bad_input(
    node: Node, db_url: str, tmp_path: Path, make_user: Any
) -> None:
    make_user(node, "alice", password="alice-old-password")
    args = ("user", "passwd", "alice")
    code, out = jp(node, db_url, tmp_path, *args, input="typed-twice-pw\ntyped-twice-pw\n")
    assert code == 0, out
    assert "typed-twice-pw" not in out  # hidden
    assert out.count("New password") == 1 and "Repeat for confirmation" in out
    code, out = jp(node, db_url, tmp_path, *args, "--stdin", input="short\n")
    assert code == 2 and "at least 8 characters" in out
    code, out = jp(node, db_url, tmp_path, *args, "--stdin", input="")
    assert code == 2 and "no password given" in out
    code, out = jp(node, db_url, tmp_path, "user", "passwd", "nobody", "--stdin", input="x" * 9)
    assert code == 3
    with node.session() as session:
        assert authenticate_password(session, "alice", "typed-twice-pw")
