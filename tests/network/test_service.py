"""Key players, paths and money of a case, need-to-know and audit (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from jointprobe.errors import NotFound
from jointprobe.network import analyse_case, case_paths, money_of_case
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, User

from .fixtures import BRIDGE, A, B


def test_the_bridge_company_leads_the_key_players_and_says_what_it_bridges(
    node: Node, people: dict[str, User]
) -> None:
    with node.write_session() as session:
        result = analyse_case(session, people["alice"], "ring", top=3)
        assert {p.node.id for p in result.top} == {BRIDGE, "a1", "b1"}
        bridge = next(p for p in result.top if p.node.id == BRIDGE)
        assert bridge.node.label == "Bridge Trading (fictional)"
        assert bridge.why[0].startswith("highest betweenness (0.556): bridges communities")
        assert any(w.startswith(("highest", "most ties")) for w in result.top[0].why)
        assert any(w == "most ties: 5 entities" for p in result.top for w in p.why)
        groups = [{n.id for n in g.members} - {BRIDGE} for g in result.groups]
        assert sorted(groups, key=min) == [set(A), set(B)]
        assert result.graph.nodes[0].community is not None  # the drawn graph is annotated


def test_a_path_names_each_step_with_its_relation_dates_and_source(
    node: Node, people: dict[str, User]
) -> None:
    with node.write_session() as session:
        found = case_paths(session, people["alice"], "ring", "a3", "b4")
        assert found.connected and found.hops == 4
        assert len(found.paths) == 1  # only through a1, the bridge and b1
        path = found.paths[0]
        assert ["a3"] + [step.target.id for step in path] == ["a3", "a1", BRIDGE, "b1", "b4"]
        assert path[0].evidence[0].schema == "Associate"
        own = path[1].evidence[0]
        assert own.schema == "Ownership" and own.relation_id == "own-a1"
        assert own.source_id == "a1" and own.target_id == BRIDGE  # the owner owns the company
        assert own.dates == {"startDate": ["2017-03-01"]}
        assert own.properties["percentage"] == ["50"]
        assert own.source == "test" and own.fictional and own.tlp == "AMBER"
        back = path[2].evidence[0]
        assert back.source_id == "b1" and back.target_id == BRIDGE  # walked against its arrow


def test_entities_that_are_not_connected_say_so(node: Node, people: dict[str, User]) -> None:
    with node.write_session() as session:
        found = case_paths(session, people["alice"], "cash", "ca1", "cb3")
        assert not found.connected and found.paths == [] and found.hops is None


def test_a_hidden_or_unknown_entity_is_the_same_not_found(
    node: Node, people: dict[str, User]
) -> None:
    messages = []
    for target in ("h1", "no-such-entity"):
        with pytest.raises(NotFound) as info, node.write_session() as session:
            case_paths(session, people["alice"], "ring", "a1", target)
        messages.append(str(info.value).replace(target, "?"))
    assert messages[0] == messages[1]
    for call in (lambda s: analyse_case(s, people["bob"], "ring"),
                 lambda s: money_of_case(s, people["bob"], "cash"),
                 lambda s: case_paths(s, people["bob"], "ring", "a1", "a2")):  # fmt: skip
        with pytest.raises(NotFound), node.write_session() as session:
            call(session)


def test_money_is_summed_per_counterparty_and_currency_never_across(
    node: Node, people: dict[str, User]
) -> None:
    with node.write_session() as session:
        money = money_of_case(session, people["alice"], "cash")
    assert money.payments == 6
    flows = {(f.payer.id, f.beneficiary.id, f.currency): f for f in money.flows}
    usd = flows[("ca1", "cb1", "USD")]
    assert usd.total == Decimal("1500.50") and usd.payments == ["p1", "p2"]
    assert (usd.first, usd.last) == ("2018-01-02", "2018-03-01")
    assert flows[("ca1", "cb1", "EUR")].total == Decimal("200")
    assert usd.tlp == "RED" and flows[("ca1", "cb1", "EUR")].tlp == "AMBER"  # the strictest
    unknown = flows[("cb2", "ca2", "USD")]
    assert unknown.total == 0 and unknown.without_amount == 1
    btc = flows[("w1", "w2", "BTC")]
    assert btc.kind == "crypto" and btc.total == Decimal("0.5")
    assert btc.payer.holders == ("Fictional A3",) and btc.beneficiary.holders == ("Fictional B3",)
    assert usd.kind == "payment"
    totals = {(t.party.id, t.currency): t for t in money.parties}
    a1 = totals[("ca1", "USD")]
    assert (a1.sent, a1.received, a1.counterparties, a1.payments) == (
        Decimal("1575.50"),
        Decimal(0),
        2,
        3,
    )
    assert totals[("ca1", "EUR")].sent == Decimal("200")
    assert money.currencies() == ["BTC", "EUR", "USD"]


def test_a_case_without_payments_has_no_flows(node: Node, people: dict[str, User]) -> None:
    with node.write_session() as session:
        assert money_of_case(session, people["alice"], "ring").flows == []
        empty = analyse_case(session, people["alice"], "empty")
        assert empty.top == [] and empty.groups == []


def test_every_network_read_is_audited(node: Node, people: dict[str, User]) -> None:
    alice = people["alice"]
    with node.write_session() as session:
        analyse_case(session, alice, "ring")
        case_paths(session, alice, "ring", "a1", "b1")
        money_of_case(session, alice, "cash")
    with node.session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.actor == "alice", AuditEntry.action == "read")
        ).all()
        seen = [(r.object_id, r.detail.get("network")) for r in rows if "network" in r.detail]
    assert seen == [("ring", "analysis"), ("ring", "path"), ("cash", "money")]
