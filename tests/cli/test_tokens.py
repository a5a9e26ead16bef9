"""token list / revoke-all: an operator can cut off every token of a user at once."""

from pathlib import Path

from typer.testing import CliRunner

from jointprobe.accounts import authenticate_token, list_tokens
from jointprobe.cli.main import app
from jointprobe.config import Settings
from jointprobe.errors import NotFound, Unauthorized
from jointprobe.node import open_node

runner = CliRunner()


def jp(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_revoke_all_cuts_off_every_token_of_one_user_only(tmp_path: Path) -> None:
    d = tmp_path / "node"
    assert jp(d, "init", "--node-id", "us-tok", "--name", "T", "--country", "US")[0] == 0
    for name in ("alice", "bob"):
        assert jp(d, "user", "add", name, "--role", "analyst")[0] == 0
    alice = [jp(d, "token", "create", "alice", "--label", f"script {n}")[1].strip() for n in (1, 2)]
    bob = jp(d, "token", "create", "bob")[1].strip()
    code, out = jp(d, "token", "list", "alice")
    assert code == 0 and "script 1" in out and "script 2" in out and "jp_" not in out
    code, out = jp(d, "token", "revoke-all", "alice")
    assert code == 0 and "2 token(s) of alice revoked" in out
    assert "0 token(s) of alice revoked" in jp(d, "token", "revoke-all", "alice")[1]
    node = open_node(Settings(data_dir=d))
    try:
        with node.session() as session:
            for token in alice:
                try:
                    authenticate_token(session, token)
                except Unauthorized:
                    continue
                raise AssertionError("a revoked token still signs in")
            assert authenticate_token(session, bob).username == "bob"
            assert all(t.revoked_at is not None for t in list_tokens(session, "alice"))
            assert [t.revoked_at for t in list_tokens(session, "bob")] == [None]
    finally:
        node.close()
    code, out = jp(d, "token", "revoke-all", "nobody")
    assert code == NotFound.exit_code and "nobody" in out
