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
``visible_holders`` the same, in given cases only, capped         ``ix_selectors_key_case``
                                                                  (0016)
``edges_touching``  edges from or to entities, capped             ``ix_edges_source_cover``,
                                                                  ``ix_edges_target_cover`` (0014)
``entity_rows``     id, schema, caption, case and marking         the entities' primary key
=================== ============================================= ============================

A capped look-up is one ``LIMIT`` per key (or entity, or case), the terms joined
by ``UNION ALL`` and padded to one of :data:`HOLDER_SIZES` items, so that the
work per key is bounded whatever a popular key or a hub holds, and only a few
statements are ever made.
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
#: Items (keys, entities, cases) in one capped statement: SQLite allows 500 terms in one
#: compound SELECT (:data:`_OTHER_CASE_TERM` is two a key: 400).
HOLDER_CHUNK = 200
#: Item counts a capped statement is made for: a chunk is padded up to the next one with an
#: item nothing matches (a key of kind :data:`NO_KIND`, an entity or case ``""``), so that
#: at most these few statements are ever made per term. One statement per count (up to 200) kept
#: 40,000 bind parameters alive in the caches, and every full garbage collection walked
#: them (docs/benchmarks.md, Network).
HOLDER_SIZES = (1, 4, 16, 64, HOLDER_CHUNK)
#: The padding key's kind: longer than the ``selectors.kind`` column holds (32 characters;
#: PostgreSQL refuses a longer one) and than any kind ``entities.selectors`` makes (fixed
#: names, ``id:<property>`` cut to 32), so that no selector row can ever match it.
NO_KIND = "(padding: no selector has this kind)"
_NO_KEY = (NO_KIND, "")
_NO_ID = ("",)

_COLUMNS = "id, relation_id, schema, source_id, target_id, case_id"
_HOLDER_TERM = (
    "SELECT kind, value, entity_id, case_id FROM (SELECT kind, value, entity_id, case_id "
    "FROM selectors WHERE kind = :a{i} AND value = :b{i} ORDER BY entity_id LIMIT :most) AS t{i}"
)
#: The holders of one key in one case (``ix_selectors_key_case``, migration 0016).
_CASE_HOLDER_TERM = (
    "SELECT kind, value, entity_id, case_id FROM (SELECT kind, value, entity_id, case_id "
    "FROM selectors WHERE kind = :kind AND value = :value AND case_id = :a{i} "
    "ORDER BY entity_id LIMIT :most) AS t{i}"
)
#: The holders of one key in cases other than ``:case``: two range searches of
#: ``ix_selectors_key_case``, the cases before ``:case`` (``case_id > ''`` starts past the
#: holders outside any case) and those after it, each stopping after ``:most`` rows, so that
#: the asking case's own holders are never read (``case_id <> :case`` read and skipped
#: them all: a million when the case holds the key a million times).
_OTHER_CASE_TERM = (
    "SELECT kind, value, entity_id, case_id FROM (SELECT kind, value, entity_id, case_id "
    "FROM selectors WHERE kind = :a{i} AND value = :b{i} AND case_id > '' "
    "AND case_id < :case ORDER BY case_id, entity_id LIMIT :most) AS l{i} UNION ALL "
    "SELECT kind, value, entity_id, case_id FROM (SELECT kind, value, entity_id, case_id "
    "FROM selectors WHERE kind = :a{i} AND value = :b{i} AND case_id > :case "
    "ORDER BY case_id, entity_id LIMIT :most) AS u{i}"
)
#: The edges from one entity in the order of ``ix_edges_source_cover`` (its last, implicit
#: column on SQLite is the id), so that the ``LIMIT`` stops the index search: ordered by
#: ``id`` alone, a hub's every edge would be read and sorted first.
_FROM_TERM = (
    f"SELECT {_COLUMNS} FROM (SELECT {_COLUMNS} FROM edges WHERE source_id = :a{{i}} "
    "ORDER BY target_id, case_id, relation_id, schema, id LIMIT :most) AS t{i}"
)
_TO_TERM = (
    f"SELECT {_COLUMNS} FROM (SELECT {_COLUMNS} FROM edges WHERE target_id = :a{{i}} "
    "ORDER BY source_id, case_id, relation_id, schema, id LIMIT :most) AS t{i}"
)


@lru_cache(maxsize=4 * len(HOLDER_SIZES))
def _union(term: str, count: int) -> TextClause:
    """``count`` copies of ``term`` (one ``LIMIT`` each) joined by ``UNION ALL``, made once
    per term and size.

    Each term is an index search that stops after ``:most`` rows, so a key held by
    a million entities (or an entity with a million edges) costs ``:most`` index
    steps. (``ROW_NUMBER() OVER (PARTITION BY value)`` would read every holder:
    three times slower than not capping at all on SQLite, measured.)
    """
    return text(" UNION ALL ".join(term.format(i=i) for i in range(count)))


def _padded(chunk: list[tuple[str, ...]], filler: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``chunk`` and as many ``filler`` items as make it one of :data:`HOLDER_SIZES`."""
    size = next(size for size in HOLDER_SIZES if size >= len(chunk))
    return chunk + [filler] * (size - len(chunk))


def _capped_rows(
    session: Session,
    term: str,
    items: Collection[tuple[str, ...]],
    filler: tuple[str, ...],
    params: dict[str, Any],
) -> list[Any]:
    """The rows of ``term`` for every item (sorted), :data:`HOLDER_CHUNK` items a statement;
    an item's values bind to ``:a{i}``, ``:b{i}``; ``params`` (``most`` at least) to all."""
    ordered = sorted(set(items))
    out: list[Any] = []
    for start in range(0, len(ordered), HOLDER_CHUNK):
        chunk = _padded(ordered[start : start + HOLDER_CHUNK], filler)
        bound = dict(params)
        for i, values in enumerate(chunk):
            bound.update({f"{name}{i}": value for name, value in zip("ab", values, strict=False)})
        out += rows_of(session, _union(term, len(chunk)), bound)
    return out


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
    rows = _capped_rows(session, _HOLDER_TERM, keys, _NO_KEY, {"most": most})
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def other_case_holders(
    session: Session, keys: Collection[tuple[str, str]], most: int, case_id: str
) -> list[tuple[str, str, str, str]]:
    """(kind, value, entity id, case id) of the entities of cases other than ``case_id``
    holding one of ``keys``: at most ``most`` per key, the first by case then entity id,
    capped in the SQL like :func:`holders` (for cross-case links): at most ``most`` from
    the cases before ``case_id`` and ``most`` from those after it, the first ``most`` kept."""
    params = {"most": most, "case": case_id}
    by_key: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    for r in _capped_rows(session, _OTHER_CASE_TERM, keys, _NO_KEY, params):
        by_key.setdefault((r[0], r[1]), []).append((r[0], r[1], r[2], r[3]))
    # the rows come term by term, each in its index order, those before ``case_id`` first
    return [row for key in sorted(by_key) for row in by_key[key][:most]]


_NULL_CASE_HOLDERS = text(
    "SELECT kind, value, entity_id, case_id FROM selectors WHERE kind = :kind AND value = :value "
    "AND case_id IS NULL ORDER BY entity_id LIMIT :most"
)


def visible_holders(
    session: Session, keys: Collection[tuple[str, str]], most: int, cases: Collection[str]
) -> list[tuple[str, str, str, str | None]]:
    """:func:`holders` of ``keys`` outside any case or in ``cases`` only (for the few name
    keys of a start: what is hidden is not even counted), at most ``most`` per key, the
    first by entity id.

    One index search per key and case (``ix_selectors_key_case``), each stopping
    after ``most`` rows: the work is bounded by the visible cases, never by how
    many hidden entities hold the key (filtering the key's holders by case read
    every hidden one before the first visible).
    """
    out: list[tuple[str, str, str, str | None]] = []
    for kind, value in sorted(set(keys)):
        params: dict[str, Any] = {"kind": kind, "value": value, "most": most}
        rows = rows_of(session, _NULL_CASE_HOLDERS, params)
        rows += _capped_rows(session, _CASE_HOLDER_TERM, [(c,) for c in cases], _NO_ID, params)
        rows.sort(key=lambda r: r[2])
        out += [(r[0], r[1], r[2], r[3]) for r in rows[:most]]
    return out


def edges_touching(
    session: Session, entity_ids: Collection[str], most: int
) -> tuple[list[EdgeRow], set[str]]:
    """The edges with ``entity_ids`` at either end, each once, by id; and the entities with
    more than ``most`` edges from them or to them, whose first ``most`` each way (by the
    other end, in index order) are the only ones read.

    The cap is in the SQL (a ``LIMIT`` per entity and direction, a search of
    ``ix_edges_source_cover`` or ``ix_edges_target_cover`` that stops there), so
    that a hub with a million edges costs ``most`` index steps, not a million rows.
    """
    found: dict[int, EdgeRow] = {}
    cut: set[str] = set()
    ids = [(entity_id,) for entity_id in entity_ids]
    for term, end in ((_FROM_TERM, 3), (_TO_TERM, 4)):
        kept: dict[str, int] = {}
        # the rows come term by term, each in its index order: the one past ``most`` is last
        for r in _capped_rows(session, term, ids, _NO_ID, {"most": most + 1}):
            count = kept[r[end]] = kept.get(r[end], 0) + 1
            if count > most:
                cut.add(r[end])
            else:
                found[r[0]] = EdgeRow(r[0], r[1], r[2], r[3], r[4], r[5])
    return [found[key] for key in sorted(found)], cut


def entity_rows(session: Session, entity_ids: Collection[str]) -> dict[str, EntityRow]:
    """The rows of ``entity_ids`` that exist, by id."""
    return {r[0]: EntityRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]))
            for chunk in _chunks(entity_ids)
            for r in rows_of(session, _ENTITIES, {"ids": chunk})}  # fmt: skip
