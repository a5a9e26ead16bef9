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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from jointprobe.audit import record
from jointprobe.cases.service import can_see_case_id, visible_case
from jointprobe.network.expand import LINK_KINDS
from jointprobe.network.owners import case_owner
from jointprobe.store.tables import Case, Entity, Selector, User

DEFAULT_LIMIT = 200
MAX_LIMIT = 1000


@dataclass
class CrossCaseLink:
    """Case ``case_id`` and another case share the selector ``kind:value``."""

    kind: str
    value: str
    entity_ids: list[str]  # this case's entities holding it
    other_owner: str | None
    other_visible: bool
    other_case_id: str | None = None  # only when the user may see the other case
    other_title: str | None = None
    other_entity_ids: list[str] = field(default_factory=list)


def _pairs(session: Session, case_id: str) -> list[tuple[str, str, str, str, str]]:
    """(kind, value, own entity id, other case id, other entity id), sorted."""
    mine, theirs = aliased(Selector), aliased(Selector)
    query = (
        select(mine.kind, mine.value, mine.entity_id, theirs.case_id, theirs.entity_id)
        .join(Entity, Entity.id == mine.entity_id)
        .join(theirs, and_(theirs.kind == mine.kind, theirs.value == mine.value))
        .where(
            Entity.case_id == case_id, theirs.case_id.is_not(None), theirs.case_id != case_id
        )  # fmt: skip
    )
    rows = [(r[0], r[1], r[2], str(r[3]), r[4]) for r in session.execute(query)]
    return sorted(r for r in rows if r[0] in LINK_KINDS or r[0].startswith("id:"))


def cross_case_links(
    session: Session, user: User, case_id: str, *, limit: int = DEFAULT_LIMIT
) -> list[CrossCaseLink]:
    """Link suggestions for ``case_id`` (404 unless ``user`` may see it); the read audited."""
    case = visible_case(session, user, case_id)
    links: dict[tuple[str, str, str], CrossCaseLink] = {}
    sees: dict[str, bool] = {}
    for kind, value, own, other_case, other in _pairs(session, case.id):
        if other_case not in sees:
            sees[other_case] = can_see_case_id(session, user, other_case)
        link = links.get((kind, value, other_case))
        if link is None:
            if len(links) >= min(limit, MAX_LIMIT):
                break
            link = CrossCaseLink(kind, value, [], case_owner(session, other_case),
                                 sees[other_case])  # fmt: skip
            if sees[other_case]:
                other_row = session.get(Case, other_case)
                link.other_case_id = other_case
                link.other_title = other_row.title if other_row is not None else None
            links[(kind, value, other_case)] = link
        if own not in link.entity_ids:
            link.entity_ids.append(own)
        if sees[other_case] and other not in link.other_entity_ids:
            link.other_entity_ids.append(other)
    record(session, user.username, "read", "case", case.id, {"cross_case_links": len(links)})
    return list(links.values())
