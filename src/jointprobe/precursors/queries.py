"""Reading the register: lists (with the overdue rule of referrals) and single items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.exchange.workflow.queries import overdue_filter
from jointprobe.precursors.access import can_see_register, require_register
from jointprobe.precursors.tables import PrecursorMessage
from jointprobe.store.tables import User

KINDS = ("pen", "sor", "incident")
#: Most rows one list returns.
MAX_LIST = 1_000


def list_register(
    session: Session,
    actor: User,
    *,
    kind: str | None = None,
    direction: str | None = None,
    overdue_at: datetime | None = None,
    limit: int = 200,
) -> list[PrecursorMessage]:
    """Register rows ``actor`` may see, newest first; ``overdue_at``: open notifications
    past their reply deadline (the one overdue rule, ``exchange.workflow.overdue_filter``)."""
    require_register(actor)
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", where="kind")
    if direction not in (None, "in", "out"):
        raise InvalidInput("direction must be in or out", where="direction")
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInput(f"limit must be 1 to {MAX_LIST}", where="limit")
    query = select(PrecursorMessage).order_by(PrecursorMessage.created_at.desc()).limit(limit)
    if kind:
        query = query.where(PrecursorMessage.kind == kind)
    if direction:
        query = query.where(PrecursorMessage.direction == direction)
    if overdue_at is not None:
        query = query.where(
            PrecursorMessage.kind == "pen",
            overdue_filter(overdue_at, due=PrecursorMessage.due, state=PrecursorMessage.state),
        )
    return list(session.scalars(query))


def read_item(
    session: Session, actor: User, message_id: str, peer_id: str | None = None
) -> list[PrecursorMessage]:
    """The rows of one message (one per counterpart) ``actor`` may see, the read audited.

    NotFound for an unknown id and for a user outside the register alike.
    """
    query = select(PrecursorMessage).where(PrecursorMessage.id == message_id)
    if peer_id:
        query = query.where(PrecursorMessage.peer_id == peer_id)
    rows = sorted(session.scalars(query), key=lambda r: r.peer_id)
    if not rows or not can_see_register(actor):
        raise NotFound(f"no notification, report or incident {message_id!r}")
    record(session, actor.username, "read", rows[0].kind, message_id,
           {"peers": [r.peer_id for r in rows]})  # fmt: skip
    return rows


__all__ = ["KINDS", "MAX_LIST", "list_register", "read_item"]
