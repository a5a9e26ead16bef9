from sqlalchemy import select

from jointprobe.accounts import get_user
from jointprobe.cases.service import CaseIn, create_case
from jointprobe.entities import add_entity
from jointprobe.node import Node
from jointprobe.resolve.hits import find_hits, hits_for_entity
from jointprobe.store.tables import Selector


def test_an_email_from_a_referral_hits_zheng_fujing(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        hits = find_hits(session, get_user(session, "alice"), " GoldenChemical@LIVE.com ")
    ids = [h.entity_id for h in hits]
    assert ids[:2] == ["ofac-sdn-26236", "ofac-sdn-26324"]
    assert hits[0].caption == "ZHENG, Fujing"
    assert hits[0].reason == "same e-mail after normalisation"


def test_the_chinese_name_hits_the_romanised_listing(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        hits = find_hits(session, None, "郑富京")
    assert hits[0].entity_id == "ofac-sdn-26236"
    assert hits[0].reason == "郑富京 = ZHENG, Fujing: pinyin of the Chinese name"
    with ofac_node.session() as session:
        assert find_hits(session, None, "張富京") == []  # Zhang, not Zheng


def test_a_wallet_hit_names_the_holder(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        hits = find_hits(session, None, "17ezuJoT3XBbdcwFZbkTnrXbup11F4uhiy")
    holder = next(h for h in hits if h.entity_id == "ofac-sdn-26236")
    assert holder.reason == "same BTC address (holder of the wallet)"
    assert holder.via is not None and holder.via.startswith("ofac-sdn-26236-wallet-")


def test_passport_and_domain_hits(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        by_passport = find_hits(session, None, "G3192 0875", kind="passport", region="China")
        by_domain = find_hits(session, None, "http://www.GlobalRC.net/")
    assert "ofac-sdn-26236" in {h.entity_id for h in by_passport}
    assert {"ofac-sdn-26324", "ofac-sdn-27646"} <= {h.entity_id for h in by_domain}


def test_need_to_know_hides_other_cases_entities(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        alice = get_user(session, "alice")
        create_case(session, alice, CaseIn(id="c-diana", title="Diana", fictional=True))
        person = {
            "id": "p-diana",
            "schema": "Person",
            "properties": {"name": ["Diana"], "phone": ["+86 311 2345 6789"]},
        }
        add_entity(session, alice, person, case_id="c-diana", fictional=True)
        session.commit()
    with ofac_node.session() as session:
        seen_by_alice = find_hits(session, get_user(session, "alice"), "+86 311-2345-6789")
        seen_by_bob = find_hits(session, get_user(session, "bob"), "+86 311-2345-6789")
        stored = session.scalars(select(Selector.value).where(Selector.kind == "phone")).all()
    assert [h.reason for h in seen_by_alice] == ["same E.164 phone +8631123456789"]
    assert seen_by_alice[0].fictional
    assert seen_by_bob == []
    assert "+8631123456789" in stored


def test_an_incoming_entity_is_checked_on_all_its_selectors(ofac_node: Node) -> None:
    incoming: dict[str, object] = {
        "id": "ref-1",
        "schema": "Person",
        "properties": {"name": ["Zheng Fujing"], "email": ["sales@globalrc.net"]},
    }
    with ofac_node.session() as session:
        hits = hits_for_entity(session, None, incoming)
    zheng = next(h for h in hits if h.entity_id == "ofac-sdn-26236")
    assert zheng.score == 1.0
    assert {"ofac-sdn-26324", "ofac-sdn-27646"} & {h.entity_id for h in hits}
