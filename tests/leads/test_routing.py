"""Buyer leads routed to HSI field offices by US state (jointprobe.leads)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.exchange.factories import referral_body
from tests.exchange.live import HANDLERS, Served, analyst, case, keys, make_node, peer, wait_for

from jointprobe.accounts import create_user
from jointprobe.cases import (
    CaseIdUnavailable,
    CaseIn,
    add_member,
    create_case,
    list_cases,
    list_events,
    remove_member,
    visible_case,
)
from jointprobe.cases.service import members as case_members
from jointprobe.entities import add_entity, get_entity
from jointprobe.entities.service import case_entities
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.workflow import (
    SYSTEM_USER,
    ReferralIn,
    SelectorIn,
    send_referral,
    system_user,
    timeline,
    visible_referrals,
)
from jointprobe.leads import find_lead_case, load_table, revoke_lead_access, route_on_arrival
from jointprobe.leads.routing import (
    RoutingTable,
    lead_case_key,
    lead_from_item,
    route_leads,
    state_of,
)
from jointprobe.store.tables import Case, User
from jointprobe.timeutil import utcnow
from jointprobe.wiring import default_wiring


def test_states_route_to_their_field_office() -> None:
    table = load_table()
    assert table.route("NY").office.name == "HSI New York"
    assert table.route("OR").office.name == "HSI Portland"
    assert table.route("la").office.name == "HSI New Orleans"
    route = table.route("NY")
    assert route.routed and route.note is None and route.office.id == "hsi-new-york"


def test_every_state_and_dc_has_an_office() -> None:
    states = (
        "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
        "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
    ).split()
    table = load_table()
    assert [s for s in states if not table.route(s).routed] == []


def test_unknown_or_missing_state_goes_to_the_default_queue_with_a_note() -> None:
    table = load_table()
    unknown = table.route("ZZ")
    assert not unknown.routed
    assert unknown.office.id == "unrouted"
    assert unknown.note is not None and "no field office for state 'ZZ'" in unknown.note
    assert "manual assignment" in unknown.note
    missing = table.route(None)
    assert missing.office.id == "unrouted"
    assert missing.note is not None and "no US state" in missing.note


def test_a_malformed_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("offices: {a: {name: A, states: [NY]}, b: {name: B, states: [NY]}}\n"
                    "default: {id: q, name: Q, note: held}\n")  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        load_table(path)
    assert "two offices" in caught.value.detail  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput):
        RoutingTable.from_dict({"offices": {}})


def test_leads_are_us_persons_only() -> None:
    known = load_table().by_state
    person: dict[str, Any] = {"type": "entity", "item_id": "b1",
              "entity": {"id": "b1", "schema": "Person",
                         "properties": {"name": ["Ann Lee"], "address": ["Portland, OR, USA"],
                                        "notes": ["FICTIONAL: generated"]}}}  # fmt: skip
    lead = lead_from_item(person, known)
    assert lead is not None and lead.state == "OR" and lead.fictional and lead.name == "Ann Lee"
    company = {**person, "entity": {**person["entity"], "schema": "Company"}}
    assert lead_from_item(company, known) is None
    props = {"name": ["Wang Wei"], "address": ["Xingtai, Hebei"]}
    abroad = {"type": "entity", "item_id": "b2",
              "entity": {"id": "b2", "schema": "Person", "properties": props}}  # fmt: skip
    assert lead_from_item(abroad, known) is None
    assert lead_from_item({"type": "selector", "selector": {}}, known) is None
    assert state_of({"address": ["12 Main St, Salem, OR 97301, USA"]}, known) == "OR"


def test_the_default_wiring_routes_leads_on_arrival_and_revokes_lead_access() -> None:
    wiring = default_wiring()
    assert route_on_arrival in wiring.inbox_handlers["referral"].keywords["hooks"]  # type: ignore[attr-defined]
    assert wiring.member_removed == (revoke_lead_access,)


def _buyers(cn, case_id: str) -> list[str]:
    people = [("lead-ny", "Ann Lee", "NY, USA"), ("lead-or", "Bob Ray", "OR, USA"),
              ("lead-zz", "Cy Doe", "ZZ, USA"), ("lead-none", "Di Roe", None)]  # fmt: skip
    with cn.write_session() as s:
        for eid, name, address in people:
            props = {"name": [name], "country": ["us"], "notes": ["FICTIONAL test person"]}
            if address:
                props["address"] = [address]
            add_entity(s, analyst(s), {"id": eid, "schema": "Person", "properties": props},
                       case_id=case_id, fictional=True)  # fmt: skip
    return [p[0] for p in people]


def _send(node, case_id, to, entity_ids):
    data = ReferralIn(case_id=case_id, to=[to], title="Buyer leads", narrative="test",
                      requested_action="investigate", due=utcnow() + timedelta(days=9),
                      entity_ids=entity_ids)  # fmt: skip
    with node.write_session() as s:
        return send_referral(s, analyst(s), keys(node), data)


def test_a_us_node_routes_arriving_leads_and_a_cn_node_does_not(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnb", "MPS narcotics bureau", "CN")
    try:
        peer(us, cn)
        case(cn, "xingtai-2017")
        case(us, "diana-2017")
        with Served(us), Served(cn):
            lid = _send(cn, "xingtai-2017", "us-hsi-nola", _buyers(cn, "xingtai-2017"))

            def routed():
                with us.session() as s:
                    return [e for e in timeline(s, lid, "cn-mps-nnb") if e.kind == "routed"]

            assert "4 leads routed to 2 field offices; 2 in the default queue" in (
                wait_for(routed)[0].summary
            )
            with us.session() as s:
                cases = set(s.scalars(select(Case.id)))
                table = load_table()
                sys_user = system_user(s)
                ny_case, or_case, queue_case = (
                    find_lead_case(s, sys_user, table.route(state).office, "cn-mps-nnb", lid)
                    for state in ("NY", "OR", None)
                )
                assert {ny_case, or_case, queue_case} <= cases
                assert ny_case is not None and ny_case.startswith("leads-hsi-new-york-")
                assert queue_case is not None
                ny = list_events(s, sys_user, ny_case)
                queue = list_events(s, sys_user, queue_case)
                assert [e.details["state"] for e in ny] == ["NY"] and ny[0].fictional
                notes = " | ".join(e.details["note"] for e in queue)
                assert "no field office for state 'ZZ'" in notes and "no US state" in notes
                assert all("not routed" in e.title for e in queue)
            # the same kind of referral to the Chinese node routes nothing there (a US
            # buyer is not a lead of a CN node; a Hebei one is: test_routing_any_country)
            with us.write_session() as s:
                add_entity(s, analyst(s), {"id": "p-us", "schema": "Person",
                           "properties": {"name": ["Eve Poe"], "address": ["NY, USA"]}},
                           case_id="diana-2017")  # fmt: skip
            rid = _send(us, "diana-2017", "cn-mps-nnb", ["p-us"])

            def received():
                with cn.session() as s:
                    return [e for e in timeline(s, rid, "us-hsi-nola") if e.kind == "received"]

            wait_for(received)
            with cn.session() as s:
                assert not [c for c in s.scalars(select(Case.id)) if c.startswith("leads-")]
    finally:
        us.close()
        cn.close()


def _us_referral_accepted_by_cn(us, cn, who: str, our_case: str, their_case: str, seq: int):
    """``who``'s referral from ``our_case``, accepted by ``cn`` into its case ``their_case``."""
    data = ReferralIn(case_id=our_case, to=["cn-mps-nnb"], title="Vendor", due=utcnow(),
                      selectors=[SelectorIn(type="phone", value="+86 311 5555 0100")])  # fmt: skip
    with us.write_session() as s:
        rid = send_referral(s, s.query(User).filter_by(username=who).one(), keys(us), data)
    answer = {"decision": "accept", "reason": "", "case_ref": their_case}
    ack = seal(keys(cn), kind="ack", body=answer,
               recipients={"us-hsi-nola": own_card(us).box_public}, now=utcnow(),
               seq={"us-hsi-nola": seq}, conversation_id=rid, in_reply_to=rid)  # fmt: skip
    assert receive(us, keys(us), ack.to_json(), handlers=HANDLERS)[0].results[0].status == "applied"


def _leads_from_cn(us, cn, their_case: str, people: list[tuple[str, str]], seq: int) -> str:
    """A referral of New York buyers from ``cn``'s case ``their_case``; returns its id."""
    body = referral_body("cn-mps-nnb")
    body["case_ref"] = body["title"] = their_case
    body["items"] = [
        {"item_id": eid, "type": "entity", "marking": body["marking"],
         "entity": {"id": eid, "schema": "Person",
                    "properties": {"name": [name], "address": ["Queens, NY, USA"]}}}
        for eid, name in people
    ]  # fmt: skip
    env = seal(keys(cn), kind="referral", body=body, now=utcnow(), seq={"us-hsi-nola": seq},
               recipients={"us-hsi-nola": own_card(us).box_public})  # fmt: skip
    assert receive(us, keys(us), env.to_json(), handlers=HANDLERS)[0].results[0].status == "applied"
    return env.id


def test_a_member_of_one_referrals_case_cannot_see_another_referrals_leads(
    tmp_path: Path,
) -> None:
    """Two referrals' leads for the same office sit in two cases, each with its own members."""
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnb", "MPS narcotics bureau", "CN")
    try:
        peer(us, cn)
        with us.write_session() as s:
            alice, bob = create_user(s, "alice", "analyst"), create_user(s, "bob", "analyst")
            create_case(s, alice, CaseIn(id="case-a", title="A"))
            create_case(s, bob, CaseIn(id="case-b", title="B"))
        _us_referral_accepted_by_cn(us, cn, "alice", "case-a", "cn-a", seq=1)
        _us_referral_accepted_by_cn(us, cn, "bob", "case-b", "cn-b", seq=2)
        ref_a = _leads_from_cn(us, cn, "cn-a", [("buyer-a", "Ann Lee")], seq=3)
        ref_b = _leads_from_cn(us, cn, "cn-b", [("buyer-b", "Bob Ray")], seq=4)
        ny = load_table().route("NY").office
        with us.session() as s:
            case_a = find_lead_case(s, system_user(s), ny, "cn-mps-nnb", ref_a)
            case_b = find_lead_case(s, system_user(s), ny, "cn-mps-nnb", ref_b)
            assert case_a is not None and case_b is not None and case_a != case_b
            alice, bob = (s.query(User).filter_by(username=n).one() for n in ("alice", "bob"))
            assert case_members(s, case_a) == sorted(["alice", SYSTEM_USER])
            assert [e.title for e in list_events(s, alice, case_a) if "Ann Lee" in e.title]
            assert get_entity(s, alice, entity_ids(s, case_a)[0]).case_id == case_a
            for hidden in (case_b,):
                with pytest.raises(NotFound):
                    visible_case(s, alice, hidden)
                with pytest.raises(NotFound):
                    list_events(s, alice, hidden)
                with pytest.raises(NotFound):
                    get_entity(s, alice, entity_ids(s, hidden)[0])
            # whatever the cases are called: nothing alice can read names B's buyer
            titles = [e.title for c in list_cases(s, alice) for e in list_events(s, alice, c.id)]
            assert any("Ann Lee" in t for t in titles)
            assert not any("Bob Ray" in t for t in titles)
            seen = {c.id for c in list_cases(s, alice)}
            assert case_a in seen and case_b not in seen
            assert {c.id for c in list_cases(s, bob)} >= {case_b}
            assert case_a not in {c.id for c in list_cases(s, bob)}
            # each received referral is linked to the case it answers, so is seen only there
            assert [r.id for r in visible_referrals(s, alice, direction="in")] == [ref_a]
    finally:
        us.close()
        cn.close()


def entity_ids(session, case_id: str) -> list[str]:
    return [e.id for e in case_entities(session, case_id)]


def test_removing_a_member_from_a_case_removes_them_from_its_lead_cases(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnb", "MPS narcotics bureau", "CN")
    try:
        peer(us, cn)
        with us.write_session() as s:
            alice = create_user(s, "alice", "analyst")
            create_user(s, "carol", "analyst")
            create_case(s, alice, CaseIn(id="case-a", title="A"))
            add_member(s, alice, "case-a", "carol")
        _us_referral_accepted_by_cn(us, cn, "alice", "case-a", "cn-a", seq=1)
        ref_a = _leads_from_cn(us, cn, "cn-a", [("buyer-a", "Ann Lee")], seq=2)
        ny = load_table().route("NY").office
        with us.session() as s:
            lead_case = find_lead_case(s, system_user(s), ny, "cn-mps-nnb", ref_a)
            assert lead_case is not None
        with us.write_session() as s:
            assert "carol" in case_members(s, lead_case)
            alice = s.query(User).filter_by(username="alice").one()
            remove_member(s, alice, "case-a", "carol", on_removed=default_wiring().member_removed)
        with us.session() as s:
            carol = s.query(User).filter_by(username="carol").one()
            assert "carol" not in case_members(s, lead_case)
            with pytest.raises(NotFound):
                visible_case(s, carol, lead_case)
            assert "alice" in case_members(s, lead_case)
    finally:
        us.close()
        cn.close()


def _route_one_lead(session, referral_id: str) -> str:
    known = load_table().by_state
    props = {"name": ["Ann Lee"], "address": ["Portland, OR, USA"]}
    item = {"type": "entity", "item_id": "b1",
            "entity": {"id": "b1", "schema": "Person", "properties": props}}  # fmt: skip
    lead = lead_from_item(item, known)
    assert lead is not None
    routed = route_leads(session, system_user(session), referral_id=referral_id,
                         peer_id="cn-mps-nnb", leads=[lead])  # fmt: skip
    return routed[0].case_id


def test_lead_case_ids_cannot_be_guessed_or_taken_first(sqlite_node, make_user) -> None:
    alice = make_user(sqlite_node, "alice")
    oregon = load_table().route("OR").office
    squat = lead_case_key(oregon, "cn-mps-nnb", "r-1")
    with sqlite_node.session() as s:
        # a user's case that says it is the lead case is not taken for it
        create_case(s, alice, CaseIn(id="squat", title="mine", source=squat))
        with pytest.raises(CaseIdUnavailable):
            create_case(s, alice, CaseIn(id="leads-hsi-portland-0000000000", title="mine"))
    with sqlite_node.session() as s:
        first = _route_one_lead(s, "r-1")
        assert _route_one_lead(s, "r-1") == first  # the same referral's leads: the same case
        again = _route_one_lead(s, "r-2")
        assert case_members(s, "squat") == ["alice"]
    assert first.startswith("leads-hsi-portland-") and first != again
    assert len(first.rsplit("-", 1)[1]) == 16  # 64 random bits, not a digest of known ids


def _lead(item_id: str, state: str, tlp: str) -> Any:
    props = {"name": [f"Lead {item_id}"], "address": [f"Somewhere, {state}, USA"]}
    marking = {"tlp": tlp, "originator": "cn-mps-nnb", "use": "intelligence", "consent": []}
    item = {"type": "entity", "item_id": item_id, "marking": marking,
            "entity": {"id": item_id, "schema": "Person", "properties": props}}  # fmt: skip
    lead = lead_from_item(item, load_table().by_state)
    assert lead is not None
    return lead


def test_an_office_case_is_opened_at_its_strictest_leads_tlp_never_amber_regardless(
    sqlite_node,
) -> None:
    """Review H1: the office case was always opened AMBER, whatever its leads were marked."""
    with sqlite_node.session() as s:
        leads = [_lead("a", "OR", "AMBER"), _lead("b", "OR", "RED"), _lead("c", "NY", "GREEN")]
        routed = route_leads(s, system_user(s), referral_id="r-9", peer_id="cn-mps-nnb",
                             leads=leads)  # fmt: skip
        by_office = {r.route.office.id: s.get(Case, r.case_id) for r in routed}
        assert by_office["hsi-portland"].tlp == "RED"
        assert by_office["hsi-new-york"].tlp == "AMBER"  # never below AMBER
        # a later lead of the same referral marked stricter raises the case, never lowers it
        again = route_leads(s, system_user(s), referral_id="r-9", peer_id="cn-mps-nnb",
                            leads=[_lead("d", "NY", "AMBER+STRICT")])  # fmt: skip
        assert again[0].case_id == by_office["hsi-new-york"].id
        assert s.get(Case, again[0].case_id).tlp == "AMBER+STRICT"
        route_leads(s, system_user(s), referral_id="r-9", peer_id="cn-mps-nnb",
                    leads=[_lead("e", "NY", "CLEAR")])  # fmt: skip
        assert s.get(Case, again[0].case_id).tlp == "AMBER+STRICT"
