from __future__ import annotations

import json
from dataclasses import asdict
from importlib import import_module

import pytest
from followthemoney import model
from sqlalchemy import String, select, text
from sqlalchemy.orm import Session
from tests.network.conftest import SHARED_PHONE, TwoCases, e, vm_steps

from jointprobe.entities import add_entity
from jointprobe.entities.selectors import _plan
from jointprobe.errors import InvalidInput, InvalidSelector, NotFound
from jointprobe.network import UnknownSelector, expand, queries
from jointprobe.network.queries import holders
from jointprobe.network.result import KNOWN_ELSEWHERE, CappedEntity, CappedSelector
from jointprobe.store.tables import AuditEntry, Selector


def test_member_of_one_case_sees_a_placeholder_for_the_other_and_nothing_of_it(
    two_cases: TwoCases,
) -> None:
    with two_cases.node.session() as s:
        result = expand(s, two_cases.alice, "+86 138 1234 5678", hops=3)
    ids = {node.id for node in result.nodes}
    assert ids == {"a-diana", "a-shop", "a-clerk"}
    assert [(n.id, n.hop) for n in result.nodes][0] == ("a-diana", 0)
    assert {n.id: n.hop for n in result.nodes}["a-clerk"] == 2
    [hidden] = result.placeholders
    assert hidden.note == KNOWN_ELSEWHERE and hidden.marker == "hidden-1"
    assert hidden.owner == "Bob Officer (Hebei)"  # reached through the shared phone
    assert hidden.via == f"phone:{SHARED_PHONE}"
    dumped = json.dumps(asdict(result))
    for secret in ("b-secret", "b-friend", "b-assoc", "Secret Buyer", "Hidden Friend", '"B"'):
        assert secret not in dumped  # nothing of case B, not even its id
    assert ("a-diana", "a-shop") in result.graph()[1]
    assert result.stopped is None


def test_expansion_does_not_continue_through_a_hidden_entity(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        mine = expand(s, two_cases.bob, "+8613900000001", hops=4)
        everything = expand(s, two_cases.boss, "+8613900000001", hops=4)
    # bob: his two people, then case A behind the shared phone, as one placeholder
    assert {n.id for n in mine.nodes} == {"b-friend", "b-secret"}
    assert [p.owner for p in mine.placeholders] == ["Alice Agent (New Orleans)"]
    assert {n.id for n in everything.nodes} == {"b-friend", "b-secret", "a-diana", "a-shop",
                                                 "a-clerk"}  # fmt: skip
    assert everything.placeholders == []


def test_non_member_sees_only_placeholders_and_goes_nowhere(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        result = expand(s, two_cases.carol, SHARED_PHONE, hops=3)
    assert result.nodes == [] and result.edges == []
    assert len(result.placeholders) == 2  # one per case, however many entities each holds
    assert "diana" not in json.dumps(asdict(result)).lower()


def test_hop_limit_bounds_the_walk(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        hops = [{n.id for n in expand(s, two_cases.alice, SHARED_PHONE, hops=h).nodes}
                for h in (0, 1, 2)]  # fmt: skip
    assert hops == [{"a-diana"}, {"a-diana", "a-shop"}, {"a-diana", "a-shop", "a-clerk"}]


def test_size_limit_stops_and_says_where(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        result = expand(s, two_cases.alice, SHARED_PHONE, hops=3, limit=2)
    assert len(result.nodes) + len(result.placeholders) == 2
    assert result.stopped is not None
    assert result.stopped.reason == "size limit" and result.stopped.hop == 1
    assert result.stopped.entity_id == "a-diana"


def test_limits_are_capped() -> None:
    with pytest.raises(InvalidInput):
        expand(None, None, "x", limit=10**6)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        expand(None, None, "x", hops=9)  # type: ignore[arg-type]


def test_unknown_and_bad_selectors_are_refused(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        with pytest.raises(UnknownSelector) as unknown:
            expand(s, two_cases.alice, "nobody@nowhere.example")
        assert unknown.value.status == 404
        with pytest.raises(InvalidSelector) as bad:
            expand(s, two_cases.alice, "12345", kind="phone")
        assert bad.value.status == 422


def test_start_from_an_entity_the_user_may_not_see_is_not_found(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        with pytest.raises(NotFound) as err:
            expand(s, two_cases.alice, entity_id="b-secret")
        assert "b-secret" in err.value.message  # the id the user typed, nothing more
        result = expand(s, two_cases.alice, entity_id="a-shop", hops=1)
    assert {n.id for n in result.nodes} == {"a-shop", "a-diana", "a-clerk"}


def test_start_from_a_name_through_the_name_keys(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        result = expand(s, two_cases.alice, "VENDOR, Diana", kind="name", hops=0)
    assert [n.id for n in result.nodes] == ["a-diana"]


def test_every_expansion_is_audited(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        expand(s, two_cases.alice, SHARED_PHONE, hops=1)
        s.commit()
        expanded = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (expanded.actor, expanded.action, expanded.object_type) == ("alice", "expand", "network")
    assert expanded.object_id == f"phone:{SHARED_PHONE}"
    assert expanded.detail["hidden_cases"] == 1 and expanded.detail["nodes"] == 2
    assert expanded.detail["cases"] == ["A"]  # the visible cases it read; never case B


def test_the_limit_counts_one_placeholder_per_hidden_case(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        enough = expand(s, two_cases.carol, SHARED_PHONE, hops=2, limit=2)
        short = expand(s, two_cases.carol, SHARED_PHONE, hops=2, limit=1)
    assert len(enough.placeholders) == 2 and enough.stopped is None
    assert len(short.placeholders) == 1 and short.stopped is not None
    assert short.stopped.entity_id == ""  # a hidden entity is never named, not even here


def test_relations_keep_their_direction(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        result = expand(s, two_cases.alice, entity_id="a-shop", hops=1)
    relations = {(e.source, e.target, e.schema) for e in result.edges if e.kind == "relation"}
    # as FtM draws them (Ownership: owner → asset; Employment: employee → employer),
    # whichever end the walk started from
    assert relations == {("a-diana", "a-shop", "Ownership"), ("a-clerk", "a-shop", "Employment")}


def test_a_name_never_makes_a_placeholder_for_a_hidden_case(two_cases: TwoCases) -> None:
    # instant hits hide name matches in hidden cases; the expansion must not name their owners
    with two_cases.node.session() as s:
        for user, name in ((two_cases.alice, "Secret Buyer"), (two_cases.carol, "Diana Vendor")):
            with pytest.raises(UnknownSelector):  # as unknown as a name held nowhere
                expand(s, user, name, kind="name", hops=1)
        mine = expand(s, two_cases.alice, "Diana Vendor", kind="name", hops=1)
    assert [n.id for n in mine.nodes if n.hop == 0] == ["a-diana"]
    assert [p.hop for p in mine.placeholders] == [1]  # case B through the phone, not a name


def test_the_audit_names_the_hidden_cases_met(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        result = expand(s, two_cases.carol, SHARED_PHONE, hops=1)
        s.commit()
        expanded = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert expanded.detail["hidden_case_ids"] == ["A", "B"]  # for their owners, in the log
    assert '"A"' not in json.dumps(asdict(result))  # and never to the user


COMMON = "+8613700000009"  # a call centre's phone, say
UNIQUE = "+8613700000001"


def _common_phone(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        for item in (e("n1", "Person", name=["Near One"], phone=[COMMON, UNIQUE]),
                     e("n2", "Person", name=["Near Two"], phone=[COMMON]),
                     e("n3", "Person", name=["Near Three"], phone=[COMMON]),
                     e("n4", "Person", name=["Near Four"], phone=[UNIQUE])):  # fmt: skip
            add_entity(s, two_cases.alice, item, case_id="A", fictional=True)


def test_a_selector_held_by_more_than_the_cap_is_not_followed(
    two_cases: TwoCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    _common_phone(two_cases)
    monkeypatch.setattr(import_module("jointprobe.network.expand"), "MAX_HOLDERS", 2)
    with two_cases.node.session() as s:
        result = expand(s, two_cases.alice, UNIQUE, hops=2)
        start = expand(s, two_cases.alice, COMMON, hops=0)
    # n1 shares the common phone with n2 and n3: three holders, more than two
    assert {n.id for n in result.nodes} == {"n1", "n4"}
    note = "held by more than 2 entities: not followed further"
    assert result.capped == [CappedSelector(f"phone:{COMMON}", 1, note)]
    # asked for, the common phone gives its first holders and says so
    assert [n.id for n in start.nodes] == ["n1", "n2"]
    assert start.capped[0].note == "held by more than 2 entities: only the first 2 taken"


def test_holders_are_capped_in_the_query(two_cases: TwoCases) -> None:
    _common_phone(two_cases)
    with two_cases.node.session() as s:
        held = holders(s, [("phone", COMMON), ("phone", UNIQUE)], 2)
    assert sorted(h[2] for h in held) == ["n1", "n1", "n2", "n4"]


def test_holders_statements_are_made_for_a_few_sizes_only(two_cases: TwoCases) -> None:
    """Any number of keys is padded to one of HOLDER_SIZES: the statement cache stays small
    (one statement per key count kept tens of thousands of objects alive), and the padding
    finds nothing."""
    _common_phone(two_cases)
    queries._union.cache_clear()
    absent = [("phone", f"+86136000{i:05d}") for i in range(70)]
    with two_cases.node.session() as s:
        for count in (1, 2, 3, 5, 17, 65, 70):
            keys = [("phone", UNIQUE), *absent[: count - 1]]
            held = holders(s, keys, 10)
            assert sorted(h[2] for h in held) == ["n1", "n4"]
            assert all(h[0] == "phone" for h in held)
    made = queries._union.cache_info().currsize
    assert made == len(queries.HOLDER_SIZES) == 5  # for 1, 4, 16, 64 and 200 keys


def test_the_padding_key_matches_no_selector_a_store_can_hold(two_cases: TwoCases) -> None:
    """The padding of a capped look-up is a key no selector row can have: its kind is longer
    than the column (PostgreSQL refuses it) and than any kind the extraction makes."""
    column = Selector.__table__.c.kind.type
    assert isinstance(column, String) and len(queries.NO_KIND) > (column.length or 0) == 32
    for schema in model.schemata.values():
        assert all(0 < len(kind) <= 32 for kind in _plan(schema).kinds.values()), schema.name
    with two_cases.node.session() as s:  # the empty key, which the padding once was
        s.add(Selector(kind="", value="", entity_id="b-friend", case_id="B"))
        s.flush()
        keys = [("phone", SHARED_PHONE), ("email", "diana@pharma-shop.example")]  # padded to 4
        found = holders(s, keys, 10) + queries.other_case_holders(s, keys, 10, "A")
    assert sorted(h[2] for h in found) == ["a-diana", "a-diana", "b-secret", "b-secret"]


def test_the_cap_on_a_name_counts_only_what_the_user_may_see(
    two_cases: TwoCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_cases.node.session() as s:
        for i in range(3):  # in bob's case, hidden from alice, first by id
            add_entity(s, two_cases.bob, e(f"b-common{i}", "Person", name=["Common Name"]),
                       case_id="B", fictional=True)  # fmt: skip
        add_entity(s, two_cases.alice, e("z-common", "Person", name=["Common Name"]),
                   case_id="A", fictional=True)  # fmt: skip
    monkeypatch.setattr(import_module("jointprobe.network.expand"), "MAX_HOLDERS", 1)
    with two_cases.node.session() as s:
        result = expand(s, two_cases.alice, "Common Name", kind="name", hops=0)
    assert [n.id for n in result.nodes] == ["z-common"]
    assert result.capped == [] and result.placeholders == []  # the hidden three not counted


def _hub(two_cases: TwoCases) -> None:
    """a-hub in case A: relations to four people of A, and from three people of hidden B."""
    with two_cases.node.session() as s:
        add_entity(s, two_cases.alice, e("a-hub", "Company", name=["Hub Bank (fictional)"]),
                   case_id="A", fictional=True)  # fmt: skip
        for i in range(4):
            for item in (
                e(f"a-p{i}", "Person", name=[f"Customer {i}"]),
                e(f"a-rel{i}", "UnknownLink", subject=["a-hub"], object=[f"a-p{i}"]),
            ):
                add_entity(s, two_cases.alice, item, case_id="A", fictional=True)  # fmt: skip
        for i in range(3):
            for item in (
                e(f"b-x{i}", "Person", name=[f"Hidden Client {i}"]),
                e(f"b-rel{i}", "UnknownLink", subject=[f"b-x{i}"], object=["a-hub"]),
            ):
                add_entity(s, two_cases.bob, item, case_id="B", fictional=True)  # fmt: skip


def test_a_hub_has_only_its_first_relations_followed_and_says_so(
    two_cases: TwoCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hub(two_cases)
    monkeypatch.setattr(import_module("jointprobe.network.expand"), "MAX_EDGES", 2)
    with two_cases.node.session() as s:
        result = expand(s, two_cases.alice, entity_id="a-hub", hops=1)
        everything = expand(s, two_cases.boss, entity_id="a-hub", hops=1)
    # two of four relations out (the first by the other end), and two of three in (hidden)
    assert {n.id for n in result.nodes} == {"a-hub", "a-p0", "a-p1"}
    [hidden] = result.placeholders  # case B behind the relations in: one placeholder
    assert hidden.via == "relation held elsewhere" and hidden.owner is None
    note = "more than 2 relations one way: only the first 2 followed"
    assert result.capped_entities == [CappedEntity("a-hub", 1, note)]
    dumped = json.dumps(asdict(result))
    for secret in ("b-x", "b-rel", "Hidden Client", '"B"'):
        assert secret not in dumped  # the cap names the visible hub only
    assert {n.id for n in everything.nodes} == {"a-hub", "a-p0", "a-p1", "b-x0", "b-x1"}
    assert everything.capped_entities == [CappedEntity("a-hub", 1, note)]


def test_edges_are_capped_in_the_query_per_entity_and_direction(two_cases: TwoCases) -> None:
    _hub(two_cases)
    queries._union.cache_clear()
    with two_cases.node.session() as s:
        edges, cut = queries.edges_touching(s, ["a-hub"], 2)
        assert [(r.source_id, r.target_id) for r in edges if r.source_id == "a-hub"] == [
            ("a-hub", "a-p0"), ("a-hub", "a-p1")]  # fmt: skip
        assert sorted(r.source_id for r in edges if r.target_id == "a-hub") == ["b-x0", "b-x1"]
        assert cut == {"a-hub"}
        edges, cut = queries.edges_touching(s, ["a-hub"], 4)  # four out is not more than four
        assert len(edges) == 7 and cut == set()
        for count in (3, 17):  # padded with an entity no edge has: a few statements only
            edges, cut = queries.edges_touching(
                s, ["a-hub", *(f"none{i}" for i in range(count))], 9
            )
            assert len(edges) == 7 and cut == set()
    assert queries._union.cache_info().currsize == 2 * 3  # from and to, for 1, 4 and 64 ids


def test_capped_edges_read_the_covering_indexes_and_stop_there(two_cases: TwoCases) -> None:
    if two_cases.node.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    with two_cases.node.session() as s:
        for term, index in ((queries._FROM_TERM, "ix_edges_source_cover"),
                            (queries._TO_TERM, "ix_edges_target_cover")):  # fmt: skip
            plan = [r[3] for r in s.execute(text("EXPLAIN QUERY PLAN " + term.format(i=0)),
                                            {"a0": "a-hub", "most": 3})]  # fmt: skip
            assert any(f"COVERING INDEX {index}" in step for step in plan), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort of all edges


def _wang_weis(two_cases: TwoCases, first: int, count: int) -> None:
    """``count`` people called Wang Wei in bob's case, hidden from alice, before hers by id."""
    with two_cases.node.session() as s:
        for i in range(first, first + count):
            add_entity(s, two_cases.bob, e(f"b-wang{i:03d}", "Person", name=["Wang Wei"]),
                       case_id="B", fictional=True)  # fmt: skip


def _vm_steps(s: Session, key: tuple[str, str], cases: list[str]) -> int:
    """SQLite VM instructions the visible-holders look-up runs (a row visited is a few)."""
    return vm_steps(s, lambda: queries.visible_holders(s, [key], 2, cases))[1]


def test_a_name_held_by_many_hidden_entities_changes_nothing_and_is_not_read(
    two_cases: TwoCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    _wang_weis(two_cases, 0, 20)
    with two_cases.node.session() as s:
        for i in range(3):
            add_entity(s, two_cases.alice, e(f"z-wang{i}", "Person", name=["Wang Wei"]),
                       case_id="A", fictional=True)  # fmt: skip
    monkeypatch.setattr(import_module("jointprobe.network.expand"), "MAX_HOLDERS", 2)
    sqlite = two_cases.node.engine.dialect.name == "sqlite"
    with two_cases.node.session() as s:
        result = expand(s, two_cases.alice, "Wang Wei", kind="name", hops=0)
        kind, _, value = result.capped[0].selector.partition(":")  # one of the name keys
        key = (kind, value)
        before = _vm_steps(s, key, ["A"]) if sqlite else 0
    _wang_weis(two_cases, 20, 200)
    with two_cases.node.session() as s:
        again = expand(s, two_cases.alice, "Wang Wei", kind="name", hops=0)
        after = _vm_steps(s, key, ["A"]) if sqlite else 0
    for found in (result, again):
        assert [n.id for n in found.nodes] == ["z-wang0", "z-wang1"]  # the first two she sees
        assert {c.note for c in found.capped} == {
            "held by more than 2 entities: only the first 2 taken"}  # fmt: skip
        assert [c.selector for c in found.capped] == [c.selector for c in result.capped]
        assert found.placeholders == []
    assert after <= before + 5  # 200 more hidden holders: not one more row visited


def test_visible_holders_search_each_case_through_the_key_case_index(two_cases: TwoCases) -> None:
    if two_cases.node.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    params = {"kind": "name", "value": "wang wei", "a0": "A", "most": 3}
    with two_cases.node.session() as s:
        for statement in (queries._CASE_HOLDER_TERM.format(i=0),
                          str(queries._NULL_CASE_HOLDERS)):  # fmt: skip
            plan = [r[3] for r in s.execute(text("EXPLAIN QUERY PLAN " + statement), params)]
            assert any("ix_selectors_key_case (kind=? AND value=? AND case_id=?)" in step
                       for step in plan), plan  # fmt: skip
            assert not any("TEMP B-TREE" in step for step in plan), plan
