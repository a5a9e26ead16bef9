"""Cases and need-to-know: a user sees a case only as a member or a supervisor.

``visible_case`` is the one place that decides; every adapter goes through it.
A case the user may not see is reported as not found, never as forbidden.

Case ids: a chosen id that is taken gets one answer, :class:`CaseIdUnavailable`,
whether or not the creator may see the case holding it, the same answer as an id
in a namespace the node keeps for itself (``leads-``); it never says a case exists.
Ids the node gives itself have a random part (:func:`new_case_id`), so nobody can
guess them or take them first.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.marking import check_marking
from jointprobe.errors import Conflict, NotFound
from jointprobe.store.tables import Case, CaseMember, User

#: Prefixes of the ids the node gives cases itself; a user may not choose them.
RESERVED_PREFIXES = ("leads-",)


class CaseIdUnavailable(Conflict):
    """A chosen case id that is taken or reserved; the answer never says which."""

    code = "case.id_unavailable"

    def __init__(self) -> None:
        super().__init__("case id not available; choose another or leave it out to get one")


class CaseIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=20_000)
    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    tlp: str = "AMBER"
    handling: dict[str, Any] = Field(default_factory=dict)
    grading: str | None = None
    fictional: bool = False
    source: str | None = None


def can_see_case(session: Session, user: User, case: Case) -> bool:
    return can_see_case_id(session, user, case.id)


def visible_case_ids(user: User) -> Select[str] | None:
    """The ids of the cases ``user`` may see, as a subquery; ``None`` means every case.

    Queries over other tables (selectors, entities, edges, judgements) filter
    with this so that need-to-know is decided here and nowhere else.
    """
    if user.role == "supervisor":
        return None
    return select(CaseMember.case_id).where(CaseMember.user_id == user.id)


def can_see_case_id(session: Session, user: User, case_id: str | None) -> bool:
    """Whether ``user`` may see items of ``case_id``; items outside any case are open."""
    if case_id is None or user.role == "supervisor":
        return True
    return session.get(CaseMember, (case_id, user.id)) is not None


def visible_case(session: Session, user: User, case_id: str) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_see_case(session, user, case):
        raise NotFound(f"no case {case_id!r}")
    return case


def new_case_id(prefix: str = "case") -> str:
    """An id the node gives a case: ``prefix`` and a random part nobody can guess."""
    return f"{prefix}-{secrets.token_hex(8)}"


def check_chosen_case_id(session: Session, case_id: str) -> None:
    """Refuse a chosen id that is reserved or taken, with one answer for both.

    Taken by a case the chooser cannot see, or by one they can: the same
    :class:`CaseIdUnavailable`, so choosing an id never tells a hidden case apart.
    """
    if case_id.startswith(RESERVED_PREFIXES) or session.get(Case, case_id) is not None:
        raise CaseIdUnavailable()


def create_case(session: Session, actor: User, data: CaseIn) -> Case:
    """Open a case with the chosen id (see :func:`check_chosen_case_id`) or a new one."""
    if data.id is not None:
        check_chosen_case_id(session, data.id)
    return open_case(session, actor, data, data.id or new_case_id())


def open_case(session: Session, actor: User, data: CaseIn, case_id: str) -> Case:
    """Open a case under ``case_id``, which the caller made sure is free; the actor joins."""
    tlp, handling, grading = check_marking(data.tlp, data.handling, data.grading)
    case = Case(
        id=case_id,
        title=data.title,
        summary=data.summary,
        created_by=actor.id,
        tlp=tlp,
        handling=handling,
        grading=grading,
        fictional=data.fictional,
        source=data.source,
    )
    session.add(case)
    session.flush()
    session.add(CaseMember(case_id=case.id, user_id=actor.id))
    record(session, actor.username, "create", "case", case.id, {"title": data.title})
    return case


def get_case(session: Session, actor: User, case_id: str) -> Case:
    """Read a case (need-to-know enforced) and record the read in the audit log."""
    case = visible_case(session, actor, case_id)
    record(session, actor.username, "read", "case", case.id)
    return case


def list_cases(session: Session, actor: User) -> list[Case]:
    query = select(Case).order_by(Case.created_at)
    visible = visible_case_ids(actor)
    if visible is not None:
        query = query.where(Case.id.in_(visible))
    return list(session.scalars(query))


def add_member(session: Session, actor: User, case_id: str, username: str) -> None:
    case = visible_case(session, actor, case_id)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    if session.get(CaseMember, (case.id, user.id)) is not None:
        raise Conflict(f"{username} is already a member of {case.id}")
    session.add(CaseMember(case_id=case.id, user_id=user.id))
    record(session, actor.username, "update", "case", case.id, {"added_member": username})


#: Called as ``hook(session, actor, case_id, user)`` after a member is removed, so
#: capabilities that granted access derived from the case (lead routing adds the
#: case's members to the cases of the leads it routes) take that access back too.
MemberRemovedHook = Callable[[Session, User, str, User], None]


def remove_member(
    session: Session,
    actor: User,
    case_id: str,
    username: str,
    *,
    on_removed: Sequence[MemberRemovedHook] = (),
) -> None:
    """Take ``username``'s need-to-know on a case away; a case keeps at least one member.

    Access derived from the case goes too: each of ``on_removed`` is called
    (the app factory passes lead routing's :func:`revoke_lead_access`).
    """
    case = visible_case(session, actor, case_id)
    user = session.scalar(select(User).where(User.username == username))
    member = session.get(CaseMember, (case.id, user.id)) if user is not None else None
    if user is None or member is None:
        raise NotFound(f"{username} is not a member of {case.id}")
    # lock the case row so two removals cannot both see two members (PostgreSQL)
    session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    if members(session, case.id) == [username]:
        raise Conflict(f"{username} is the last member of {case.id}; add another first")
    session.delete(member)
    record(session, actor.username, "update", "case", case.id, {"removed_member": username})
    for hook in on_removed:
        hook(session, actor, case.id, user)


def members(session: Session, case_id: str) -> list[str]:
    rows = session.scalars(
        select(User.username)
        .join(CaseMember, CaseMember.user_id == User.id)
        .where(CaseMember.case_id == case_id)
        .order_by(User.username)
    )
    return list(rows)
