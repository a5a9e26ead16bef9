"""The precursor register (migration 0010): notifications, reports and incidents.

One row per message and counterpart, keyed like referrals by (message id,
peer): ids are chosen by their sender, so two peers may use the same one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jointprobe.store.tables import Base
from jointprobe.timeutil import utcnow


class PrecursorMessage(Base):
    """A pre-export notification, suspicious order report or incident, sent or received.

    ``state`` for a notification: ``sent`` / ``received``, then
    ``information-requested`` after a request for information, and
    ``answered`` after the final answer (``decision``: ``no-objection`` or
    ``objection``). ``answered`` is one of the workflow's closed states, so the
    one overdue rule (``exchange.workflow.overdue_filter``) applies to ``due``.
    """

    __tablename__ = "precursor_messages"
    __table_args__ = (Index("ix_precursor_messages_kind_created", "kind", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    peer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # pen | sor | incident
    direction: Mapped[str] = mapped_column(String(4))  # in | out
    title: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(32))
    due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(16))
    #: the body as sent or received (its ``marking`` included)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    marking: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: answers to a notification, oldest first: decision, reason, marking, at, message id
    answers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: the sending user (out) or None (in)
    author: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["PrecursorMessage"]
