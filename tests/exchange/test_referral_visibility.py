"""Need-to-know for referrals: the API and CLI show a referral only through its case.

Referral ids are chosen by senders: each (id, counterpart) row has its own timeline.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.exchange.factories import marking, referral_body
from tests.exchange.live import HANDLERS, analyst, keys, make_node, peer
from tests.web.pages.conftest import sign_in
from typer.testing import CliRunner

from jointprobe.accounts import create_token, create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.cli.main import app as cli
from jointprobe.errors import Conflict
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.tables import InboxEntry, Referral, ReferralEvent
from jointprobe.exchange.workflow import (
    ReferralIn,
    acknowledge,
    can_see_referral,
    send_referral,
)
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


PW = "bob-inbox-password-1"


def _seal(sender: Node, to: Node, kind: str, body: dict[str, Any], seq: int, **ids: str) -> None:
    me = to.identity.id
    env = seal(keys(sender), kind=kind, body=body, recipients={me: own_card(to).box_public},
               now=datetime.now(UTC), seq={me: seq}, **ids)  # fmt: skip
    result = receive(to, keys(to), env.to_json(), handlers=HANDLERS)[0].results[0]
    assert result.status == "applied", result


def _reused_referral_id(tmp_path: Path) -> tuple[Node, list[Node], str]:
    """We refer a secret case to cn, cn declines with a private reason; mx reuses the id."""
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US", session_secret="s" * 32)
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    mx = make_node(tmp_path, "mx-fgr", "FGR", "MX")
    peer(us, cn)
    peer(us, mx)
    with us.write_session() as session:
        create_user(session, "bob", "analyst", password=PW)
        create_case(session, analyst(session), CaseIn(id="secret-case", title="secret"))
        due = datetime.now(UTC) + timedelta(days=3)
        data = ReferralIn(case_id="secret-case", to=["cn-mps-nnc"], title="Operation Nightjar",
                          due=due)  # fmt: skip
        rid = send_referral(session, analyst(session), keys(us), data)
    ack = {"decision": "decline", "reason": "our informant Wang is inside"}
    _seal(cn, us, "ack", ack, 1, conversation_id=rid, in_reply_to=rid)
    lead = {**referral_body("mx-fgr"), "title": "Harmless lead"}
    _seal(mx, us, "referral", lead, 1, message_id=rid)
    return us, [cn, mx], rid


LEAKS = ("Nightjar", "informant Wang", "cn-mps-nnc")


def test_second_peer_reusing_a_referral_id_sees_neither_title_nor_timeline_of_the_first(
    tmp_path: Path,
) -> None:
    us, others, rid = _reused_referral_id(tmp_path)
    try:
        with us.session() as session:
            token = create_token(session, "bob")
        with TestClient(create_app(us), follow_redirects=False) as client:
            shown = client.get(f"/api/v1/exchange/referrals/{rid}",
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            assert shown.status_code == 200 and shown.json()["title"] == "Harmless lead"
            assert [e["kind"] for e in shown.json()["timeline"]] == ["received"]
            assert sign_in(client, "bob", PW).status_code == 303
            page = client.get(f"/referrals/{rid}")
            assert page.status_code == 200 and "Harmless lead" in page.text
        d = ["--data-dir", str(us.settings.data_dir)]
        cli_shown = CliRunner().invoke(cli, [*d, "referral", "show", rid, "--as", "bob"])
        assert cli_shown.exit_code == 0 and "Harmless lead" in cli_shown.output
        for leak in LEAKS:
            assert leak not in shown.text and leak not in page.text, leak
            assert leak not in cli_shown.output, leak
    finally:
        for node in (us, *others):
            node.close()


def test_member_of_both_sees_each_counterparts_own_timeline(tmp_path: Path) -> None:
    us, others, rid = _reused_referral_id(tmp_path)
    try:
        with us.session() as session:
            token = create_token(session, "analyst")
        kinds = {}
        with TestClient(create_app(us)) as client:
            for peer_id in ("cn-mps-nnc", "mx-fgr"):
                shown = client.get(f"/api/v1/exchange/referrals/{rid}?peer={peer_id}",
                                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
                assert shown.json()["peer_id"] == peer_id
                kinds[peer_id] = [e["kind"] for e in shown.json()["timeline"]]
        assert kinds == {"cn-mps-nnc": ["sent", "ack"], "mx-fgr": ["received"]}
    finally:
        for node in (us, *others):
            node.close()


def test_notice_naming_another_peers_referral_is_filed_under_its_own_id(tmp_path: Path) -> None:
    us, (cn, mx), _ = _reused_referral_id(tmp_path)
    try:
        with us.write_session() as session:
            due = datetime.now(UTC) + timedelta(days=3)
            data = ReferralIn(case_id="secret-case", to=["cn-mps-nnc"], title="t", due=due)
            with_cn = send_referral(session, analyst(session), keys(us), data)
        planted = {"topic": "alert", "text": "planted",
                   "marking": marking("GREEN", "mx-fgr").to_dict()}  # fmt: skip
        _seal(mx, us, "notice", planted, 2, conversation_id=with_cn)
        on_topic = {"topic": "alert", "text": "on topic",
                    "marking": marking("GREEN", "cn-mps-nnc").to_dict()}  # fmt: skip
        _seal(cn, us, "notice", on_topic, 2, conversation_id=with_cn)
        with us.session() as session:
            filed = {e.summary: (e.referral_id, e.peer_id)
                     for e in session.query(ReferralEvent).filter_by(kind="notice")}  # fmt: skip
            notice = session.query(InboxEntry).filter_by(sender="mx-fgr", kind="notice").one()
            ours = session.query(ReferralEvent).filter_by(referral_id=with_cn, peer_id="cn-mps-nnc")
            kinds = [e.kind for e in ours.order_by(ReferralEvent.id)]
        assert filed["alert: planted"] == (notice.message_id, "mx-fgr")
        assert filed["alert: on topic"] == (with_cn, "cn-mps-nnc")
        assert kinds == ["sent", "notice"]
    finally:
        for node in (us, cn, mx):
            node.close()


def test_answering_a_referral_id_two_peers_used_needs_the_peer(tmp_path: Path) -> None:
    us, (cn, mx), rid = _reused_referral_id(tmp_path)
    try:
        _seal(cn, us, "referral", {**referral_body("cn-mps-nnc"), "title": "cn's own"}, 2,
              message_id="e" * 32)  # fmt: skip
        _seal(mx, us, "referral", referral_body("mx-fgr"), 2, message_id="e" * 32)
        with us.write_session() as session, pytest.raises(Conflict, match="several peers"):
            acknowledge(session, analyst(session), keys(us), "e" * 32, decision="accept")
        with us.write_session() as session:
            acknowledge(session, analyst(session), keys(us), "e" * 32, decision="accept",
                        peer_id="mx-fgr")  # fmt: skip
        with us.session() as session:
            states = {r.peer_id: r.state for r in session.query(Referral).filter_by(id="e" * 32)}
        assert states == {"cn-mps-nnc": "received", "mx-fgr": "accepted"}
    finally:
        for node in (us, cn, mx):
            node.close()


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
