"""The one-entity path (add_entity) and the import path (add_entities) write the same rows."""

from typing import Any

import pytest
from followthemoney import model
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.cases import CaseIn, create_case
from jointprobe.entities import NewEntity, add_entities, add_entity
from jointprobe.errors import Conflict, InvalidEntity
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, Edge, Entity, Selector

MIXED: list[dict[str, Any]] = [
    {"id": "p1", "schema": "Person", "properties": {
        "name": ["Zheng Fujing", "郑富京"], "alias": ["Cheng Fu-ching"],
        "email": ["GoldenChemical@Live.com", "j.doe+x@gmail.com", "mailto:A@Bücher.example"],
        "phone": ["+86 138 1234 5678", "+12022200001"],
        "website": ["http://WWW.GlobalRC.net/shop/"], "idNumber": ["3101 0719 8306 1113 36"],
    }},
    {"id": "c1", "schema": "Company", "properties": {
        "name": ["大连正华贸易有限公司", "Anglo-Caribbean Ltd."], "email": ["sales@bench.example"],
    }},
    {"id": "w1", "schema": "CryptoWallet", "properties": {
        "publicKey": ["0x52908400098527886E0F7030069857D2E4169EE7"], "currency": ["ETH"],
    }},
    {"id": "pp1", "schema": "Passport", "properties": {
        "number": ["G3192 0875"], "country": ["cn"], "holder": ["p1"],
    }},
    {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"]}},
    {"id": "b1", "schema": "BankAccount", "properties": {
        "iban": ["DE89 3704 0044 0532 0130 00"], "accountNumber": ["0532013000"],
    }},
]  # fmt: skip


def _rows(session: Session) -> tuple[set[tuple[Any, ...]], ...]:
    entities = {
        (r.id, r.schema, r.caption, repr(sorted(r.properties.items())), r.case_id, r.tlp)
        for r in session.scalars(select(Entity))
    }
    selectors = {
        tuple(row)
        for row in session.execute(
            select(Selector.entity_id, Selector.kind, Selector.value, Selector.case_id)
        )
    }
    edges = {
        tuple(row)
        for row in session.execute(
            select(Edge.relation_id, Edge.schema, Edge.source_id, Edge.target_id, Edge.case_id)
        )
    }
    return entities, selectors, edges


def test_bulk_and_one_entity_paths_write_the_same_rows(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
    with node.session() as session:
        for data in MIXED:
            add_entity(session, alice, data, case_id="c", tlp="GREEN")
        one = _rows(session)
        session.rollback()
        items = [NewEntity(data, case_id="c", tlp="GREEN") for data in MIXED]
        assert add_entities(session, alice, items) == []
        bulk = _rows(session)
    assert one == bulk
    entities, selectors, edges = bulk
    assert len(entities) == len(MIXED)
    kinds = {kind for _, kind, _, _ in selectors}
    assert {"name", "company", "email", "domain", "phone", "url", "wallet", "passport"} <= kinds
    assert ("p1", "phone", "+12022200001", "c") in selectors
    assert ("o1", "Ownership", "p1", "c1", "c") in edges


def test_add_entity_writes_nothing_and_raises_the_first_problem(
    sqlite_node: Node, make_user: Any
) -> None:
    alice = make_user(sqlite_node, "alice")
    with sqlite_node.session() as session:
        add_entity(session, alice, MIXED[1])
        audit_before = len(session.scalars(select(AuditEntry.id)).all())
        bad = {"id": "p2", "schema": "Person", "properties": {"email": ["not-an-address"]}}
        with pytest.raises(InvalidEntity), session.begin_nested():
            add_entity(session, alice, bad)
        with pytest.raises(Conflict), session.begin_nested():
            add_entity(session, alice, MIXED[1])
        assert session.scalars(select(Entity.id)).all() == ["c1"]
        assert {s for s in session.scalars(select(Selector.entity_id))} == {"c1"}
        assert len(session.scalars(select(AuditEntry.id)).all()) == audit_before


def test_each_path_keeps_its_audit_entries(sqlite_node: Node, make_user: Any) -> None:
    alice = make_user(sqlite_node, "alice")
    with sqlite_node.session() as session:
        add_entity(session, alice, MIXED[0])
        add_entities(session, alice, [NewEntity(MIXED[1]), NewEntity(MIXED[2])])
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    last = [(e.action, e.object_type, e.object_id, e.detail) for e in entries[-2:]]
    assert last == [
        ("create", "entity", "p1", {"schema": "Person"}),
        ("create", "entities", "2 entities", {"ids": ["c1", "w1"]}),
    ]


def test_a_proxy_without_id_is_reported_not_written(sqlite_node: Node, make_user: Any) -> None:
    alice = make_user(sqlite_node, "alice")
    with sqlite_node.session() as session:
        failed = add_entities(session, alice, [NewEntity(model.make_entity("Person"), "row 1")])
        assert [(i, type(e).__name__, e.message) for i, e in failed] == [
            (0, "InvalidEntity", "entity has no 'id'")
        ]
        assert session.scalars(select(Entity.id)).all() == []
