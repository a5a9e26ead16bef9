"""The indexed lookups a network expansion needs, each one query per batch of ids.

Every function takes a batch of entity ids (or selector keys) and answers
with plain tuples; none decides visibility (``network.expand`` does, through
``cases.service``). Batches are split so that no statement carries more
than :data:`CHUNK` parameters (SQLite's limit is far higher; PostgreSQL's too).

=================== ============================================= ============================
function            reads                                         index
=================== ============================================= ============================
``selectors_of``    selectors of entities                         ``ix_selectors_entity_id``
``holders``         entities holding (kind, value) keys           the selectors' primary key
``edges_touching``  edges from or to entities                     ``ix_edges_source_target``,
                                                                  ``ix_edges_target_source``
``entity_rows``     id, schema, caption, case and marking         the entities' primary key
=================== ============================================= ============================
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from jointprobe.store.tables import Edge, Entity, Selector

CHUNK = 500
T = TypeVar("T")


def _chunks(items: Collection[T]) -> Iterator[list[T]]:
    ordered = sorted(items)  # type: ignore[type-var]
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


@dataclass(frozen=True, slots=True)
class EntityRow:
    id: str
    schema: str
    caption: str
    case_id: str | None
    tlp: str
    fictional: bool


@dataclass(frozen=True, slots=True)
class EdgeRow:
    id: int
    relation_id: str
    schema: str
    source_id: str
    target_id: str
    case_id: str | None


def selectors_of(session: Session, entity_ids: Collection[str]) -> list[tuple[str, str, str]]:
    """(entity id, kind, value) of every selector of ``entity_ids``."""
    out: list[tuple[str, str, str]] = []
    for chunk in _chunks(entity_ids):
        query = select(Selector.entity_id, Selector.kind, Selector.value).where(
            Selector.entity_id.in_(chunk)
        )
        out += [(row[0], row[1], row[2]) for row in session.execute(query)]
    return out


def holders(
    session: Session, keys: Collection[tuple[str, str]]
) -> list[tuple[str, str, str, str | None]]:
    """(kind, value, entity id, case id) of every entity holding one of ``keys``."""
    out: list[tuple[str, str, str, str | None]] = []
    for chunk in _chunks(keys):
        query = select(Selector.kind, Selector.value, Selector.entity_id, Selector.case_id).where(
            tuple_(Selector.kind, Selector.value).in_(chunk)
        )
        out += [(row[0], row[1], row[2], row[3]) for row in session.execute(query)]
    return out


def edges_touching(session: Session, entity_ids: Collection[str]) -> list[EdgeRow]:
    """Every edge with ``entity_ids`` at either end, each once, by id."""
    found: dict[int, EdgeRow] = {}
    columns = (Edge.id, Edge.relation_id, Edge.schema, Edge.source_id, Edge.target_id,
               Edge.case_id)  # fmt: skip
    for chunk in _chunks(entity_ids):
        for end in (Edge.source_id, Edge.target_id):
            for row in session.execute(select(*columns).where(end.in_(chunk))):
                found[row[0]] = EdgeRow(row[0], row[1], row[2], row[3], row[4], row[5])
    return [found[key] for key in sorted(found)]


def entity_rows(session: Session, entity_ids: Collection[str]) -> dict[str, EntityRow]:
    """The rows of ``entity_ids`` that exist, by id."""
    out: dict[str, EntityRow] = {}
    columns = (Entity.id, Entity.schema, Entity.caption, Entity.case_id, Entity.tlp,
               Entity.fictional)  # fmt: skip
    for chunk in _chunks(entity_ids):
        for row in session.execute(select(*columns).where(Entity.id.in_(chunk))):
            out[row[0]] = EntityRow(row[0], row[1], row[2], row[3], row[4], bool(row[5]))
    return out
