"""Entity writes: one entity, its selectors and its edges in one transaction."""

from __future__ import annotations

from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.service import visible_case
from jointprobe.entities.write import NewEntity, edges_of, prepare, write
from jointprobe.errors import NotFound
from jointprobe.store.tables import Entity, User

__all__ = [
    "add_entity",
    "case_entities",
    "edges_of",
    "get_entity",
    "read_case_entities",
    "to_proxy",
]


def to_proxy(row: Entity) -> EntityProxy:
    return model.get_proxy({"id": row.id, "schema": row.schema, "properties": row.properties})


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
    """Write one entity with its selectors and edges, or raise why not (nothing written).

    The same checks and writes as an import batch of one (``entities.write``),
    with its own audit entry.
    """
    item = NewEntity(data, where, case_id, tlp, handling, grading, fictional, source)
    ready, errors = prepare(session, actor, [item])
    if errors:
        raise errors[0][1]
    write(session, ready)
    row = session.get(Entity, ready[0].id)
    assert row is not None
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


def read_case_entities(session: Session, actor: User, case_id: str) -> list[Entity]:
    """The entities of a case ``actor`` may see, the read recorded in the audit log (one row)."""
    case = visible_case(session, actor, case_id)
    record(session, actor.username, "read", "case", case.id, {"entities": "list"})
    return case_entities(session, case.id)


def case_entities(session: Session, case_id: str) -> list[Entity]:
    return list(session.scalars(select(Entity).where(Entity.case_id == case_id)))
