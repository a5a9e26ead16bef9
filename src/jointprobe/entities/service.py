"""Entity writes: one entity, its selectors and its edges in one transaction."""

from __future__ import annotations

from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.marking import check_marking
from jointprobe.cases.service import visible_case
from jointprobe.entities.ftm import parse_entity
from jointprobe.entities.selectors import extract_selectors
from jointprobe.errors import Conflict, NotFound
from jointprobe.store.tables import Edge, Entity, Selector, User


def to_proxy(row: Entity) -> EntityProxy:
    return model.get_proxy({"id": row.id, "schema": row.schema, "properties": row.properties})


def _index(session: Session, row: Entity, proxy: EntityProxy) -> None:
    session.execute(delete(Selector).where(Selector.entity_id == row.id))
    session.execute(delete(Edge).where(Edge.relation_id == row.id))
    for kind, value in extract_selectors(proxy):
        session.add(Selector(entity_id=row.id, kind=kind, value=value, case_id=row.case_id))
    for schema_name, source, target in edges_of(proxy):
        session.add(
            Edge(
                relation_id=row.id,
                schema=schema_name,
                source_id=source,
                target_id=target,
                case_id=row.case_id,
            )
        )


def edges_of(proxy: EntityProxy) -> list[tuple[str, str, str]]:
    """Edges of an FtM edge schema (Ownership…), else one per entity-valued property."""
    schema = proxy.schema
    assert proxy.id is not None
    if schema.edge_source and schema.edge_target:
        return [
            (schema.name, source, target)
            for source in proxy.get(schema.edge_source)
            for target in proxy.get(schema.edge_target)
        ]
    return [
        (f"{schema.name}.{prop.name}", proxy.id, value)
        for prop, value in proxy.itervalues()
        if prop.type.name == "entity"
    ]


def add_entity(
    session: Session,
    actor: User,
    data: dict[str, Any] | EntityProxy,
    *,
    case_id: str | None = None,
    tlp: str = "AMBER",
    handling: dict[str, Any] | None = None,
    grading: str | None = None,
    fictional: bool = False,
    source: str | None = None,
    where: str | None = None,
) -> Entity:
    proxy = data if isinstance(data, EntityProxy) else parse_entity(data, where=where)
    if case_id is not None:
        visible_case(session, actor, case_id)
    label, clean_handling, grade = check_marking(tlp, handling, grading)
    assert proxy.id is not None
    if session.get(Entity, proxy.id) is not None:
        raise Conflict(f"entity {proxy.id!r} already exists", where=where)
    row = Entity(
        id=proxy.id,
        schema=proxy.schema.name,
        caption=proxy.caption[:500],
        properties=proxy.to_dict()["properties"],
        case_id=case_id,
        tlp=label,
        handling=clean_handling,
        grading=grade,
        fictional=fictional,
        source=source,
    )
    session.add(row)
    session.flush()
    _index(session, row, proxy)
    record(session, actor.username, "create", "entity", row.id, {"schema": row.schema})
    return row


def get_entity(session: Session, actor: User, entity_id: str) -> Entity:
    row = session.get(Entity, entity_id)
    if row is None:
        raise NotFound(f"no entity {entity_id!r}")
    if row.case_id is not None:
        try:
            visible_case(session, actor, row.case_id)
        except NotFound:
            raise NotFound(f"no entity {entity_id!r}") from None
        record(session, actor.username, "read", "case", row.case_id, {"entity": row.id})
    return row


def case_entities(session: Session, case_id: str) -> list[Entity]:
    return list(session.scalars(select(Entity).where(Entity.case_id == case_id)))
