"""Cross-case link suggestions: which other cases of this node hold a selector of a case.

Computed when asked, from the selector index (no table of suggestions to keep
in step): the selectors of the case's entities (``ix_entities_case_id`` then
``ix_selectors_entity_id``), then the holders of each in other cases. The
answer is symmetric, so the members of both cases see the suggestion as soon
as both hold the selector.

Need-to-know: only members of the case (and supervisors) may ask. A linked
case they may see is named with its id, title and entities; one they may not
see is named only by its owner (the user who opened it), so that they can ask
them: never its id, title or entities. Only the selector kinds that link
entities in an expansion count (``network.expand.LINK_KINDS``): names do not.

Every limit is in the SQL (the case page asks on every view): the case's
distinct linking selectors, then for each the first :data:`MAX_HOLDERS` + 1
holders in other cases by case then entity id
(``network.queries.other_case_holders``: one ``LIMIT`` per selector, a
search of ``ix_selectors_key_case`` that stops there), in selector order
until ``limit`` links are found; this case's own entities of those selectors
at most :data:`MAX_ENTITIES` + 1 each (``ROW_NUMBER`` per selector). A
selector held in other cases by more than :data:`MAX_HOLDERS` entities (a call
centre's phone) is read no further: its links name only the cases among those
first holders (the first cases by id) and say so (``common``, and ``more``),
so that a selector held by a million entities costs a bounded read, never its
whole index range.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from jointprobe.audit import record
from jointprobe.cases.service import can_see_case_id, visible_case
from jointprobe.network.expand import LINK_KINDS, MAX_HOLDERS
from jointprobe.network.owners import case_owners
from jointprobe.network.queries import HOLDER_CHUNK, other_case_holders
from jointprobe.store.tables import Case, Entity, Selector, User

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
#: Entity ids listed on each side of one link; ``more`` says when there are others.
MAX_ENTITIES = 20
#: What a link says of a selector held by more than ``MAX_HOLDERS`` entities (imported from
#: ``network.expand``: the expansion does not follow such a selector either).
COMMON_NOTE = "held by too many entities: not every case holding it is listed"


@dataclass
class CrossCaseLink:
    """Case ``case_id`` and another case share the selector ``kind:value``."""

    kind: str
    value: str
    entity_ids: list[str]  # this case's entities holding it (the first MAX_ENTITIES)
    other_owner: str | None
    other_visible: bool
    other_case_id: str | None = None  # only when the user may see the other case
    other_title: str | None = None
    other_entity_ids: list[str] = field(default_factory=list)
    more: bool = False  # a side holds more than MAX_ENTITIES entities (or may: ``common``)
    common: bool = False  # held by more than MAX_HOLDERS entities: not every case is listed


def _linking(kind: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    plain = sorted(k for k in LINK_KINDS if not k.endswith(":"))
    return or_(kind.in_(plain), kind.like("id:%"))


@dataclass
class _Found:
    """The first links of a case: (kind, value, other case) sorted, the other case's holders
    of each among the holders read, and the selectors held by too many to read them all."""

    links: list[tuple[str, str, str]]
    theirs: dict[tuple[str, str, str], list[str]]
    common: set[tuple[str, str]]


def _keys(session: Session, case_id: str) -> list[tuple[str, str]]:
    """The distinct linking selectors of the case's entities, sorted (as Python sorts, the
    order the links are cut in)."""
    query = (
        select(Selector.kind, Selector.value)
        .distinct()
        .join(Entity, Entity.id == Selector.entity_id)
        .where(Entity.case_id == case_id, _linking(Selector.kind))
    )
    return sorted((r[0], r[1]) for r in session.execute(query))


def _links(session: Session, case_id: str, limit: int) -> _Found:
    """The first ``limit`` links, sorted by selector then case. The selectors are read in
    order, at most :data:`MAX_HOLDERS` + 1 holders in other cases each (the cap in the SQL),
    until ``limit`` links are found: a popular selector's holders are never loaded whole."""
    found = _Found([], {}, set())
    keys = _keys(session, case_id)
    for start in range(0, len(keys), HOLDER_CHUNK):
        by_key: dict[tuple[str, str], list[tuple[str, str]]] = {}
        chunk = keys[start : start + HOLDER_CHUNK]
        for kind, value, entity_id, other in other_case_holders(
            session, chunk, MAX_HOLDERS + 1, case_id
        ):
            by_key.setdefault((kind, value), []).append((entity_id, other))
        for key, held in by_key.items():
            if len(held) > MAX_HOLDERS:
                found.common.add(key)
            for entity_id, other in held[:MAX_HOLDERS]:
                found.theirs.setdefault((*key, other), []).append(entity_id)
        if len(found.theirs) >= limit:
            break
    found.links = sorted(found.theirs)[:limit]
    return found


def _by_kind(keys: set[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, value in sorted(keys):
        out.setdefault(kind, []).append(value)
    return out


def _own(
    session: Session, case_id: str, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], list[str]]:
    """This case's entities holding each key, at most MAX_ENTITIES + 1 each (in the SQL)."""
    out: dict[tuple[str, str], list[str]] = {}
    for kind, values in _by_kind(keys).items():
        n = func.row_number().over(partition_by=Selector.value, order_by=Selector.entity_id)
        inner = (
            select(Selector.value, Selector.entity_id, n.label("n"))
            .join(Entity, Entity.id == Selector.entity_id)
            .where(Entity.case_id == case_id, Selector.kind == kind, Selector.value.in_(values))
            .subquery()
        )
        query = select(inner.c.value, inner.c.entity_id).where(inner.c.n <= MAX_ENTITIES + 1)
        for value, entity_id in session.execute(query.order_by(inner.c.value, inner.c.n)):
            out.setdefault((kind, value), []).append(entity_id)
    return out


def cross_case_links(
    session: Session, user: User, case_id: str, *, limit: int = DEFAULT_LIMIT
) -> list[CrossCaseLink]:
    """Link suggestions for ``case_id`` (404 unless ``user`` may see it); the read audited.

    At most ``limit`` links (and :data:`MAX_LIMIT`), sorted by selector then case, each
    listing at most :data:`MAX_ENTITIES` entities a side; a selector held by more than
    :data:`MAX_HOLDERS` entities lists only the cases among its first holders (``common``):
    every limit is in the SQL.
    """
    case = visible_case(session, user, case_id)
    found = _links(session, case.id, min(limit, MAX_LIMIT))
    others = {other for _, _, other in found.links}
    sees = {other: can_see_case_id(session, user, other) for other in sorted(others)}
    owners = case_owners(session, others)
    own = _own(session, case.id, {(kind, value) for kind, value, _ in found.links})
    links: list[CrossCaseLink] = []
    for kind, value, other_case in found.links:
        mine = own.get((kind, value), [])
        common = (kind, value) in found.common
        link = CrossCaseLink(kind, value, mine[:MAX_ENTITIES], owners.get(other_case),
                             sees[other_case], more=len(mine) > MAX_ENTITIES or common,
                             common=common)  # fmt: skip
        if sees[other_case]:
            other_row = session.get(Case, other_case)
            held = found.theirs[(kind, value, other_case)]
            link.other_case_id = other_case
            link.other_title = other_row.title if other_row is not None else None
            link.other_entity_ids = held[:MAX_ENTITIES]
            link.more = link.more or len(held) > MAX_ENTITIES
        links.append(link)
    record(session, user.username, "read", "case", case.id, {"cross_case_links": len(links)})
    return links
