"""Who may see a session and who decides for it; which of our records hold a selector.

A session with a case is seen by that case's members (``cases.visible_case``
decides); an invitation that no case has joined yet shows only what the peer
announced and is seen by the users whose role may join one with a case of
theirs (:data:`JOIN_ROLES`: analysts, liaison officers, supervisors) — not by
chemists, regulators or administrators, who have no case to answer with.
Only the case owner (the user who opened the case) or a supervisor consents
to a reveal or declines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from jointprobe.cases import visible_case
from jointprobe.cases.service import can_see_case_id
from jointprobe.deconflict.errors import NotCaseOwner
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.errors import NotFound
from jointprobe.store.tables import Case, Entity, Selector, User

#: roles that may see and join an invitation no case has joined yet
JOIN_ROLES = ("analyst", "liaison", "supervisor")


def can_see(session: Session, user: User, row: DeconflictSession) -> bool:
    if row.case_id is None:  # an invitation; once refused or expired, for supervisors
        return (row.state == "invited" and user.role in JOIN_ROLES) or user.role == "supervisor"
    return can_see_case_id(session, user, row.case_id)


def visible_session(session: Session, user: User, sid: str) -> DeconflictSession:
    row = session.get(DeconflictSession, sid)
    if row is None or not can_see(session, user, row):
        raise NotFound(f"no deconfliction session {sid!r}")
    return row


def require_owner(session: Session, user: User, case_id: str) -> Case:
    case = visible_case(session, user, case_id)
    if user.role != "supervisor" and case.created_by != user.id:
        raise NotCaseOwner(f"only the owner of case {case_id} decides on its deconfliction")
    return case


def holders(
    session: Session, case_id: str, selectors: Sequence[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Each selector with the records of ``case_id`` that hold it (id and caption)."""
    found: dict[tuple[str, str], list[dict[str, str]]] = {(k, v): [] for k, v in selectors}
    wanted = list(found)
    for start in range(0, len(wanted), 400):
        rows = session.execute(
            select(Selector.kind, Selector.value, Entity.id, Entity.caption)
            .join(Entity, Entity.id == Selector.entity_id)
            .where(
                Selector.case_id == case_id,
                tuple_(Selector.kind, Selector.value).in_(wanted[start : start + 400]),
            )
            .order_by(Entity.id)
        )
        for kind, value, entity_id, caption in rows:
            found[(kind, value)].append({"id": entity_id, "caption": caption})
    return [{"kind": k, "value": v, "records": recs} for (k, v), recs in found.items()]


__all__ = ["JOIN_ROLES", "can_see", "holders", "require_owner", "visible_session"]
