"""The indexed lookups a network expansion needs, each one query per batch of ids.

Every function takes a batch of entity ids (or selector keys) and answers
with plain tuples; none decides visibility (``network.expand`` does, through
``cases.service``). Batches are split so that no statement carries more
than :data:`CHUNK` parameters (SQLite's limit is far higher; PostgreSQL's too).
The statements are plain SQL made once (``text`` with expanding ``IN`` lists),
the same on SQLite and PostgreSQL; building ORM queries per call cost more than
the look-ups (docs/benchmarks.md, Network).

=================== ============================================= ============================
function            reads                                         index
=================== ============================================= ============================
``selectors_of``    selectors of entities                         ``ix_selectors_entity_id``
``holders``         entities holding (kind, value) keys, capped   the selectors' primary key
``edges_touching``  edges from or to entities                     ``ix_edges_source_cover``,
                                                                  ``ix_edges_target_cover`` (0014)
``entity_rows``     id, schema, caption, case and marking         the entities' primary key
=================== ============================================= ============================
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Executable, TextClause, bindparam, text
from sqlalchemy.orm import Session

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


def _sql(statement: str, *expanding: str) -> TextClause:
    """A statement made once; its ``IN :name`` lists expand per call (no query building)."""
    return text(statement).bindparams(*(bindparam(name, expanding=True) for name in expanding))


_SELECTORS_OF = _sql("SELECT entity_id, kind, value FROM selectors WHERE entity_id IN :ids", "ids")
#: Keys in one holders statement: SQLite allows 500 terms in one compound SELECT.
HOLDER_CHUNK = 200
_HOLDER_TERM = (
    "SELECT kind, value, entity_id, case_id FROM (SELECT kind, value, entity_id, case_id "
    "FROM selectors WHERE kind = :k{i} AND value = :v{i} ORDER BY entity_id LIMIT :most) AS h{i}"
)


#: Key counts a holders statement is made for: a chunk is padded up to the next one with a
#: key no selector has (kind ``""``), so that at most these few statements are ever made.
#: One statement per count (up to 200) kept 40,000 bind parameters alive in the caches,
#: and every full garbage collection walked them (docs/benchmarks.md, Network).
HOLDER_SIZES = (1, 4, 16, 64, HOLDER_CHUNK)
_NO_KEY = ("", "")


@lru_cache(maxsize=len(HOLDER_SIZES))
def _holders_sql(count: int) -> TextClause:
    """One ``LIMIT`` per key, the keys joined by ``UNION ALL`` (made once per size).

    Each term is a search of the selectors' primary key that stops after
    ``:most`` rows, so a key held by a million entities costs ``:most`` index
    steps. (``ROW_NUMBER() OVER (PARTITION BY value)`` would read every holder:
    three times slower than not capping at all on SQLite, measured.)
    """
    return text(" UNION ALL ".join(_HOLDER_TERM.format(i=i) for i in range(count)))


def _padded(chunk: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``chunk`` and as many keys no selector has as make it one of :data:`HOLDER_SIZES`."""
    size = next(size for size in HOLDER_SIZES if size >= len(chunk))
    return chunk + [_NO_KEY] * (size - len(chunk))


_FROM = _sql(
    "SELECT id, relation_id, schema, source_id, target_id, case_id FROM edges "
    "WHERE source_id IN :ids",
    "ids",
)
_TO = _sql(
    "SELECT id, relation_id, schema, source_id, target_id, case_id FROM edges "
    "WHERE target_id IN :ids",
    "ids",
)
_ENTITIES = _sql(
    "SELECT id, schema, caption, case_id, tlp, fictional FROM entities WHERE id IN :ids", "ids"
)


def rows_of(
    session: Session, statement: Executable, params: dict[str, Any] | None = None
) -> list[Any]:
    """The rows as the driver gives them (tuples): SQLAlchemy's ``Row`` objects cost more
    than the look-up itself at an expansion's thousands of rows; no column here needs a
    type conversion but ``fictional``, which :func:`entity_rows` makes a bool."""
    result = session.connection().execute(statement, params)
    rows: list[Any] = list(result.cursor.fetchall()) if result.cursor is not None else []
    result.close()
    return rows


def selectors_of(session: Session, entity_ids: Collection[str]) -> list[tuple[str, str, str]]:
    """(entity id, kind, value) of every selector of ``entity_ids``."""
    return [(r[0], r[1], r[2]) for chunk in _chunks(entity_ids)
            for r in rows_of(session, _SELECTORS_OF, {"ids": chunk})]  # fmt: skip


def holders(
    session: Session, keys: Collection[tuple[str, str]], most: int
) -> list[tuple[str, str, str, str | None]]:
    """(kind, value, entity id, case id) of the entities holding one of ``keys``: at most
    ``most`` per key, the first by entity id. The cap is in the SQL (a ``LIMIT`` per key),
    so that a selector held by a million entities costs ``most`` index steps, not a
    million rows; ask for one more than you keep to learn that a key was cut.
    """
    ordered = sorted(set(keys))
    out: list[tuple[str, str, str, str | None]] = []
    for start in range(0, len(ordered), HOLDER_CHUNK):
        chunk = _padded(ordered[start : start + HOLDER_CHUNK])
        params: dict[str, Any] = {"most": most}
        for i, (kind, value) in enumerate(chunk):
            params[f"k{i}"], params[f"v{i}"] = kind, value
        statement = _holders_sql(len(chunk))
        out += [(r[0], r[1], r[2], r[3]) for r in rows_of(session, statement, params)]
    return out


_VISIBLE_HOLDERS = _sql(
    "SELECT kind, value, entity_id, case_id FROM selectors WHERE kind = :kind AND value = :value "
    "AND (case_id IS NULL OR case_id IN :cases) ORDER BY entity_id LIMIT :most",
    "cases",
)


def visible_holders(
    session: Session, keys: Collection[tuple[str, str]], most: int, cases: Collection[str]
) -> list[tuple[str, str, str, str | None]]:
    """:func:`holders` of ``keys`` outside any case or in ``cases`` only, one statement
    per key (for the few name keys of a start: what is hidden is not even counted)."""
    if not cases:
        cases = [""]  # no case at all: only entities outside any case (``IN ()`` is invalid)
    out: list[tuple[str, str, str, str | None]] = []
    for kind, value in sorted(set(keys)):
        params = {"kind": kind, "value": value, "most": most, "cases": sorted(cases)}
        out += [(r[0], r[1], r[2], r[3]) for r in rows_of(session, _VISIBLE_HOLDERS, params)]
    return out


def edges_touching(session: Session, entity_ids: Collection[str]) -> list[EdgeRow]:
    """Every edge with ``entity_ids`` at either end, each once, by id."""
    found: dict[int, EdgeRow] = {}
    for chunk in _chunks(entity_ids):
        for statement in (_FROM, _TO):
            for r in rows_of(session, statement, {"ids": chunk}):
                found[r[0]] = EdgeRow(r[0], r[1], r[2], r[3], r[4], r[5])
    return [found[key] for key in sorted(found)]


def entity_rows(session: Session, entity_ids: Collection[str]) -> dict[str, EntityRow]:
    """The rows of ``entity_ids`` that exist, by id."""
    return {r[0]: EntityRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]))
            for chunk in _chunks(entity_ids)
            for r in rows_of(session, _ENTITIES, {"ids": chunk})}  # fmt: skip
