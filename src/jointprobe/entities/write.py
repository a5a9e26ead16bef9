"""The one place entities are written with their index: entity rows, selectors, edges.

``prepare`` checks a batch (FtM schema and values, case visibility, marking,
ids taken in the batch or the store) and writes nothing; ``write`` inserts
what passed with one executemany statement per table. ``add_entities``
(imports) and ``add_entity`` (one entity) are both built on these two, so
the selector index is written the same way on every path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from followthemoney.proxy import EntityProxy
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from jointprobe.cases.marking import check_marking
from jointprobe.cases.service import visible_case
from jointprobe.entities.ftm import parse_entity
from jointprobe.entities.selectors import extract_selectors
from jointprobe.errors import Conflict, InvalidEntity, JointprobeError, NotFound
from jointprobe.store.tables import Edge, Entity, Selector, User
from jointprobe.timeutil import utcnow

IN_CHUNK = 500
_ENTITIES = cast(Table, Entity.__table__)
_SELECTORS = cast(Table, Selector.__table__)
_EDGES = cast(Table, Edge.__table__)


@dataclass
class NewEntity:
    data: dict[str, Any] | EntityProxy
    where: str | None = None
    case_id: str | None = None
    tlp: str = "AMBER"
    handling: dict[str, Any] | None = None
    grading: str | None = None
    fictional: bool = False
    source: str | None = None


@dataclass(slots=True)
class Ready:
    """An item that passed every check, with its parsed proxy and clean marking."""

    item: NewEntity
    proxy: EntityProxy
    marking: tuple[str, dict[str, Any], str | None]

    @property
    def id(self) -> str:
        return str(self.proxy.id)


Failed = list[tuple[int, JointprobeError]]


def _existing(session: Session, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        found.update(session.scalars(select(Entity.id).where(Entity.id.in_(chunk))))
    return found


def _check(session: Session, actor: User, item: NewEntity, visible: dict[str, bool]) -> Ready:
    data = item.data
    proxy = data if isinstance(data, EntityProxy) else parse_entity(data, where=item.where)
    if not proxy.id:
        raise InvalidEntity("entity has no 'id'", where=item.where)
    if item.case_id is not None:
        if item.case_id not in visible:
            try:
                visible_case(session, actor, item.case_id)
                visible[item.case_id] = True
            except NotFound:
                visible[item.case_id] = False
        if not visible[item.case_id]:
            raise NotFound(f"no case {item.case_id!r}", where=item.where)
    return Ready(item, proxy, check_marking(item.tlp, item.handling, item.grading))


def prepare(
    session: Session, actor: User, items: Sequence[NewEntity]
) -> tuple[list[Ready], Failed]:
    """Check every item; return those ready to write and (index, error) for the others."""
    errors: Failed = []
    checked: list[tuple[int, Ready]] = []
    visible: dict[str, bool] = {}
    for index, item in enumerate(items):
        try:
            checked.append((index, _check(session, actor, item, visible)))
        except JointprobeError as exc:
            errors.append((index, exc))
    taken = _existing(session, [ready.id for _, ready in checked])
    out: list[Ready] = []
    for index, ready in checked:
        if ready.id in taken:
            errors.append(
                (index, Conflict(f"entity {ready.id!r} already exists", where=ready.item.where))
            )
            continue
        taken.add(ready.id)
        out.append(ready)
    errors.sort(key=lambda pair: pair[0])
    return out, errors


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


def write(session: Session, batch: Sequence[Ready]) -> None:
    """Insert entity rows, their selectors and their edges, one executemany per table."""
    now = utcnow()
    entities: list[dict[str, Any]] = []
    selectors: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for ready in batch:
        proxy, item, eid = ready.proxy, ready.item, ready.id
        tlp, handling, grading = ready.marking
        entities.append(
            {
                "id": eid,
                "schema": proxy.schema.name,
                "caption": proxy.caption[:500],
                "properties": proxy.to_dict()["properties"],
                "case_id": item.case_id,
                "tlp": tlp,
                "handling": handling,
                "grading": grading,
                "fictional": item.fictional,
                "source": item.source,
                "created_at": now,
                "updated_at": now,
            }
        )
        selectors += [
            {"kind": kind, "value": value, "entity_id": eid, "case_id": item.case_id}
            for kind, value in extract_selectors(proxy)
        ]
        edges += [
            {
                "relation_id": eid,
                "schema": schema_name,
                "source_id": source,
                "target_id": target,
                "case_id": item.case_id,
            }
            for schema_name, source, target in edges_of(proxy)
        ]
    if not entities:
        return
    session.execute(insert(_ENTITIES), entities)
    if selectors:
        session.execute(insert(_SELECTORS), selectors)
    if edges:
        session.execute(insert(_EDGES), edges)
