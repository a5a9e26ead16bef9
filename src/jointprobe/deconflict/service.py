"""What users do with deconfliction; the CLI, the API and the page all call these.

``start`` (a member of the case: checked, counted and answered at once; the
worker reads, orders and blinds the set, :func:`.steps.send_prepared`),
``join`` (a member of the case the responder compares; the same way), ``consent`` and
``decline`` (the case owner), ``view`` and ``list_sessions`` (need-to-know),
``expire_stalled`` (sessions past their deadline are closed and the peer told).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases import visible_case
from jointprobe.config import Settings
from jointprobe.deconflict.caps import require_session_quota, require_set_size
from jointprobe.deconflict.errors import NothingToCompare, SessionState, Stalled
from jointprobe.deconflict.groups import merge_small_groups
from jointprobe.deconflict.rounds import ACTIVE, FINAL, close, send
from jointprobe.deconflict.steps import reveal_if_agreed
from jointprobe.deconflict.store import drop_arrays
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.deconflict.visibility import can_see, holders, require_owner, visible_session
from jointprobe.deconflict.wake import owe
from jointprobe.errors import InvalidInput
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.peers import get_peer
from jointprobe.exchange.wire import format_time, new_id
from jointprobe.store.tables import Selector, User
from jointprobe.timeutil import utcnow

#: selector kinds compared unless the user names others (names are fuzzy keys: opt in)
DEFAULT_KINDS = ("phone", "email", "wallet", "url", "domain", "passport")


@dataclass
class SessionView:
    id: str
    peer: str
    role: str
    state: str
    case_id: str | None
    peer_case_ref: str | None
    kinds: list[str]
    own_size: int
    peer_size: int
    count: int | None
    kind_counts: dict[str, int] | None
    flag: str | None
    code: str | None
    reason: str | None
    consented: bool
    peer_consented: bool
    created_at: datetime
    expires_at: datetime
    revealed_at: datetime | None
    #: our selectors in the intersection, each with our records holding it (after reveal)
    shared: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for name in ("created_at", "expires_at", "revealed_at"):
            data[name] = format_time(data[name]) if data[name] else None
        return data


def _case_selectors_query(case_id: str, kinds: Sequence[str]) -> Select[str, str]:
    return (
        select(Selector.kind, Selector.value)
        .where(Selector.case_id == case_id, Selector.kind.in_(list(kinds)))
        .distinct()
    )


def case_selectors(
    session: Session, case_id: str, kinds: Sequence[str], *, most: int | None = None
) -> list[tuple[str, str]]:
    """The case's normalised selectors of ``kinds``, each once (in no particular order:
    :func:`.crypto.order_selectors` shuffles them); at most ``most`` of them if given, the
    cap in the SQL (``LIMIT``), so that a case grown to millions is not read to be refused."""
    query = _case_selectors_query(case_id, kinds)
    if most is not None:
        query = query.limit(most)
    return [(kind, value) for kind, value in session.execute(query)]


def count_case_selectors(session: Session, case_id: str, kinds: Sequence[str]) -> int:
    """How many selectors :func:`case_selectors` would read, counted by the database."""
    query = select(func.count()).select_from(_case_selectors_query(case_id, kinds).subquery())
    return int(session.scalar(query) or 0)


def _kinds(kinds: Sequence[str] | None) -> list[str]:
    chosen = sorted({k.strip() for k in (kinds or DEFAULT_KINDS) if k.strip()})
    if not chosen or any(len(k) > 32 for k in chosen) or len(chosen) > 32:
        raise InvalidInput("name 1–32 selector kinds of at most 32 characters each")
    return chosen


def start(
    session: Session,
    actor: User,
    keys: NodeKeys,
    settings: Settings,
    *,
    peer: str,
    case_id: str,
    kinds: Sequence[str] | None = None,
    by_kind: bool = False,
    now: datetime | None = None,
) -> DeconflictSession:
    """Offer the case's selectors to ``peer`` for a private set intersection.

    Everything a user can be refused for is checked here, the selectors counted
    by the database (not read); the session is answered ``preparing`` and the
    worker reads, orders and stores the set, then sends the offer and blinds x
    (``prepare``, :func:`.steps.send_prepared`).
    """
    now = now or utcnow()
    case = visible_case(session, actor, case_id)
    get_peer(session, peer)
    if by_kind:
        require_owner(session, actor, case.id)  # disclosing counts per kind is the owner's call
    chosen = _kinds(kinds)
    size = count_case_selectors(session, case.id, chosen)
    if not size:
        raise NothingToCompare(f"case {case.id} has no selectors of kinds {', '.join(chosen)}")
    require_set_size(settings, size, whose="our")
    require_session_quota(session, settings, peer, now)
    deadline = now + timedelta(seconds=settings.deconflict_timeout_seconds)
    row = DeconflictSession(
        id=new_id(), peer_id=peer, role="initiator", case_id=case.id, kinds=chosen,
        by_kind=by_kind, by_kind_agreed=False, state="preparing", own_size=size, peer_size=0,
        peer_groups=[], created_by=actor.username, created_at=now, updated_at=now,
        expires_at=deadline,
    )  # fmt: skip
    session.add(row)
    owe(session, row, "prepare")  # the worker reads and orders the set, then offers it
    session.flush()
    record(session, actor.username, "start", "deconfliction", row.id,
           {"peer": peer, "case": case.id, "own_size": size, "kinds": chosen,
            "by_kind": by_kind})  # fmt: skip
    return row


def join(
    session: Session,
    actor: User,
    keys: NodeKeys,
    settings: Settings,
    sid: str,
    *,
    case_id: str,
    by_kind: bool = False,
) -> DeconflictSession:
    """Answer an invitation with the selectors of one of our cases.

    Checked and counted like :func:`start`; the session is ``joining`` at once and
    the worker reads and orders the set, sends the accept and blinds y
    (``prepare``, :func:`.steps.send_prepared`).
    """
    row = visible_session(session, actor, sid)
    if row.role != "responder" or row.state != "invited":
        raise SessionState(f"session {sid} is {row.state}; only an invitation can be joined")
    case = visible_case(session, actor, case_id)
    if by_kind:
        require_owner(session, actor, case.id)
    size = count_case_selectors(session, case.id, row.kinds)
    if not size:
        raise NothingToCompare(f"case {case.id} has no selectors of kinds {', '.join(row.kinds)}")
    require_set_size(settings, size, whose="our")
    peer_allows = any(kind != "*" for kind, _ in row.peer_groups)
    row.case_id, row.by_kind = case.id, by_kind
    row.by_kind_agreed = by_kind and peer_allows
    merged = merge_small_groups(row, settings.deconflict_min_group)
    record(session, actor.username, "join", "deconfliction", row.id,
           {"peer": row.peer_id, "case": case.id, "groups_merged": merged})  # fmt: skip
    drop_arrays(session, row, keep=("x",))
    row.state, row.own_size = "joining", size
    owe(session, row, "prepare")  # then y at once, and z once x is here
    return row


def consent(
    session: Session, actor: User, keys: NodeKeys, sid: str, *, now: datetime | None = None
) -> DeconflictSession:
    """The case owner agrees to reveal; the shared selectors show once the peer agrees too."""
    row = visible_session(session, actor, sid)
    if row.case_id is None:
        raise SessionState(f"session {sid} has no case yet")
    require_owner(session, actor, row.case_id)
    if row.state != "counted":
        raise SessionState(f"session {sid} is {row.state}; consent comes after the count")
    if row.consent_at is None:
        row.consent_at, row.consent_by = now or utcnow(), actor.username
        send(session, keys, row, "consent", {})
        record(session, actor.username, "consent", "deconfliction", row.id,
               {"peer": row.peer_id, "count": row.count})  # fmt: skip
    reveal_if_agreed(session, keys, row)
    return row


def decline(
    session: Session, actor: User, keys: NodeKeys, sid: str, *, reason: str = ""
) -> DeconflictSession:
    """The case owner ends the session (or refuses an invitation): nothing is revealed."""
    row = visible_session(session, actor, sid)
    if row.case_id is not None:
        require_owner(session, actor, row.case_id)
    if row.state in FINAL:
        raise SessionState(f"session {sid} is already {row.state}")
    close(session, keys, row, "deconflict.declined", reason or "declined by the case owner",
          actor=actor.username)  # fmt: skip
    return row


def expire_stalled(
    session: Session,
    keys: NodeKeys,
    *,
    now: datetime | None = None,
    peer: str | None = None,
    sid: str | None = None,
) -> list[str]:
    """Close every session whose rounds did not finish by its deadline; tell the peers
    that can still be messaged (:func:`.rounds.close` never raises for that).

    ``peer`` or ``sid`` limit it to one peer's sessions or one session: an incoming
    message expires only what concerns it, so a session of another peer never
    fails it (the sweeper does the rest).
    """
    now = now or utcnow()
    query = select(DeconflictSession).where(
        DeconflictSession.state.in_(ACTIVE),
        DeconflictSession.expires_at < now,
    )
    if peer is not None:
        query = query.where(DeconflictSession.peer_id == peer)
    if sid is not None:
        query = query.where(DeconflictSession.id == sid)
    stale = session.scalars(query).all()
    for row in stale:
        stalled = Stalled(f"the session did not reach its count by {format_time(row.expires_at)}")
        close(session, keys, row, stalled.code, stalled.message, actor="deconfliction", now=now)
    return [row.id for row in stale]


def view(session: Session, actor: User, sid: str) -> SessionView:
    row = visible_session(session, actor, sid)
    return _view(session, row)


def list_sessions(
    session: Session, actor: User, *, case_id: str | None = None
) -> list[SessionView]:
    query = select(DeconflictSession).order_by(DeconflictSession.created_at.desc())
    if case_id is not None:
        visible_case(session, actor, case_id)
        query = query.where(DeconflictSession.case_id == case_id)
    rows = [r for r in session.scalars(query) if can_see(session, actor, r)]
    return [_view(session, r, with_records=False) for r in rows]


def _view(session: Session, row: DeconflictSession, *, with_records: bool = True) -> SessionView:
    shared: list[dict[str, Any]] = []
    if row.shared and row.case_id and with_records:
        shared = holders(session, row.case_id, [(k, v) for k, v in row.shared])
    elif row.shared:
        shared = [{"kind": k, "value": v, "records": []} for k, v in row.shared]
    return SessionView(
        id=row.id, peer=row.peer_id, role=row.role, state=row.state, case_id=row.case_id,
        peer_case_ref=row.peer_case_ref, kinds=list(row.kinds), own_size=row.own_size,
        peer_size=row.peer_size, count=row.count, kind_counts=row.kind_counts, flag=row.flag,
        code=row.code, reason=row.reason, consented=row.consent_at is not None,
        peer_consented=row.peer_consent_at is not None, created_at=row.created_at,
        expires_at=row.expires_at, revealed_at=row.revealed_at, shared=shared,
    )  # fmt: skip


__all__ = [
    "DEFAULT_KINDS",
    "SessionView",
    "case_selectors",
    "count_case_selectors",
    "consent",
    "decline",
    "expire_stalled",
    "join",
    "list_sessions",
    "start",
    "view",
]
