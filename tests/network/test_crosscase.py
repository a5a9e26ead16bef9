from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from tests.network.conftest import SHARED_PHONE, TwoCases, e, vm_steps

from jointprobe.cases import CaseIn, create_case
from jointprobe.entities import add_entity
from jointprobe.errors import NotFound
from jointprobe.network import cross_case_links, crosscase, queries
from jointprobe.store.tables import AuditEntry, Case


def test_both_owners_see_the_link_and_only_the_owner_of_the_other_case(
    two_cases: TwoCases,
) -> None:
    with two_cases.node.session() as s:
        [for_alice] = cross_case_links(s, two_cases.alice, "A")
        [for_bob] = cross_case_links(s, two_cases.bob, "B")
    assert (for_alice.kind, for_alice.value) == ("phone", SHARED_PHONE)
    assert for_alice.entity_ids == ["a-diana"]
    assert for_alice.other_owner == "Bob Officer (Hebei)" and not for_alice.other_visible
    assert for_alice.other_case_id is None and for_alice.other_entity_ids == []
    assert "b-secret" not in json.dumps(asdict(for_alice))
    assert for_bob.entity_ids == ["b-secret"] and for_bob.other_owner == "Alice Agent (New Orleans)"


def test_a_user_who_may_see_both_cases_is_told_which_case_and_entities(
    two_cases: TwoCases,
) -> None:
    with two_cases.node.session() as s:
        [link] = cross_case_links(s, two_cases.boss, "A")
    assert link.other_visible and link.other_case_id == "B"
    assert link.other_title == "Secret buyers (fictional)" and link.other_entity_ids == ["b-secret"]


def test_a_non_member_gets_not_found(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s, pytest.raises(NotFound):
        cross_case_links(s, two_cases.carol, "A")


def test_asking_for_links_is_audited(two_cases: TwoCases) -> None:
    with two_cases.node.session() as s:
        cross_case_links(s, two_cases.alice, "A")
        s.commit()
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.actor, last.action, last.object_id) == ("alice", "read", "A")
    assert last.detail == {"cross_case_links": 1}


def test_a_selector_held_by_many_lists_a_few_and_says_there_are_more(
    two_cases: TwoCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    common = "+8613700000009"
    with two_cases.node.session() as s:
        for case, user in (("A", two_cases.alice), ("B", two_cases.bob)):
            for i in range(3):
                add_entity(s, user, e(f"{case.lower()}-c{i}", "Person", name=[f"Caller {i}"],
                                      phone=[common]), case_id=case, fictional=True)  # fmt: skip
    monkeypatch.setattr(crosscase, "MAX_ENTITIES", 2)
    with two_cases.node.session() as s:
        links = cross_case_links(s, two_cases.boss, "A")
        [first] = cross_case_links(s, two_cases.boss, "A", limit=1)
        in_sql = crosscase._links(s, "A", 1).links  # the limit is in the query, not after it
    [busy] = [link for link in links if link.value == common]
    assert busy.entity_ids == ["a-c0", "a-c1"] and busy.other_entity_ids == ["b-c0", "b-c1"]
    assert busy.more
    assert [(link.value, link.more) for link in links] == [(common, True), (SHARED_PHONE, False)]
    assert (first.value, first.other_case_id) == (common, "B")
    assert in_sql == [("phone", common, "B")]


def _callers(two_cases: TwoCases, case: str, first: int, count: int) -> None:
    """``count`` people of ``case`` holding COMMON (Alice's in A, Bob's elsewhere)."""
    who = two_cases.alice if case == "A" else two_cases.bob
    with two_cases.node.session() as s:
        if s.get(Case, case) is None:
            create_case(s, two_cases.bob, CaseIn(title=f"Case {case} (fictional)", id=case,
                                                 fictional=True))  # fmt: skip
        for i in range(first, first + count):
            item = e(f"{case.lower()}-c{i:03d}", "Person", phone=[COMMON])
            add_entity(s, who, item, case_id=case, fictional=True)


COMMON = "+8613700000009"


def _steps(s: Session) -> int:
    """SQLite VM instructions of one look-up of case A's links (a row read is a few)."""
    return vm_steps(s, lambda: crosscase._links(s, "A", 10))[1]


def test_a_selector_too_common_to_list_every_case_says_so_and_reads_a_bounded_part(
    two_cases: TwoCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_cases.node.session() as s:
        add_entity(s, two_cases.alice, e("a-c0", "Person", phone=[COMMON]), case_id="A",
                   fictional=True)  # fmt: skip
    _callers(two_cases, "B", 0, 2)
    _callers(two_cases, "C", 0, 1)  # a third case: past the first two holders in other cases
    monkeypatch.setattr(crosscase, "MAX_HOLDERS", 2)
    sqlite = two_cases.node.engine.dialect.name == "sqlite"
    with two_cases.node.session() as s:
        links = cross_case_links(s, two_cases.boss, "A")
        for_alice = cross_case_links(s, two_cases.alice, "A")
        before = _steps(s) if sqlite else 0
    _callers(two_cases, "C", 1, 150)
    with two_cases.node.session() as s:
        again = cross_case_links(s, two_cases.boss, "A")
        after = _steps(s) if sqlite else 0
    for found in (links, again):
        [busy] = [link for link in found if link.value == COMMON]  # case C is not reached
        assert (busy.other_case_id, busy.other_entity_ids) == ("B", ["b-c000", "b-c001"])
        assert busy.common and busy.more and busy.entity_ids == ["a-c0"]
        [plain] = [link for link in found if link.value == SHARED_PHONE]
        assert not plain.common and not plain.more
    [hidden] = [link for link in for_alice if link.value == COMMON]
    assert hidden.common and hidden.other_case_id is None and hidden.other_entity_ids == []
    assert after <= before + 5  # 150 more holders in other cases: not one more row read


def test_other_case_holders_search_the_key_case_index(two_cases: TwoCases) -> None:
    if two_cases.node.engine.dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's")
    params = {"a0": "phone", "b0": COMMON, "case": "A", "most": 3}
    with two_cases.node.session() as s:
        sql = "EXPLAIN QUERY PLAN " + queries._OTHER_CASE_TERM.format(i=0)
        plan = [r[3] for r in s.execute(text(sql), params)]
    assert any("ix_selectors_key_case (kind=? AND value=? AND case_id>?)" in p for p in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


def _holders_and_steps(
    s: Session, case: str, most: int
) -> tuple[list[tuple[str, str, str, str]], int]:
    """:func:`queries.other_case_holders` of COMMON for ``case`` and, on SQLite, its VM steps."""
    return vm_steps(s, lambda: queries.other_case_holders(s, [("phone", COMMON)], most, case))


def _expected(s: Session, case: str, most: int) -> list[tuple[str, str, str, str]]:
    """What other_case_holders must answer, read whole and filtered here."""
    rows = s.execute(
        text("SELECT kind, value, entity_id, case_id FROM selectors WHERE kind = 'phone' "
             "AND value = :value AND case_id IS NOT NULL AND case_id <> :case"),
        {"value": COMMON, "case": case},
    )  # fmt: skip
    return sorted(((r[0], r[1], r[2], r[3]) for r in rows), key=lambda r: (r[3], r[2]))[:most]


def test_other_case_holders_never_read_the_asking_cases_own_holders(
    two_cases: TwoCases,
) -> None:
    _callers(two_cases, "A", 0, 2)  # cases before and after B, and one outside any case
    _callers(two_cases, "B", 0, 1)
    _callers(two_cases, "C", 0, 3)
    with two_cases.node.session() as s:
        add_entity(s, two_cases.bob, e("n-c0", "Person", phone=[COMMON]), fictional=True)
        _found, before = _holders_and_steps(s, "B", 3)
    _callers(two_cases, "B", 1, 200)  # the asking case holds the key 201 times
    with two_cases.node.session() as s:
        for case in ("A", "B", "C", "D"):
            for most in (1, 2, 3, 6, 10):
                found, _steps = _holders_and_steps(s, case, most)
                assert found == _expected(s, case, most), (case, most)
        found, after = _holders_and_steps(s, "B", 3)
    assert [r[2] for r in found] == ["a-c000", "a-c001", "c-c000"]
    if two_cases.node.engine.dialect.name == "sqlite":
        assert after <= before + 5  # 200 more holders in the asking case: not one more read
