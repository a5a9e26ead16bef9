import json
from typing import Any

import pytest
from sqlalchemy import select

from jointprobe.cases import CaseIn, create_case
from jointprobe.entities import add_entity, get_entity, import_ftm_lines
from jointprobe.errors import Conflict, InvalidEntity, NotFound
from jointprobe.node import Node
from jointprobe.store.tables import Edge, Entity, Selector


def person(eid: str, **props: Any) -> dict[str, Any]:
    return {"id": eid, "schema": "Person", "properties": props}


def test_selectors_and_edges_are_indexed_on_write(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        add_entity(
            session,
            alice,
            person(
                "p1",
                name=["Zheng Fujing"],
                email=["GoldenChemical@Live.com"],
                phone=["+86 138 1234 5678"],
            ),
        )
        add_entity(session, alice, {"id": "c1", "schema": "Company", "properties": {"name": ["X"]}})
        link = {"owner": ["p1"], "asset": ["c1"]}
        add_entity(session, alice, {"id": "o1", "schema": "Ownership", "properties": link})
    with node.session() as session:
        selectors = set(map(tuple, session.execute(select(Selector.kind, Selector.value))))
        edges = session.execute(select(Edge.schema, Edge.source_id, Edge.target_id)).all()
    assert ("email", "goldenchemical@live.com") in selectors
    assert ("phone", "+8613812345678") in selectors
    assert [tuple(e) for e in edges] == [("Ownership", "p1", "c1")]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"id": "x", "schema": "Spaceship"}, "unknown schema"),
        ({"schema": "Person"}, "no 'id'"),
        ({"id": "x", "schema": "Thing"}, "abstract"),
        (person("x", shoeSize=["44"]), "no property 'shoeSize'"),
        (person("x", birthDate=["yesterday"]), "invalid date"),
        ("not an object", "JSON object"),
    ],
)
def test_malformed_entities_are_named(
    sqlite_node: Node, make_user: Any, data: Any, needle: str
) -> None:
    alice = make_user(sqlite_node, "alice")
    with pytest.raises(InvalidEntity) as info, sqlite_node.session() as session:
        add_entity(session, alice, data)
    assert needle in info.value.message


def test_duplicate_entity_id_conflicts(sqlite_node: Node, make_user: Any) -> None:
    alice = make_user(sqlite_node, "alice")
    with sqlite_node.session() as session:
        add_entity(session, alice, person("p1", name=["A"]))
    with pytest.raises(Conflict), sqlite_node.session() as session:
        add_entity(session, alice, person("p1", name=["B"]))


def test_case_entity_hidden_from_non_member(sqlite_node: Node, make_user: Any) -> None:
    alice = make_user(sqlite_node, "alice")
    bob = make_user(sqlite_node, "bob")
    with sqlite_node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
        add_entity(session, alice, person("p1", name=["A"]), case_id="c")
    with sqlite_node.session() as session:
        assert get_entity(session, alice, "p1").caption == "A"
        with pytest.raises(NotFound):
            get_entity(session, bob, "p1")


LINES = [
    json.dumps(person("a", name=["Ann"])),
    "{not json",
    json.dumps(person("b", birthDate=["never"])),
    json.dumps(person("a", name=["Dup"])),
    "",
    json.dumps(person("c", name=["Cy"])),
]


@pytest.mark.parametrize("workers", [1, 2])
def test_import_reports_bad_lines_by_number_and_keeps_the_rest(
    node: Node, make_user: Any, workers: int
) -> None:
    make_user(node, "alice")
    report = import_ftm_lines(node.sessions, "alice", LINES, name="in.jsonl", workers=workers)
    assert report.imported == 2
    assert [n for n, _ in report.errors] == [2, 3, 4]
    assert "malformed JSON" in report.errors[0][1]
    with node.session() as session:
        assert sorted(session.scalars(select(Entity.id))) == ["a", "c"]


@pytest.mark.parametrize("workers", [1, 2])
def test_strict_import_rolls_back_earlier_batches_too(
    node: Node, make_user: Any, workers: int
) -> None:
    make_user(node, "alice")
    good = [json.dumps(person(f"p{n}", name=[f"P {n}"])) for n in range(5)]
    lines = [*good, "{bad"]
    report = import_ftm_lines(node.sessions, "alice", lines, strict=True, batch=2, workers=workers)
    assert report.rolled_back and report.imported == 0 and [n for n, _ in report.errors] == [6]
    with node.session() as session:
        assert session.scalars(select(Entity.id)).all() == []


def test_strict_import_is_all_or_nothing(node: Node, make_user: Any) -> None:
    make_user(node, "alice")
    report = import_ftm_lines(node.sessions, "alice", LINES, strict=True)
    assert report.rolled_back and report.imported == 0
    with node.session() as session:
        assert session.scalars(select(Entity.id)).all() == []
        assert session.scalars(select(Selector.entity_id)).all() == []


def test_an_import_into_a_case_the_importer_cannot_see_imports_nothing(
    node: Node, make_user: Any
) -> None:
    make_user(node, "bob")
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="Diana", id="diana"))
        session.commit()
    report = import_ftm_lines(node.sessions, "bob", LINES, name="in.jsonl", case_id="diana")
    assert report.imported == 0
    errors = dict(report.errors)
    assert sorted(errors) == [1, 2, 3, 4, 6]
    assert "malformed JSON" in errors[2] and "birthDate" in errors[3]  # bad lines stay bad
    assert errors[1] == errors[4] == errors[6] == "no case 'diana'"
    report = import_ftm_lines(node.sessions, "alice", LINES, name="in.jsonl", case_id="diana")
    assert report.imported == 2
    with node.session() as session:
        rows = session.execute(select(Entity.id, Entity.case_id, Entity.source)).all()
        assert sorted(rows) == [("a", "diana", "in.jsonl"), ("c", "diana", "in.jsonl")]
        assert {s.case_id for s in session.scalars(select(Selector))} == {"diana"}
