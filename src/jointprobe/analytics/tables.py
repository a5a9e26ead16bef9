"""Aggregates received from peers (migration 0009): counts only, one row per cell."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jointprobe.store.tables import Base
from jointprobe.timeutil import utcnow


class PeerAggregate(Base):
    """One cell of a peer's shared aggregates; a newer message for a period replaces it."""

    __tablename__ = "analytics_peer_aggregates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    peer_id: Mapped[str] = mapped_column(String(64), index=True)
    message_id: Mapped[str] = mapped_column(String(32))
    period_from: Mapped[str] = mapped_column(String(10))
    period_to: Mapped[str] = mapped_column(String(10))
    quarter: Mapped[str] = mapped_column(String(7))
    substance_class: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer)
    #: the marking the message came with (kept, and shown with the counts)
    marking: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


__all__ = ["PeerAggregate"]
