import json
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from jointprobe.cli.main import app
from jointprobe.config import Settings
from jointprobe.entities import import_ftm_lines
from jointprobe.node import open_node
from jointprobe.store.tables import Entity

runner = CliRunner()


def jp(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_init_user_token_case_entity_audit(tmp_path: Path) -> None:
    d = tmp_path / "us"
    code, out = jp(d, "init", "--node-id", "us-hsi", "--name", "HSI", "--country", "US")
    assert code == 0, out
    assert jp(d, "user", "add", "alice", "--role", "analyst")[0] == 0
    code, token = jp(d, "token", "create", "alice")
    assert code == 0 and token.strip().startswith("jp_")
    assert jp(d, "case", "create", "Diana", "--id", "diana", "--as", "alice")[0] == 0
    assert jp(d, "user", "add", "bob", "--role", "analyst")[0] == 0
    assert jp(d, "case", "add-member", "diana", "bob", "--as", "alice")[0] == 0
    code, out = jp(d, "case", "remove-member", "diana", "bob", "--as", "alice")
    assert code == 0 and "bob removed from diana" in out, out
    code, out = jp(d, "case", "remove-member", "diana", "bob", "--as", "alice")
    assert code != 0 and "bob is not a member of diana" in out, out
    person = json.dumps({"id": "p1", "schema": "Person", "properties": {"name": ["Diana"]}})
    assert jp(d, "entity", "add", person, "--case", "diana", "--as", "alice")[0] == 0
    code, out = jp(d, "entity", "show", "p1", "--as", "alice")
    assert code == 0 and "Diana" in out
    code, out = jp(d, "case", "show", "diana")  # operator is not a member
    assert code == 3 and "no case 'diana'" in out
    code, out = jp(d, "audit", "verify")
    assert code == 0 and "intact" in out


def test_clear_errors_and_exit_codes(tmp_path: Path) -> None:
    d = tmp_path / "n"
    code, out = jp(d, "case", "list")
    assert code != 0 and "jointprobe init" in out
    jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "CN")
    code, out = jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "CN")
    assert code == 4 and "already initialised" in out
    code, out = jp(d, "user", "add", "xavier", "--role", "wizard")
    assert code == 2 and "unknown role" in out
    code, out = jp(d, "entity", "add", "{nope")
    assert code == 2 and "malformed JSON" in out
    code, out = jp(tmp_path / "m", "init", "--node-id", "BAD ID", "--name", "N", "--country", "US")
    assert code == 2


def test_entity_import_reports_line_numbers(tmp_path: Path) -> None:
    d = tmp_path / "n"
    jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "US")
    f = tmp_path / "in.jsonl"
    good = json.dumps({"id": "a", "schema": "Person", "properties": {"name": ["A"]}})
    f.write_text(good + "\n{broken\n" + json.dumps({"id": "b", "schema": "Nope"}) + "\n")
    code, out = jp(d, "entity", "import", str(f))
    assert code == 1
    assert "in.jsonl:2" in out and "in.jsonl:3" in out and "1 imported" in out
    code, out = jp(d, "entity", "import", str(f), "--strict")
    assert code == 2 and "nothing imported" in out
    code, out = jp(d, "entity", "import", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "no such file" in out


def test_an_interrupted_import_says_which_lines_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jointprobe.cli import entities as cli_entities

    real = import_ftm_lines

    def interrupted_at_line_450(*args: Any, **kwargs: Any) -> Any:
        def on_line(n: int) -> None:  # Ctrl-C while line 450's batch is being written
            if n >= 450:
                raise KeyboardInterrupt

        kwargs.update(on_line=on_line, batch=50, commit_every=200, workers=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli_entities, "import_ftm_lines", interrupted_at_line_450)
    d = tmp_path / "n"
    jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "US")
    jp(d, "user", "add", "alice", "--role", "analyst")
    f = tmp_path / "in.jsonl"
    people: list[dict[str, Any]] = [
        {"id": f"p{i}", "schema": "Person", "properties": {"name": [f"P {i}"]}} for i in range(1000)
    ]
    f.write_text("".join(json.dumps(p) + "\n" for p in people))
    code, out = jp(d, "entity", "import", str(f), "--as", "alice")
    assert code == 130
    assert "400 entities (lines 1–400) stay imported" in out
    assert "from line 401 on, was rolled back" in out
    node = open_node(Settings(data_dir=d))
    with node.session() as session:
        assert session.scalar(select(func.count()).select_from(Entity)) == 400
    node.close()
    f.write_text("".join(json.dumps({**p, "id": "s" + p["id"]}) + "\n" for p in people))
    code, out = jp(d, "entity", "import", str(f), "--as", "alice", "--strict")
    assert code == 130 and "interrupted: nothing was committed; run the import again" in out


def test_a_ctrl_c_during_a_commit_is_reported_with_that_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT arriving while lines 1–400 are committed: they are reported as kept."""
    from jointprobe.cli import entities as cli_entities

    real_import, real_commit = import_ftm_lines, Session.commit
    commits = 0

    def commit_then_ctrl_c(self: Session) -> None:
        nonlocal commits
        real_commit(self)
        commits += 1

        if commits == 2:  # the commit of lines 1–400 has just landed
            signal.raise_signal(signal.SIGINT)  # Ctrl-C, handled at once unless held

    def small_batches(*args: Any, **kwargs: Any) -> Any:
        kwargs.update(batch=50, commit_every=200, workers=1)
        return real_import(*args, **kwargs)

    d = tmp_path / "n"
    jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "US")
    jp(d, "user", "add", "alice", "--role", "analyst")
    f = tmp_path / "in.jsonl"
    people = [{"id": f"p{i}", "schema": "Person", "properties": {"name": [f"P {i}"]}}
              for i in range(1000)]  # fmt: skip
    f.write_text("".join(json.dumps(p) + "\n" for p in people))
    monkeypatch.setattr(cli_entities, "import_ftm_lines", small_batches)
    monkeypatch.setattr(Session, "commit", commit_then_ctrl_c)
    code, out = jp(d, "entity", "import", str(f), "--as", "alice")
    monkeypatch.undo()
    assert code == 130 and "400 entities (lines 1–400) stay imported" in out, out
    node = open_node(Settings(data_dir=d))
    with node.session() as session:
        assert session.scalar(select(func.count()).select_from(Entity)) == 400
    node.close()


def test_audit_verify_fails_on_tampering(tmp_path: Path) -> None:
    import sqlite3

    d = tmp_path / "n"
    jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "US")
    jp(d, "user", "add", "alice", "--role", "analyst")
    con = sqlite3.connect(d / "node.db")
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    con.commit()
    con.close()
    code, out = jp(d, "audit", "verify")
    assert code == 9 and "row 2: content edited" in out


def test_invalid_fields_are_clear_errors_not_tracebacks(tmp_path: Path) -> None:
    d = tmp_path / "n"
    jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "US")
    code, out = jp(d, "case", "create", "x", "--id", "bad id!")
    assert code == 2 and "id:" in out and "Traceback" not in out
    code, out = jp(d, "case", "create", "")
    assert code == 2 and "title" in out


def test_disable_enable_role_and_unlock_a_user(tmp_path: Path) -> None:
    d = tmp_path / "n"
    jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "US")
    jp(d, "user", "add", "alice", "--role", "analyst")
    assert jp(d, "user", "disable", "alice")[0] == 0
    code, out = jp(d, "user", "list")
    assert code == 0 and "False" in out
    assert jp(d, "user", "enable", "alice")[0] == 0
    code, out = jp(d, "user", "role", "alice", "--role", "supervisor")
    assert code == 0 and "now supervisor" in out
    assert jp(d, "user", "role", "alice", "--role", "wizard")[0] == 2
    code, out = jp(d, "user", "unlock", "alice")
    assert code == 0 and "0 failed sign-in(s) of alice forgotten" in out
    assert jp(d, "user", "disable", "nobody")[0] == 3
    code, out = jp(d, "audit", "verify")
    assert code == 0 and "intact" in out
