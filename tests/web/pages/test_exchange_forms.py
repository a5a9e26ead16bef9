"""Outcome, RFI and notice forms: what a peer (a real second node) sent arrives through
the real inbox; what the pages send is queued in the real outbox, sealed for it."""

from __future__ import annotations

import html
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.exchange.live import HANDLERS

from jointprobe.accounts import create_user
from jointprobe.cases import CaseIn, create_case, list_events
from jointprobe.config import Settings
from jointprobe.exchange.identity import node_keys, own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.peers import add_peer
from jointprobe.exchange.tables import OutboxEntry
from jointprobe.exchange.workflow import (
    ReferralIn,
    acknowledge,
    get_referral,
    send_notice,
    send_referral,
    send_rfi,
)
from jointprobe.node import Node, init_node
from jointprobe.store.tables import User
from jointprobe.web import create_app

from .conftest import csrf_of, sign_in

CN = "cn-hebei-psb"
CHEMIST_PW = "chemist-pw-123"
CN_PW = "cn-liaison-pw-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _user(node: Node, name: str) -> User:
    with node.session() as session:
        user = session.scalar(select(User).where(User.username == name))
        assert user is not None
        session.expunge(user)
        return user


def _deliver(sender: Node, recipient: Node) -> None:
    """Hand everything ``sender`` queued for ``recipient`` to its inbox, in order, once."""
    with sender.session() as session:
        query = select(OutboxEntry.envelope).where(
            OutboxEntry.peer_id == node_keys(recipient).node_id
        )
        raws = [raw.encode() for raw in session.scalars(query.order_by(OutboxEntry.seq))]
    for raw in raws:
        answer, _ = receive(recipient, node_keys(recipient), raw, handlers=HANDLERS)
        assert answer.errors[0] is None, answer.errors[0]
        assert answer.results[0].status == "applied"


def _queued(node: Node, kind: str) -> int:
    with node.session() as session:
        query = select(func.count()).where(OutboxEntry.peer_id == CN, OutboxEntry.kind == kind)
        return int(session.scalar(query) or 0)


@pytest.fixture(scope="module")
def cn(web_node: Node, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A second node trusting ours; nothing listens on its endpoint (deliveries wait)."""
    port = _free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("cnnode"), session_secret="c" * 32,
        endpoint=f"http://127.0.0.1:{port}", port=port,
    )  # fmt: skip
    node = init_node(settings, CN, "Hebei PSB (test)", "CN")
    with node.session() as session:
        liaison = create_user(session, "liaison", "liaison", password=CN_PW)
        create_case(session, liaison, CaseIn(id="cn-case", title="Xingtai lab"))
    with web_node.session() as session:
        create_user(session, "chem", "chemist", password=CHEMIST_PW)
    for me, other in ((web_node, node), (node, web_node)):
        card = own_card(other)
        with me.write_session() as session:
            add_peer(session, card.to_dict(), card.fingerprint)
    yield node
    node.close()


@pytest.fixture(scope="module")
def sent(cn: Node, web_node: Node) -> dict[str, str]:
    """cn sends us a referral (accepted into Xingtai here), an RFI and a notice."""
    liaison = _user(cn, "liaison")
    due = datetime.now(UTC) + timedelta(days=7)
    with cn.write_session() as session:
        keys = node_keys(cn)
        referral = send_referral(
            session, session.merge(liaison), keys,
            ReferralIn(case_id="cn-case", to=["us-web"], title="Precursor buyer", due=due),
        )  # fmt: skip
        rfi = send_rfi(
            session, session.merge(liaison), keys, to="us-web", question="Who ships to Hebei?"
        )
        notice = send_notice(
            session, session.merge(liaison), keys, to=["us-web"], topic="alert",
            text="New vendor alias 'Dee'",
        )  # fmt: skip
    _deliver(cn, web_node)
    analyst = _user(web_node, "analyst")
    with web_node.write_session() as session:
        acknowledge(
            session, session.merge(analyst), node_keys(web_node), referral, decision="accept",
            case_id="xingtai-2017",
        )  # fmt: skip
    return {"referral": referral, "rfi": rfi, "notice": notice}


def _post(client: TestClient, page_url: str, url: str, data: dict[str, Any]) -> Any:
    token = csrf_of(client.get(page_url).text)
    return client.post(url, data={"csrf_token": token, **data})


SEIZURE = {
    "peer_id": CN, "type": "seizure", "description": "2.5 kg of 4-ANPP at the port",
    "date": "2017-09-01", "substance": "4-ANPP", "quantity": "2.5", "unit": "kg",
    "tlp": "AMBER", "use": "evidential",
}  # fmt: skip


def test_an_outcome_is_reported_and_listed_with_its_marking_on_both_nodes(
    analyst: TestClient, sent: dict[str, str], cn: Node, web_node: Node
) -> None:
    url = f"/referrals/{sent['referral']}"
    assert 'action="' + url + '/outcome"' in analyst.get(url).text
    before = _queued(web_node, "outcome")
    r = _post(analyst, url, f"{url}/outcome", SEIZURE)
    assert r.status_code == 303, r.text
    assert _queued(web_node, "outcome") == before + 1
    text = html.unescape(analyst.get(url).text)
    assert "2.5 kg of 4-ANPP at the port" in text and "quantity: 2.5" in text
    assert 'data-tlp="AMBER"' in text and "evidential use allowed" in text
    # the sender's node applies it (after the ack) and shows it, with its marking
    _deliver(web_node, cn)
    with TestClient(create_app(cn), follow_redirects=False) as theirs:
        assert sign_in(theirs, "liaison", CN_PW).status_code == 303
        text = html.unescape(theirs.get(url).text)
    assert "2.5 kg of 4-ANPP at the port" in text and "originator us-web" in text


def test_bad_outcome_input_shows_the_form_again_with_422_and_sends_nothing(
    analyst: TestClient, sent: dict[str, str], web_node: Node
) -> None:
    url = f"/referrals/{sent['referral']}"
    before = _queued(web_node, "outcome")
    for bad in ({"quantity": "lots"}, {"description": ""}, {"type": "rumour"}, {"date": "1.9."}):
        r = _post(analyst, url, f"{url}/outcome", {**SEIZURE, **bad})
        assert r.status_code == 422, bad
        assert 'role="alert"' in r.text and 'class="stack outcome-form"' in r.text
    assert 'value="1.9."' in r.text  # what was typed is kept
    assert _queued(web_node, "outcome") == before


def test_outcome_without_csrf_token_is_refused(
    analyst: TestClient, sent: dict[str, str], web_node: Node
) -> None:
    before = _queued(web_node, "outcome")
    r = analyst.post(f"/referrals/{sent['referral']}/outcome", data=SEIZURE)
    assert r.status_code == 403
    assert _queued(web_node, "outcome") == before


def test_outcome_rfi_and_page_of_a_referral_one_may_not_see_are_not_found(
    client: TestClient, sent: dict[str, str], web_node: Node
) -> None:
    sign_in(client, "bob")  # not a member of Xingtai, where the referral is linked
    before = _queued(web_node, "outcome"), _queued(web_node, "rfi")
    url = f"/referrals/{sent['referral']}"
    assert client.get(url).status_code == 404
    token = csrf_of(client.get("/").text)
    r = client.post(f"{url}/outcome", data={"csrf_token": token, **SEIZURE})
    assert r.status_code == 404
    r = client.post(f"{url}/rfi", data={"csrf_token": token, "peer_id": CN, "question": "?"})
    assert r.status_code == 404
    assert (_queued(web_node, "outcome"), _queued(web_node, "rfi")) == before


def test_an_rfi_about_a_referral_is_sent_and_listed_on_it(
    analyst: TestClient, sent: dict[str, str], web_node: Node
) -> None:
    url = f"/referrals/{sent['referral']}"
    before = _queued(web_node, "rfi")
    data = {"peer_id": CN, "question": "Which port?", "due": "2030-01-01", "tlp": "GREEN"}
    r = _post(analyst, url, f"{url}/rfi", data)
    assert r.status_code == 303, r.text
    assert _queued(web_node, "rfi") == before + 1
    text = html.unescape(analyst.get(url).text)
    assert "Which port?" in text and f"asked of {CN}" in text
    with web_node.session() as session:
        rfi_id = session.scalars(select(OutboxEntry.message_id).where(OutboxEntry.kind == "rfi"))
        rfi_page = analyst.get(f"/referrals/{list(rfi_id)[-1]}").text
    assert f'about referral <a href="{url}">Precursor buyer' in rfi_page
    for bad in ({"question": " "}, {"due": "soon"}, {"peer_id": ""}):
        r = _post(analyst, url, f"{url}/rfi", {**data, **bad})
        assert r.status_code == 422, bad
        assert 'role="alert"' in r.text
    r = _post(analyst, url, f"{url}/rfi", {**data, "tlp": "RED"})  # above the agreement
    assert r.status_code == 403 and "cannot send" in r.text
    assert analyst.post(f"{url}/rfi", data=data).status_code == 403  # no CSRF token
    assert _queued(web_node, "rfi") == before + 1


def test_a_received_rfi_is_answered_from_its_page(
    analyst: TestClient, sent: dict[str, str], web_node: Node
) -> None:
    rfi = sent["rfi"]
    r = analyst.get(f"/rfis/{rfi}")
    assert r.status_code == 303 and r.headers["location"] == f"/referrals/{rfi}"
    url = f"/referrals/{rfi}"
    assert f'action="/rfis/{rfi}/answer"' in analyst.get(url).text
    assert analyst.post(f"/rfis/{rfi}/answer", data={"answer": "x"}).status_code == 403
    r = _post(analyst, url, f"/rfis/{rfi}/answer", {"answer": "  ", "tlp": "GREEN"})
    assert r.status_code == 422 and "write the answer" in r.text
    assert _queued(web_node, "rfi-response") == 0
    r = _post(analyst, url, f"/rfis/{rfi}/answer", {"answer": "Lin Wei", "tlp": "GREEN"})
    assert r.status_code == 303, r.text
    assert _queued(web_node, "rfi-response") == 1
    text = analyst.get(url).text
    assert "Lin Wei" in text and 'data-tlp="GREEN"' in text and "Answered." in text
    with web_node.session() as session:
        assert get_referral(session, rfi).state == "answered"
    board = analyst.get("/").text
    assert "Who ships to Hebei?" in board and "Lin Wei" in board


def test_only_an_rfi_can_be_answered(analyst: TestClient, sent: dict[str, str]) -> None:
    url = f"/referrals/{sent['referral']}"
    r = _post(analyst, url, f"/rfis/{sent['referral']}/answer", {"answer": "no"})
    assert r.status_code == 422 and "only a request for information" in r.text


def test_the_inbox_is_not_for_everyone(client: TestClient, sent: dict[str, str]) -> None:
    sign_in(client, "chem", CHEMIST_PW)  # a chemist does not triage the liaison inbox
    assert client.get(f"/referrals/{sent['rfi']}").status_code == 404
    token = csrf_of(client.get("/").text)
    r = client.post(f"/rfis/{sent['rfi']}/answer", data={"csrf_token": token, "answer": "x"})
    assert r.status_code == 404
    assert "New vendor alias" not in client.get("/notices").text


def test_an_rfi_is_sent_from_a_case(analyst: TestClient, cn: Node, web_node: Node) -> None:
    page_url = "/rfis/new?case=xingtai-2017"
    assert f'value="{CN}"' in analyst.get(page_url).text
    data = {"case_id": "xingtai-2017", "to": CN, "question": "Known aliases?", "tlp": "AMBER"}
    before = _queued(web_node, "rfi")
    r = _post(analyst, page_url, "/rfis", {**data, "to": ""})
    assert r.status_code == 422 and "choose the peer" in r.text
    r = _post(analyst, page_url, "/rfis", data)
    assert r.status_code == 303, r.text
    assert _queued(web_node, "rfi") == before + 1
    assert "Known aliases?" in analyst.get(r.headers["location"]).text


def test_an_rfi_or_notice_from_a_case_one_may_not_see_is_not_found(
    client: TestClient, cn: Node, web_node: Node
) -> None:
    sign_in(client, "bob")
    assert client.get("/rfis/new?case=xingtai-2017").status_code == 404
    assert client.get("/notices/new?case=xingtai-2017").status_code == 404
    token = csrf_of(client.get("/").text)
    rfi = {"csrf_token": token, "case_id": "xingtai-2017", "to": CN, "question": "?"}
    assert client.post("/rfis", data=rfi).status_code == 404
    notice = {"csrf_token": token, "case_id": "xingtai-2017", "to": CN, "topic": "t"}
    assert client.post("/notices", data=notice).status_code == 404
    assert _queued(web_node, "notice") == 0


def test_received_notices_are_listed_with_their_marking(
    analyst: TestClient, sent: dict[str, str]
) -> None:
    text = html.unescape(analyst.get("/notices").text)
    assert "New vendor alias 'Dee'" in text and f"from {CN}" in text
    assert 'data-tlp="GREEN"' in text
    assert "New vendor alias" in html.unescape(analyst.get("/").text)


def test_a_notice_is_sent_from_a_case_and_noted_in_it(
    analyst: TestClient, cn: Node, web_node: Node
) -> None:
    page_url = "/notices/new?case=xingtai-2017"
    data = {"case_id": "xingtai-2017", "to": CN, "topic": "Lab moved", "text": "Now in Handan"}
    assert analyst.post("/notices", data=data).status_code == 403  # no CSRF token
    bad: dict[str, Any]
    for bad in ({"topic": ""}, {"to": []}):
        r = _post(analyst, page_url, "/notices", {**data, **bad})
        assert r.status_code == 422 and 'role="alert"' in r.text
    assert _queued(web_node, "notice") == 0
    r = _post(analyst, page_url, "/notices", data)
    assert r.status_code == 303 and r.headers["location"] == "/cases/xingtai-2017"
    assert _queued(web_node, "notice") == 1
    analyst_user = _user(web_node, "analyst")
    with web_node.write_session() as session:
        titles = [e.title for e in list_events(session, analyst_user, "xingtai-2017")]
    assert f"Notice to {CN}: Lab moved" in titles
