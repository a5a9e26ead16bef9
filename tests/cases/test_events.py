from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from jointprobe.cases import CaseIn, EventIn, add_event, create_case, list_events
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.node import Node


def test_seizure_and_sentence_are_stored_with_marking(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
        add_event(
            session,
            alice,
            "c",
            EventIn(
                kind="seizure",
                substance="fentanyl",
                quantity=Decimal("11.9"),
                unit="kg",
                occurred_on="2017-12-31",  # type: ignore[arg-type]
                tlp="RED",
                grading="b2",
            ),
        )
        add_event(session, alice, "c", EventIn(kind="court_outcome", outcome="life"))
    with node.session() as session:
        events = list_events(session, alice, "c")
    assert [e.kind for e in events] == ["seizure", "court_outcome"]
    assert events[0].quantity == Decimal("11.9") and events[0].tlp == "RED"
    assert events[0].grading == "B2"


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "party"},
        {"kind": "seizure", "substance": "fentanyl"},
        {"kind": "seizure", "quantity": "-1", "unit": "kg"},
        {"kind": "seizure", "quantity": "ten", "unit": "kg"},
        {"kind": "seizure", "quantity": "1", "unit": "bushels"},
        {"kind": "arrest", "occurred_on": "2017-13-45"},
        {"kind": "court_outcome", "outcome": "flogging"},
        {"kind": "court_outcome", "outcome": "fixed_term"},
    ],
)
def test_invalid_events_are_refused_clearly(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EventIn.model_validate(fields)


def test_bad_marking_and_unknown_people_write_nothing(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
    with pytest.raises(InvalidInput), node.session() as session:
        add_event(session, alice, "c", EventIn(kind="arrest", tlp="PURPLE"))
    with pytest.raises(NotFound) as missing, node.session() as session:
        add_event(session, alice, "c", EventIn(kind="arrest", people=["ghost"]))
    assert missing.value.where == "people"
    with pytest.raises(InvalidInput), node.session() as session:
        add_event(session, alice, "c", EventIn(kind="arrest", grading="Z9"))
    with node.session() as session:
        assert list_events(session, alice, "c") == []


def test_events_of_invisible_case_are_not_found(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    bob = make_user(node, "bob")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
    with pytest.raises(NotFound), node.session() as session:
        add_event(session, bob, "c", EventIn(kind="arrest"))


def test_event_cannot_name_an_entity_of_another_case(node: Node, make_user: Any) -> None:
    from jointprobe.entities import add_entity

    alice = make_user(node, "alice")
    bob = make_user(node, "bob")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="secret", id="a"))
        informant = {"id": "src-wolf", "schema": "Person", "properties": {"name": ["Wolf"]}}
        add_entity(session, alice, informant, case_id="a")
        create_case(session, bob, CaseIn(title="mine", id="b"))
    with pytest.raises(NotFound) as info, node.session() as session:
        add_event(session, bob, "b", EventIn(kind="note", people=["src-wolf"]))
    assert "unknown entity" in info.value.message


def test_bad_expiry_and_oversized_ids_are_invalid_input(sqlite_node: Node, make_user: Any) -> None:
    alice = make_user(sqlite_node, "alice")
    with sqlite_node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
    with pytest.raises(InvalidInput) as info, sqlite_node.session() as session:
        add_event(session, alice, "c", EventIn(kind="note", handling={"expires": "soon"}))
    assert "ISO 8601" in info.value.message
    with pytest.raises(ValidationError):
        EventIn(kind="note", related_event_id=10**21)
    with sqlite_node.session() as session:
        event = add_event(
            session, alice, "c", EventIn(kind="note", handling={"expires": "2030-01-01"})
        )
        assert event.handling["expires"] == "2030-01-01T00:00:00Z"
