"""Finding referrals, and need-to-know: which referrals a user may see."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from jointprobe.audit import record
from jointprobe.cases import can_see_case
from jointprobe.cases.fold import Folded, fold_numbered
from jointprobe.errors import NotFound
from jointprobe.exchange.tables import Referral, ReferralEvent
from jointprobe.store.tables import Case, User
from jointprobe.timeutil import as_utc, utcnow

#: States in which the counterpart has nothing more to do on a referral (or RFI).
CLOSED_STATES = ("declined", "closed", "answered")
INBOX_ROLES = ("analyst", "liaison", "supervisor")


def get_referral(session: Session, referral_id: str, peer_id: str | None = None) -> Referral:
    """One row of a referral (with ``peer_id``, the one with that counterpart)."""
    query = select(Referral).where(Referral.id == referral_id)
    if peer_id:
        query = query.where(Referral.peer_id == peer_id)
    referral = session.scalars(query).first()
    if referral is None:
        raise NotFound(f"no referral {referral_id!r}")
    return referral


# The rule for "overdue", in SQL and on a row (they must agree; tests/exchange/test_overdue.py):
# past its due date and not closed. The due date is for the work asked, not for the
# acknowledgement: an accepted referral, or one with status reports, is still overdue
# until its state is closed; a received one we have not acknowledged is overdue too.


# Other registers with a due date and a state (pre-export notifications) use the
# same rule on their own columns: ``overdue_filter(now, due=..., state=...)``.


class Due(Protocol):
    """A row with a due date and a state: a referral, or a pre-export notification."""

    @property
    def due(self) -> datetime | None: ...

    @property
    def state(self) -> str: ...


def overdue_filter(
    now: datetime,
    *,
    due: InstrumentedAttribute[datetime | None] = Referral.due,
    state: InstrumentedAttribute[str] = Referral.state,
) -> ColumnElement[bool]:
    """Rows overdue at ``now``, as a ``where`` clause (the rule above); referrals by default."""
    return and_(due.is_not(None), due < now, state.not_in(CLOSED_STATES))


def is_overdue(row: Due, now: datetime | None = None) -> bool:
    """Whether ``row`` (a referral by default) is overdue at ``now`` (default: now)."""
    if row.due is None or row.state in CLOSED_STATES:
        return False
    return as_utc(row.due) < as_utc(now or utcnow())


def list_referrals(
    session: Session, *, direction: str | None = None, overdue_at: datetime | None = None
) -> list[Referral]:
    """Referrals, newest first; with ``overdue_at`` only open ones past their due date."""
    query = select(Referral).order_by(Referral.created_at.desc())
    if direction:
        query = query.where(Referral.direction == direction)
    if overdue_at is not None:
        query = query.where(overdue_filter(overdue_at))
    return list(session.scalars(query))


def can_see_referral(session: Session, user: User, referral: Referral) -> bool:
    """Need-to-know for referrals: through the linked case, else the liaison inbox.

    A referral linked to a case is visible exactly when the case is; a received
    referral not yet linked to a case sits in the node's inbox, which liaison
    officers, analysts and supervisors triage (not chemists or admins).
    """
    if referral.case_id is not None:
        case = session.get(Case, referral.case_id)
        return case is not None and can_see_case(session, user, case)
    return user.role in INBOX_ROLES


def visible_referrals(
    session: Session,
    user: User,
    *,
    direction: str | None = None,
    overdue_at: datetime | None = None,
) -> list[Referral]:
    """The referrals ``user`` may see, newest first."""
    rows = list_referrals(session, direction=direction, overdue_at=overdue_at)
    return [row for row in rows if can_see_referral(session, user, row)]


def visible_referral(
    session: Session, user: User, referral_id: str, peer_id: str | None = None
) -> list[Referral]:
    """Rows of one referral (one per counterpart, or only ``peer_id``'s) that ``user`` may see.

    NotFound if there is none.
    """
    query = select(Referral).where(Referral.id == referral_id)
    if peer_id:
        query = query.where(Referral.peer_id == peer_id)
    rows = session.scalars(query)
    shown = sorted(
        (row for row in rows if can_see_referral(session, user, row)), key=lambda r: r.peer_id
    )
    if not shown:
        raise NotFound(f"no referral {referral_id!r}")
    return shown


def read_referral(
    session: Session, user: User, referral_id: str, peer_id: str | None = None
) -> list[Referral]:
    """What :func:`visible_referral` gives, the read recorded in the audit log (one row).

    Every view of a referral (API, web page, CLI) reads it through here: its
    items come from a case, and reads of case material are on record.
    """
    rows = visible_referral(session, user, referral_id, peer_id)
    cases = sorted({row.case_id for row in rows if row.case_id})
    record(session, user.username, "read", "referral", referral_id, {"cases": cases})
    return rows


def timeline(session: Session, referral_id: str, peer_id: str) -> list[ReferralEvent]:
    """The timeline of one referral row (the referral with counterpart ``peer_id``), oldest first.

    Message ids are chosen by their sender, so two peers may use the same
    referral id: each row has its own timeline and never shows the other's.
    """
    query = select(ReferralEvent).where(
        ReferralEvent.referral_id == referral_id, ReferralEvent.peer_id == peer_id
    )
    return list(session.scalars(query.order_by(ReferralEvent.id)))


def timelines(session: Session, rows: list[Referral]) -> list[ReferralEvent]:
    """The timelines of the given rows (those a user may see), merged, oldest first."""
    events = [event for row in rows for event in timeline(session, row.id, row.peer_id)]
    return sorted(events, key=lambda event: event.id)


def fold_timeline(events: list[ReferralEvent]) -> list[Folded[ReferralEvent]]:
    """A timeline as shown: adjacent entries of one message that differ only in a numbered
    unnamed person (six identical sentences) are one line; see :mod:`jointprobe.cases.fold`."""
    return fold_numbered(
        events, lambda e: (e.summary,), lambda e: (e.kind, e.peer_id, e.message_id)
    )


__all__ = [
    "CLOSED_STATES",
    "Due",
    "INBOX_ROLES",
    "can_see_referral",
    "fold_timeline",
    "get_referral",
    "is_overdue",
    "list_referrals",
    "overdue_filter",
    "read_referral",
    "timeline",
    "timelines",
    "visible_referral",
    "visible_referrals",
]
