import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jointprobe.accounts import create_token
from jointprobe.exchange.tables import Referral
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, Entity

from .conftest import csrf_of, sign_in


@pytest.fixture(scope="module", autouse=True)
def incoming(web_node: Node) -> str:
    """A received, overdue referral naming Diana's (fictional) phone number."""
    with web_node.session() as session:
        phone = session.get(Entity, "xt-diana-phone")
        assert phone is not None
        number = phone.properties["phone"][0]
        session.add(
            Referral(
                id="r-incoming-1",
                peer_id="cn-hebei-psb",
                type="referral",
                direction="in",
                title="Subscriber of a vendor's phone",
                narrative="Who else called this number?",
                due=datetime.now(UTC) - timedelta(days=1),
                state="received",
                items=[
                    {
                        "item_id": "sel-1",
                        "type": "selector",
                        "selector": {"type": "phone", "value": number},
                        "marking": {"tlp": "AMBER"},
                    }
                ],
                marking={"tlp": "AMBER", "originator": "cn-hebei-psb", "use": "intelligence"},
            )
        )
    return "r-incoming-1"


def test_dashboard_shows_the_received_referral_overdue_with_its_hit(
    analyst: TestClient,
) -> None:
    text = analyst.get("/").text
    assert "Subscriber of a vendor&#39;s phone" in text
    assert "OVERDUE" in text
    assert "same E.164 phone" in text


def test_referral_page_shows_items_conversation_and_answer_form(analyst: TestClient) -> None:
    r = analyst.get("/referrals/r-incoming-1")
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert "Hits in our holdings" in text and "Diana (telephone contact)" in text
    assert 'action="/referrals/r-incoming-1/ack"' in text


def test_hits_leave_out_cases_the_user_may_not_see(client: TestClient) -> None:
    sign_in(client, "bob")
    text = client.get("/referrals/r-incoming-1").text
    assert "Diana (telephone contact)" not in text
    assert "None of its items matches" in text


def test_unknown_referral_is_not_found(analyst: TestClient) -> None:
    assert analyst.get("/referrals/nope").status_code == 404


def test_compose_lists_the_case_entities(analyst: TestClient) -> None:
    r = analyst.get("/referrals/new?case=xingtai-2017")
    assert r.status_code == 200
    assert 'value="xt-diana"' in r.text
    assert "No trusted peers yet" in r.text


def test_compose_from_a_case_one_may_not_see_is_not_found(analyst: TestClient) -> None:
    assert analyst.get("/referrals/new?case=bob-case").status_code == 404


def test_partner_figures_count_received_referrals(analyst: TestClient) -> None:
    text = analyst.get("/cooperation").text
    assert 'data-peer="cn-hebei-psb"' in text and 'data-received="1"' in text


def test_a_bad_answer_shows_the_referral_again_with_the_reason(analyst: TestClient) -> None:
    url = "/referrals/r-incoming-1"
    token = csrf_of(analyst.get(url).text)
    data = {"csrf_token": token, "peer_id": "cn-hebei-psb", "decision": "maybe"}
    r = analyst.post(f"{url}/ack", data=data)
    assert r.status_code == 422
    text = html.unescape(r.text)
    assert 'role="alert"' in text and "decision must be accept or decline" in text
    assert "Subscriber of a vendor's phone" in text  # the referral page, not a bare error page


def _audit_rows(node: Node, actor: str, object_type: str, object_id: str) -> int:
    with node.session() as session:
        query = select(func.count()).select_from(AuditEntry)
        query = query.where(AuditEntry.actor == actor, AuditEntry.action == "read")
        query = query.where(AuditEntry.object_type == object_type)
        return session.scalar(query.where(AuditEntry.object_id == object_id)) or 0


def test_viewing_a_referral_page_is_recorded_in_the_audit_log(
    analyst: TestClient, web_node: Node
) -> None:
    before = _audit_rows(web_node, "analyst", "referral", "r-incoming-1")
    assert analyst.get("/referrals/r-incoming-1").status_code == 200
    assert _audit_rows(web_node, "analyst", "referral", "r-incoming-1") == before + 1


def test_the_compose_pages_entity_list_is_a_recorded_read_of_the_case(
    analyst: TestClient, web_node: Node
) -> None:
    before = _audit_rows(web_node, "analyst", "case", "xingtai-2017")
    r = analyst.get("/referrals/new", params={"case": "xingtai-2017"})
    assert r.status_code == 200 and "xt-diana" in r.text
    assert _audit_rows(web_node, "analyst", "case", "xingtai-2017") == before + 1


def test_dashboard_and_api_agree_an_accepted_past_due_referral_is_overdue(
    client: TestClient, web_node: Node
) -> None:
    with web_node.session() as session:
        session.add(
            Referral(
                id="r-out-accepted", peer_id="cn-hebei-psb", type="referral", direction="out",
                case_id="xingtai-2017", title="Accepted but late", narrative="n",
                due=datetime.now(UTC) - timedelta(days=2), state="accepted",
                acknowledged_at=datetime.now(UTC) - timedelta(days=5), items=[],
                marking={"tlp": "AMBER", "originator": "us-web"},
            )
        )  # fmt: skip
        token = create_token(session, "analyst")
    h = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/exchange/referrals", params={"overdue": "true"}, headers=h)
    assert "r-out-accepted" in {r["id"] for r in listed.json()}
    assert sign_in(client, "analyst").status_code == 303
    row = re.search(
        r"<tr[^>]*>(?:(?!</tr>).)*Accepted but late.*?</tr>", client.get("/").text, re.S
    )
    assert row is not None and "OVERDUE" in row.group(0)
