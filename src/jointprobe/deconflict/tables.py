"""Deconfliction tables (migrations 0013 and 0015): one row per session, its point sets in chunks.

A session's secret scalar is kept only while the rounds run and is wiped when
the session is counted or closed; its point sets are dropped then too, except
this node's own selectors in the order it sent them (needed to read a reveal).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jointprobe.store.tables import Base
from jointprobe.timeutil import utcnow


class DeconflictSession(Base):
    __tablename__ = "deconflict_sessions"
    #: chosen by the initiator (128 random bits); any reuse is refused
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    peer_id: Mapped[str] = mapped_column(String(64), index=True)
    #: "initiator" (ran ``start``) or "responder" (was offered)
    role: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    #: the peer's case reference, as it gave it
    peer_case_ref: Mapped[str | None] = mapped_column(String(300), nullable=True)
    kinds: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: this side's owner allows counts per kind; ``by_kind_agreed``: both sides did
    by_kind: Mapped[bool] = mapped_column(Boolean, default=False)
    by_kind_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16))
    #: the computing step the worker owes (x, y, z, count; migration 0015), None: waiting
    work: Mapped[str | None] = mapped_column(String(16), nullable=True)
    code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    scalar: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    own_size: Mapped[int] = mapped_column(Integer, default=0)
    peer_size: Mapped[int] = mapped_column(Integer, default=0)
    own_groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    peer_groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    #: positions, in the peer's order, of its elements that matched (sent on reveal)
    peer_positions: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    #: this side's shared selectors, known once the peer revealed
    shared: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    flag: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    consent_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    peer_consent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reveal_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: the rounds must be done by then (a stalled peer: closed with ``deconflict.timeout``)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeconflictChunk(Base):
    """A packed array of a session: ``own`` selectors (text) or points (32 bytes each)."""

    __tablename__ = "deconflict_chunks"
    session_id: Mapped[str] = mapped_column(
        ForeignKey("deconflict_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    #: own, x, y, z, w (the rounds of docs/protocol.md §11) or xb (x times our scalar)
    name: Mapped[str] = mapped_column(String(8), primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, primary_key=True)
    chunks: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


__all__ = ["DeconflictChunk", "DeconflictSession"]
