from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from sqlalchemy import select
from tests.network.conftest import SHARED_PHONE, TwoCases, e

from jointprobe.entities import add_entity
from jointprobe.errors import NotFound
from jointprobe.network import cross_case_links, crosscase
from jointprobe.store.tables import AuditEntry


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
