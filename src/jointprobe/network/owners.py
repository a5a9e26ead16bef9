"""Who to ask about a case: its owner (the user who opened it), by display name."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.store.tables import Case, User


def case_owner(session: Session, case_id: str) -> str | None:
    """The display name (else user name) of the user who opened ``case_id``; None if gone."""
    case = session.get(Case, case_id)
    owner = session.get(User, case.created_by) if case is not None else None
    if owner is None:
        return None
    return owner.display_name or owner.username


def case_owners(session: Session, case_ids: Collection[str]) -> dict[str, str]:
    """:func:`case_owner` of many cases in one query; a case without one is left out."""
    query = (
        select(Case.id, User.display_name, User.username)
        .join(User, User.id == Case.created_by)
        .where(Case.id.in_(sorted(case_ids)))
    )
    return {row[0]: row[1] or row[2] for row in session.connection().execute(query)}
