"""Cross-case link suggestions: which other cases of this node hold a selector of a case.

Computed when asked, from the selector index (no table of suggestions to keep
in step): the selectors of the case's entities (``ix_entities_case_id`` then
``ix_selectors_entity_id``) joined on ``(kind, value)`` — the selectors' primary
key — with the selectors of every other case. The answer is symmetric, so the
members of both cases see the suggestion as soon as both hold the selector.

Need-to-know: only members of the case (and supervisors) may ask. A linked
case they may see is named with its id, title and entities; one they may not
see is named only by its owner (the user who opened it), so that they can ask
them: never its id, title or entities. Only the selector kinds that link
entities in an expansion count (``network.expand.LINK_KINDS``): names do not.

Every limit is in the SQL (the case page asks on every view): the distinct
(selector, other case) links sorted and cut at ``limit`` by the database, then
the entities of those links only, at most :data:`MAX_ENTITIES` a side
(``ROW_NUMBER`` per selector and case), so that a selector held by thousands of
entities never sends thousands of rows here. The database still reads the
popular selector's whole index range for the distinct links and the windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from jointprobe.audit import record
from jointprobe.cases.service import can_see_case_id, visible_case
from jointprobe.network.expand import LINK_KINDS
from jointprobe.network.owners import case_owners
from jointprobe.store.tables import Case, Entity, Selector, User

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
#: Entity ids listed on each side of one link; ``more`` says when there are others.
MAX_ENTITIES = 20


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
    more: bool = False  # a side holds more than MAX_ENTITIES entities


def _linking(kind: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    plain = sorted(k for k in LINK_KINDS if not k.endswith(":"))
    return or_(kind.in_(plain), kind.like("id:%"))


def _links(session: Session, case_id: str, limit: int) -> list[tuple[str, str, str]]:
    """(kind, value, other case id) of the first ``limit`` links, sorted: the limit is in
    the SQL, so that a popular selector's join is never loaded whole."""
    mine, theirs = aliased(Selector), aliased(Selector)
    query = (
        select(mine.kind, mine.value, theirs.case_id)
        .distinct()
        .join(Entity, Entity.id == mine.entity_id)
        .join(theirs, and_(theirs.kind == mine.kind, theirs.value == mine.value))
        .where(
            Entity.case_id == case_id,
            theirs.case_id.is_not(None),
            theirs.case_id != case_id,
            _linking(mine.kind),
        )  # fmt: skip
        .order_by(mine.kind, mine.value, theirs.case_id)
        .limit(limit)
    )
    return [(r[0], r[1], str(r[2])) for r in session.execute(query)]


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


def _theirs(
    session: Session, keys: set[tuple[str, str]], cases: set[str]
) -> dict[tuple[str, str, str], list[str]]:
    """The entities of ``cases`` holding each key, by (kind, value, case), at most
    MAX_ENTITIES + 1 each (in the SQL)."""
    out: dict[tuple[str, str, str], list[str]] = {}
    if not cases:
        return out
    for kind, values in _by_kind(keys).items():
        n = func.row_number().over(partition_by=(Selector.value, Selector.case_id),
                                   order_by=Selector.entity_id)  # fmt: skip
        inner = (
            select(Selector.value, Selector.case_id, Selector.entity_id, n.label("n"))
            .where(
                Selector.kind == kind,
                Selector.value.in_(values),
                Selector.case_id.in_(sorted(cases)),
            )  # fmt: skip
            .subquery()
        )
        query = select(inner.c.value, inner.c.case_id, inner.c.entity_id).where(
            inner.c.n <= MAX_ENTITIES + 1
        )
        for value, other_case, entity_id in session.execute(
            query.order_by(inner.c.value, inner.c.case_id, inner.c.n)
        ):
            out.setdefault((kind, value, str(other_case)), []).append(entity_id)
    return out


def cross_case_links(
    session: Session, user: User, case_id: str, *, limit: int = DEFAULT_LIMIT
) -> list[CrossCaseLink]:
    """Link suggestions for ``case_id`` (404 unless ``user`` may see it); the read audited.

    At most ``limit`` links (and :data:`MAX_LIMIT`), sorted by selector then case, each
    listing at most :data:`MAX_ENTITIES` entities a side: every limit is in the SQL.
    """
    case = visible_case(session, user, case_id)
    found = _links(session, case.id, min(limit, MAX_LIMIT))
    others = {other for _, _, other in found}
    sees = {other: can_see_case_id(session, user, other) for other in sorted(others)}
    owners = case_owners(session, others)
    keys = {(kind, value) for kind, value, _ in found}
    own = _own(session, case.id, keys)
    theirs = _theirs(session, keys, {other for other, seen in sees.items() if seen})
    links: list[CrossCaseLink] = []
    for kind, value, other_case in found:
        mine = own.get((kind, value), [])
        link = CrossCaseLink(kind, value, mine[:MAX_ENTITIES], owners.get(other_case),
                             sees[other_case], more=len(mine) > MAX_ENTITIES)  # fmt: skip
        if sees[other_case]:
            other_row = session.get(Case, other_case)
            held = theirs.get((kind, value, other_case), [])
            link.other_case_id = other_case
            link.other_title = other_row.title if other_row is not None else None
            link.other_entity_ids = held[:MAX_ENTITIES]
            link.more = link.more or len(held) > MAX_ENTITIES
        links.append(link)
    record(session, user.username, "read", "case", case.id, {"cross_case_links": len(links)})
    return links
