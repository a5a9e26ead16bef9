"""Who to ask about a case: its owner (the user who opened it), by display name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jointprobe.store.tables import Case, User


def case_owner(session: Session, case_id: str) -> str | None:
    """The display name (else user name) of the user who opened ``case_id``; None if gone."""
    case = session.get(Case, case_id)
    owner = session.get(User, case.created_by) if case is not None else None
    if owner is None:
        return None
    return owner.display_name or owner.username
