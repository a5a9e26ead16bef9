"""Buyer leads routed to HSI field offices by US state (jointprobe.leads)."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jointprobe.cases import list_events
from jointprobe.entities import add_entity
from jointprobe.errors import InvalidInput
from jointprobe.exchange.db import write_session
from jointprobe.exchange.workflow import (
    REFERRAL_HOOKS,
    ReferralIn,
    send_referral,
    system_user,
    timeline,
)
from jointprobe.leads import load_table, route_on_arrival
from jointprobe.leads.routing import RoutingTable, lead_from_item, state_of
from jointprobe.store.tables import Case
from jointprobe.timeutil import utcnow

from .live import Served, analyst, case, keys, make_node, peer, wait_for


def test_states_route_to_their_field_office() -> None:
    table = load_table()
    assert table.route("NY").office.name == "HSI New York"
    assert table.route("OR").office.name == "HSI Portland"
    assert table.route("la").office.name == "HSI New Orleans"
    route = table.route("NY")
    assert route.routed and route.note is None and route.office.case_id == "leads-hsi-new-york"


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
    assert unknown.office.id == "unrouted" and unknown.office.case_id == "leads-unrouted"
    assert unknown.note is not None and "no field office for state 'ZZ'" in unknown.note
    assert "manual assignment" in unknown.note
    missing = table.route(None)
    assert missing.office.id == "unrouted"
    assert missing.note is not None and "no US state" in missing.note


def test_a_malformed_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("offices: {a: {name: A, states: [NY]}, b: {name: B, states: [NY]}}\n"
                    "default: {id: q, name: Q, note: held}\n")  # fmt: skip
    with pytest.raises(InvalidInput, match="two offices"):
        load_table(path)
    with pytest.raises(InvalidInput):
        RoutingTable.from_dict({"offices": {}})


def test_leads_are_us_persons_only() -> None:
    known = load_table().by_state
    person = {"type": "entity", "item_id": "b1",
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


def test_the_routing_hook_is_registered() -> None:
    assert route_on_arrival in REFERRAL_HOOKS


def _buyers(cn, case_id: str) -> list[str]:
    people = [("lead-ny", "Ann Lee", "NY, USA"), ("lead-or", "Bob Ray", "OR, USA"),
              ("lead-zz", "Cy Doe", "ZZ, USA"), ("lead-none", "Di Roe", None)]  # fmt: skip
    with write_session(cn) as s:
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
    with write_session(node) as s:
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
                    return [e for e in timeline(s, lid) if e.kind == "routed"]

            assert "4 leads routed to 2 field offices; 2 in the default queue" in (
                wait_for(routed)[0].summary
            )
            with us.session() as s:
                cases = set(s.scalars(select(Case.id)))
                assert {"leads-hsi-new-york", "leads-hsi-portland", "leads-unrouted"} <= cases
                sys_user = system_user(s)
                ny = list_events(s, sys_user, "leads-hsi-new-york")
                queue = list_events(s, sys_user, "leads-unrouted")
                assert [e.details["state"] for e in ny] == ["NY"] and ny[0].fictional
                notes = " | ".join(e.details["note"] for e in queue)
                assert "no field office for state 'ZZ'" in notes and "no US state" in notes
                assert all("not routed" in e.title for e in queue)
            # the same kind of referral to the Chinese node routes nothing there
            with write_session(us) as s:
                add_entity(s, analyst(s), {"id": "p-us", "schema": "Person",
                           "properties": {"name": ["Eve Poe"], "address": ["NY, USA"]}},
                           case_id="diana-2017")  # fmt: skip
            rid = _send(us, "diana-2017", "cn-mps-nnb", ["p-us"])

            def received():
                with cn.session() as s:
                    return [e for e in timeline(s, rid) if e.kind == "received"]

            wait_for(received)
            with cn.session() as s:
                assert not [c for c in s.scalars(select(Case.id)) if c.startswith("leads-")]
    finally:
        us.close()
        cn.close()
