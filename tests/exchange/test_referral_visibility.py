"""Need-to-know for referrals: the API and CLI show a referral only through its case."""

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from jointprobe.accounts import create_token
from jointprobe.cases import CaseIn, create_case
from jointprobe.cli.main import app as cli
from jointprobe.exchange.tables import Referral
from jointprobe.exchange.workflow import can_see_referral
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, User
from jointprobe.web import create_app

MARKING = {"tlp": "AMBER", "originator": "us-test"}


def _referrals(node: Node, make_user: Any) -> dict[str, str]:
    alice = make_user(node, "alice")
    make_user(node, "bob")
    make_user(node, "lee", "liaison")
    make_user(node, "chem", "chemist")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="secret", id="secret-case"))
        session.add(
            Referral(id="r-out", peer_id="cn-x", direction="out", case_id="secret-case",
                     title="Vendor Diana", narrative="phone +86 170 0000 0000", state="sent",
                     items=[], marking=MARKING)
        )  # fmt: skip
        session.add(
            Referral(id="r-in", peer_id="cn-x", direction="in", case_id=None,
                     title="Incoming lead", state="received", items=[], marking=MARKING)
        )  # fmt: skip
        return {u: create_token(session, u) for u in ("alice", "bob", "lee", "chem")}


def test_api_hides_referrals_of_cases_the_user_may_not_see(
    sqlite_node: Node, make_user: Any
) -> None:
    tokens = _referrals(sqlite_node, make_user)
    with TestClient(create_app(sqlite_node)) as client:

        def ids(user: str) -> list[str]:
            h = {"Authorization": f"Bearer {tokens[user]}"}
            return sorted(
                r["id"] for r in client.get("/api/v1/exchange/referrals", headers=h).json()
            )

        assert ids("alice") == ["r-in", "r-out"]
        assert ids("bob") == ["r-in"]
        assert ids("chem") == []
        bob = {"Authorization": f"Bearer {tokens['bob']}"}
        r = client.get("/api/v1/exchange/referrals/r-out", headers=bob)
        assert r.status_code == 404 and "Diana" not in r.text
        alice = {"Authorization": f"Bearer {tokens['alice']}"}
        assert client.get("/api/v1/exchange/referrals/r-out", headers=alice).status_code == 200


def test_cli_referral_commands_apply_need_to_know(
    sqlite_node: Node, make_user: Any, tmp_path: Path
) -> None:
    _referrals(sqlite_node, make_user)
    d = ["--data-dir", str(sqlite_node.settings.data_dir)]
    runner = CliRunner()
    shown = runner.invoke(cli, [*d, "referral", "show", "r-out", "--as", "bob"])
    assert shown.exit_code == 3 and "Diana" not in shown.output
    listed = runner.invoke(cli, [*d, "referral", "list", "--as", "bob"])
    assert listed.exit_code == 0 and "Vendor Diana" not in listed.output
    with sqlite_node.session() as session:
        lee = session.query(User).filter_by(username="lee").one()
        row = session.get(Referral, ("r-in", "cn-x"))
        assert row is not None and can_see_referral(session, lee, row)


def _reads_of(node: Node, actor: str, referral_id: str) -> list[dict[str, Any]]:
    with node.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(
                AuditEntry.actor == actor,
                AuditEntry.action == "read",
                AuditEntry.object_type == "referral",
                AuditEntry.object_id == referral_id,
            )
        )
        return [row.detail for row in rows]


def test_api_referral_view_is_recorded_in_the_audit_log(sqlite_node: Node, make_user: Any) -> None:
    tokens = _referrals(sqlite_node, make_user)
    with TestClient(create_app(sqlite_node)) as client:
        h = {"Authorization": f"Bearer {tokens['alice']}"}
        assert client.get("/api/v1/exchange/referrals/r-out", headers=h).status_code == 200
        bob = {"Authorization": f"Bearer {tokens['bob']}"}
        assert client.get("/api/v1/exchange/referrals/r-out", headers=bob).status_code == 404
    assert _reads_of(sqlite_node, "alice", "r-out") == [{"cases": ["secret-case"]}]
    assert _reads_of(sqlite_node, "bob", "r-out") == []


def test_cli_referral_show_is_recorded_in_the_audit_log(sqlite_node: Node, make_user: Any) -> None:
    _referrals(sqlite_node, make_user)
    d = ["--data-dir", str(sqlite_node.settings.data_dir)]
    shown = CliRunner().invoke(cli, [*d, "referral", "show", "r-out", "--as", "alice"])
    assert shown.exit_code == 0 and "Vendor Diana" in shown.output
    assert _reads_of(sqlite_node, "alice", "r-out") == [{"cases": ["secret-case"]}]
