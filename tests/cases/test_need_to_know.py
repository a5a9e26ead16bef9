from typing import Any

import pytest

from jointprobe.cases import (
    CaseIdUnavailable,
    CaseIn,
    add_member,
    create_case,
    get_case,
    list_cases,
    remove_member,
)
from jointprobe.cases.service import members
from jointprobe.errors import Conflict, NotFound
from jointprobe.node import Node


def test_non_member_gets_not_found_and_member_sees_case(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    bob = make_user(node, "bob")
    boss = make_user(node, "boss", "supervisor")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="Diana", id="diana"))
    with node.session() as session:
        with pytest.raises(NotFound) as info:
            get_case(session, bob, "diana")
        assert info.value.status == 404
        assert list_cases(session, bob) == []
        assert get_case(session, boss, "diana").title == "Diana"
        add_member(session, alice, "diana", "bob")
    with node.session() as session:
        assert get_case(session, bob, "diana").id == "diana"
        assert [c.id for c in list_cases(session, bob)] == ["diana"]


def test_admin_without_membership_does_not_see_case(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    admin = make_user(node, "root", "admin")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="Diana", id="diana"))
        with pytest.raises(NotFound):
            get_case(session, admin, "diana")


def test_duplicate_case_id_conflicts_and_writes_nothing(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="one", id="c1"))
    with pytest.raises(CaseIdUnavailable), node.session() as session:
        create_case(session, alice, CaseIn(title="two", id="c1"))
    with node.session() as session:
        assert get_case(session, alice, "c1").title == "one"


def test_a_hidden_case_id_is_refused_like_a_reserved_or_visible_one(
    node: Node, make_user: Any
) -> None:
    alice = make_user(node, "alice")
    bob = make_user(node, "bob")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="Diana", id="diana"))
        create_case(session, bob, CaseIn(title="Bob's", id="bobs"))
    answers = []
    for chosen in ("diana", "bobs", "leads-anything"):
        with pytest.raises(CaseIdUnavailable) as info, node.session() as session:
            create_case(session, bob, CaseIn(title="probe", id=chosen))
        answers.append((info.value.status, info.value.to_dict()))
    assert answers[0] == answers[1] == answers[2]
    assert "diana" not in str(answers[0])


def test_generated_case_ids_have_a_random_part(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        ids = {create_case(session, alice, CaseIn(title="t")).id for _ in range(3)}
    assert len(ids) == 3 and all(len(i) == len("case-") + 16 for i in ids)


def test_removing_a_member_takes_the_case_out_of_sight(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    bob = make_user(node, "bob")
    carol = make_user(node, "carol")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="Diana", id="diana"))
        add_member(session, alice, "diana", "bob")
    with node.session() as session:
        with pytest.raises(NotFound, match="carol is not a member"):
            remove_member(session, alice, "diana", "carol")
        with pytest.raises(NotFound, match="no case"):
            remove_member(session, carol, "diana", "bob")  # an outsider learns nothing
        remove_member(session, alice, "diana", "bob")
    with node.session() as session:
        with pytest.raises(NotFound):
            get_case(session, bob, "diana")
        with pytest.raises(Conflict, match="last member"):
            remove_member(session, alice, "diana", "alice")
        assert members(session, "diana") == ["alice"]
