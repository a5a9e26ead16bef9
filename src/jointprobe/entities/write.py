"""The one place entities are written with their index: entity rows, selectors, edges.

``parse_item`` reads one entity dict (FtM schema and values) into a
:class:`Parsed` with its selectors and edges; it needs no store, so imports
run it in worker processes (``entities.parallel``). Every write ends in
``insert_parsed``: one executemany statement per table for entities that
share an :class:`Origin` (case, checked marking, provenance), so the
selector index is written the same way on every path.

- ``prepare`` checks a batch of :class:`NewEntity` items (parsing what is not
  parsed yet, case visibility, marking, ids taken in the batch or the store)
  and writes nothing; ``write`` inserts what passed. ``add_entities`` (the
  OFAC import) and ``add_entity`` (one entity) are built on these two.
- ``check_origin`` checks an import's case and marking once; ``add_parsed``
  then writes each batch its workers read (``entity import``).

An id that is taken, in a case the writer may see or not, is refused with one
answer (:class:`EntityIdUnavailable`) that does not say where or whether it is visible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, NamedTuple, cast

import orjson
from followthemoney.proxy import EntityProxy
from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from jointprobe.cases.marking import check_marking
from jointprobe.cases.service import visible_case
from jointprobe.entities.ftm import parse_entity
from jointprobe.entities.selectors import extract_selectors
from jointprobe.errors import Conflict, InvalidEntity, JointprobeError, NotFound
from jointprobe.store.bulk import insert_rows
from jointprobe.store.tables import Edge, Entity, Selector, User
from jointprobe.timeutil import utcnow

IN_CHUNK = 500
_ENTITIES = cast(Table, Entity.__table__)
_SELECTORS = cast(Table, Selector.__table__)
_EDGES = cast(Table, Edge.__table__)
_ENTITY_COLUMNS = ("id", "schema", "caption", "properties")  # the rest: the origin's
_SELECTOR_COLUMNS = ("kind", "value", "entity_id")  # Parsed.selectors; case_id per batch
_EDGE_COLUMNS = ("relation_id", "schema", "source_id", "target_id")  # Parsed.edges


class EntityIdUnavailable(Conflict):
    """An entity id taken already (in this batch or the store); says nothing of where."""

    code = "entity.id_unavailable"

    def __init__(self, where: str | None = None) -> None:
        super().__init__("entity id not available; choose another", where=where)


class Parsed(NamedTuple):
    """An entity read and validated by FtM, with what the index needs from it.

    A tuple of strings and tuples, so that the batches worker processes send to
    the writing process unpickle at the speed of plain tuples.
    """

    id: str
    schema: str
    caption: str
    properties: str  # FtM properties as JSON text, encoded where the entity was read
    selectors: tuple[tuple[str, str, str], ...]  # (kind, value, entity id): selector rows
    edges: tuple[tuple[str, str, str, str], ...]  # (relation id, schema, source, target)


@dataclass
class NewEntity:
    """An entity to write. ``parsed`` holds the result of :func:`parse_item` when it was
    run ahead (in a worker process): the entity read, or why it could not be."""

    data: dict[str, Any] | EntityProxy | None
    where: str | None = None
    case_id: str | None = None
    tlp: str = "AMBER"
    handling: dict[str, Any] | None = None
    grading: str | None = None
    fictional: bool = False
    source: str | None = None
    parsed: Parsed | JointprobeError | None = None


Marking = tuple[str, dict[str, Any], str | None]


@dataclass(frozen=True, slots=True)
class Origin:
    """What the entities of one write share: case, checked marking, provenance.

    An import's lines share one; :func:`insert_parsed` writes its columns once per batch.
    """

    case_id: str | None
    tlp: str
    handling: dict[str, Any]
    grading: str | None
    fictional: bool
    source: str | None


def check_origin(
    session: Session,
    actor: User,
    *,
    case_id: str | None = None,
    tlp: str = "AMBER",
    handling: dict[str, Any] | None = None,
    grading: str | None = None,
    fictional: bool = False,
    source: str | None = None,
) -> Origin:
    """Check the case is visible to ``actor`` and the marking valid; raise why not."""
    if case_id is not None:
        visible_case(session, actor, case_id)  # NotFound when not visible
    tlp, clean, grade = check_marking(tlp, handling, grading)
    return Origin(case_id, tlp, clean, grade, fictional, source)


@dataclass(slots=True)
class Ready:
    """An item that passed every check, with its parsed entity and its origin."""

    item: NewEntity
    parsed: Parsed
    origin: Origin

    @property
    def id(self) -> str:
        return self.parsed.id


Failed = list[tuple[int, JointprobeError]]
_EXISTING = select(Entity.id).where(Entity.id.in_(bindparam("ids", expanding=True)))


def _existing(session: Session, ids: Sequence[str]) -> set[str]:
    """The ids of ``ids`` that name stored entities (SQLite: without compiling a statement)."""
    found: set[str] = set()
    connection = session.connection()
    for start in range(0, len(ids), IN_CHUNK):
        chunk = tuple(ids[start : start + IN_CHUNK])
        if connection.dialect.name == "sqlite":
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT id FROM entities WHERE id IN ({marks})"
            found.update(row[0] for row in connection.exec_driver_sql(sql, chunk))
        else:
            found.update(session.scalars(_EXISTING, {"ids": list(chunk)}))
    return found


def parse_item(data: dict[str, Any] | EntityProxy | None, where: str | None = None) -> Parsed:
    """Read one entity (FtM validation) with its selectors and edges; raise why not."""
    proxy = data if isinstance(data, EntityProxy) else parse_entity(data, where=where)
    if not proxy.id:
        raise InvalidEntity("entity has no 'id'", where=where)
    eid = str(proxy.id)
    return Parsed(
        eid,
        proxy.schema.name,
        proxy.caption[:500],
        orjson.dumps(proxy.properties).decode(),
        tuple([(kind, value, eid) for kind, value in extract_selectors(proxy)]),
        tuple([(eid, *edge) for edge in edges_of(proxy)]),
    )


def _marking(item: NewEntity, seen: dict[tuple[Any, ...], Marking | JointprobeError]) -> Marking:
    """``check_marking`` once per distinct marking of a batch.

    Keyed by the handling object's identity: the items of a batch, and so their
    handling objects, live as long as ``seen`` (one ``prepare`` call).
    """
    key = (item.tlp, id(item.handling), item.grading)
    if key not in seen:
        try:
            seen[key] = check_marking(item.tlp, item.handling, item.grading)
        except JointprobeError as exc:
            seen[key] = exc
    marking = seen[key]
    if isinstance(marking, JointprobeError):
        raise marking
    return marking


class _Checks:
    """What ``prepare`` learns once per batch: visible cases, markings, origins."""

    def __init__(self) -> None:
        self.visible: dict[str, bool] = {}
        self.markings: dict[tuple[Any, ...], Marking | JointprobeError] = {}
        self.origins: dict[tuple[Any, ...], Origin] = {}


def _check(session: Session, actor: User, item: NewEntity, checks: _Checks) -> Ready:
    parsed = item.parsed if item.parsed is not None else parse_item(item.data, item.where)
    if isinstance(parsed, JointprobeError):
        raise parsed
    if item.case_id is not None:
        if item.case_id not in checks.visible:
            try:
                visible_case(session, actor, item.case_id)
                checks.visible[item.case_id] = True
            except NotFound:
                checks.visible[item.case_id] = False
        if not checks.visible[item.case_id]:
            raise NotFound(f"no case {item.case_id!r}", where=item.where)
    marking = _marking(item, checks.markings)
    key = (item.case_id, id(marking), item.fictional, item.source)
    origin = checks.origins.get(key)
    if origin is None:
        origin = checks.origins[key] = Origin(item.case_id, *marking, item.fictional, item.source)
    return Ready(item, parsed, origin)


def prepare(
    session: Session, actor: User, items: Sequence[NewEntity]
) -> tuple[list[Ready], Failed]:
    """Check every item; return those ready to write and (index, error) for the others."""
    errors: Failed = []
    checked: list[tuple[int, Ready]] = []
    checks = _Checks()
    for index, item in enumerate(items):
        try:
            checked.append((index, _check(session, actor, item, checks)))
        except JointprobeError as exc:
            errors.append((index, exc))
    taken = _existing(session, [ready.id for _, ready in checked])
    out: list[Ready] = []
    for index, ready in checked:
        if ready.id in taken:
            errors.append((index, EntityIdUnavailable(ready.item.where)))
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
    """Insert what ``prepare`` passed: :func:`insert_parsed` per origin."""
    groups: dict[int, tuple[Origin, list[Parsed]]] = {}
    for ready in batch:
        groups.setdefault(id(ready.origin), (ready.origin, []))[1].append(ready.parsed)
    for origin, parsed in groups.values():
        insert_parsed(session, origin, parsed)


def add_parsed(
    session: Session,
    origin: Origin,
    results: Sequence[Parsed | JointprobeError],
    where: Callable[[int], str | None] = lambda _: None,
) -> tuple[list[str], Failed]:
    """Write a batch read ahead (an import's lines) that shares one checked ``origin``.

    Returns the ids written and (index, error) for the others: what could not be
    read, and ids taken earlier in the batch or in the store.
    """
    errors: Failed = []
    good: list[tuple[int, Parsed]] = []
    seen: set[str] = set()
    for index, result in enumerate(results):
        if isinstance(result, JointprobeError):
            errors.append((index, result))
        elif result.id in seen:
            errors.append((index, EntityIdUnavailable(where(index))))
        else:
            seen.add(result.id)
            good.append((index, result))
    taken = _existing(session, [parsed.id for _, parsed in good])
    if taken:
        errors += [
            (index, EntityIdUnavailable(where(index)))
            for index, parsed in good
            if parsed.id in taken
        ]
        good = [(index, parsed) for index, parsed in good if parsed.id not in taken]
    insert_parsed(session, origin, [parsed for _, parsed in good])
    errors.sort(key=lambda pair: pair[0])
    return [parsed.id for _, parsed in good], errors


def insert_parsed(session: Session, origin: Origin, parsed: Sequence[Parsed]) -> None:
    """Insert entity rows, their selectors and their edges: one executemany per table.

    The one place entities and their index rows are written, on every path.
    """
    if not parsed:
        return
    now = utcnow()
    shared = {
        "case_id": origin.case_id, "tlp": origin.tlp, "handling": origin.handling,
        "grading": origin.grading, "fictional": origin.fictional, "source": origin.source,
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    rows = [entity[:4] for entity in parsed]  # id, schema, caption, properties
    insert_rows(session, _ENTITIES, _ENTITY_COLUMNS, rows, json_text=("properties",),
                constants=shared)  # fmt: skip
    case = {"case_id": origin.case_id}
    selectors = list(chain.from_iterable(entity.selectors for entity in parsed))
    insert_rows(session, _SELECTORS, _SELECTOR_COLUMNS, selectors, constants=case)
    edges = list(chain.from_iterable(entity.edges for entity in parsed))
    insert_rows(session, _EDGES, _EDGE_COLUMNS, edges, constants=case)
