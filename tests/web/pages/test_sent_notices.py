"""/notices lists sent notices too, each only to users who may see its case (both engines)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jointprobe.accounts import create_user
from jointprobe.cases import CaseIn, EventIn, add_event, create_case
from jointprobe.config import Settings
from jointprobe.exchange.identity import node_keys, own_card
from jointprobe.exchange.peers import add_peer
from jointprobe.exchange.workflow import notice_from_case, send_notice
from jointprobe.node import Node, init_node
from jointprobe.store.tables import AuditEntry
from jointprobe.web import create_app

from .conftest import csrf_of

CN = "cn-sent-test"
PW = "long-enough-pw"


@pytest.fixture
def cn(tmp_path: Path) -> Iterator[Node]:
    node = init_node(Settings(data_dir=tmp_path / "cn"), CN, "Peer (test)", "CN")
    yield node
    node.close()


@pytest.fixture
def us(node: Node, cn: Node) -> Node:
    """alice's case A and bob's case B each sent a notice; one CLI notice; a look-alike note."""
    card = own_card(cn)
    with node.write_session() as session:
        add_peer(session, card.to_dict(), card.fingerprint)
        alice = create_user(session, "alice", "analyst", password=PW)
        bob = create_user(session, "bob", "analyst", password=PW)
        create_user(session, "boss", "supervisor", password=PW)
        create_case(session, alice, CaseIn(id="case-a", title="Alice's case"))
        create_case(session, bob, CaseIn(id="case-b", title="Bob's secret case", tlp="RED"))
        keys = node_keys(node)
        notice_from_case(session, alice, keys, "case-a", to=[CN], topic="Lab moved to Handan")
        notice_from_case(session, bob, keys, "case-b", to=[CN], topic="Informant burned")
        send_notice(session, alice, keys, to=[CN], topic="Working group")  # no case
        note = EventIn(kind="note", title="Notice to self: only a note")
        add_event(session, alice, "case-a", note)
        forged = EventIn(kind="note", title=f"Notice to {CN}: forged by hand",
                         details={"notice_id": "0" * 32, "direction": "out"})  # fmt: skip
        add_event(session, alice, "case-a", forged)
    return node


def page_of(node: Node, username: str) -> str:
    client = TestClient(create_app(node), follow_redirects=False)
    token = csrf_of(client.get("/signin").text)
    r = client.post("/signin", data={"username": username, "password": PW, "csrf_token": token})
    assert r.status_code == 303
    r = client.get("/notices")
    assert r.status_code == 200
    return html.unescape(r.text)


def test_a_member_sees_the_notices_sent_from_their_case_only(us: Node) -> None:
    text = page_of(us, "alice")
    assert 'id="sent-h"' in text and 'id="received-h"' in text
    assert "Lab moved to Handan" in text and "Alice's case" in text
    assert f"{CN} " in text and 'data-state="queued"' in text
    assert "Informant burned" not in text and "Bob's secret case" not in text  # not a member
    assert "only a note" not in text  # a note titled like one is not a notice
    assert "forged by hand" not in text  # nor one carrying a notice's details: we sent no such
    bob = page_of(us, "bob")
    assert "Informant burned" in bob and "Lab moved to Handan" not in bob


def test_a_supervisor_sees_the_notices_of_every_case(us: Node) -> None:
    text = page_of(us, "boss")
    assert "Lab moved to Handan" in text and "Informant burned" in text
    assert "Working group" not in text  # sent with no case: not listed


def test_listing_sent_notices_records_which_cases_were_read(us: Node) -> None:
    page_of(us, "alice")
    with us.session() as session:
        reads = session.execute(
            select(AuditEntry.object_id, AuditEntry.detail).where(
                AuditEntry.actor == "alice", AuditEntry.action == "read"
            )
        ).all()
    assert [(case, detail) for case, detail in reads if detail.get("part") == "sent_notices"] == [
        ("case-a", {"part": "sent_notices"})
    ]
