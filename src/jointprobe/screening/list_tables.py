"""Screening lists, their entries and analysts' decisions on list matches (migration 0008).

A list's entries are ordinary entities of the node store (public, ``TLP:CLEAR``,
no case), so ``hits`` finds them too; ``screening_list_entries`` says which
entities a list holds, so a refresh can update and remove them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jointprobe.store.tables import Base
from jointprobe.timeutil import utcnow


class ScreeningList(Base):
    __tablename__ = "screening_lists"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    format: Mapped[str] = mapped_column(String(16))  # ofac, ftm or watchlist
    source: Mapped[str] = mapped_column(Text, default="")
    list_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer, default=0)


class ListEntry(Base):
    """One screened party of a list (its wallets, passports and sanctions are not entries)."""

    __tablename__ = "screening_list_entries"
    list_name: Mapped[str] = mapped_column(
        ForeignKey("screening_lists.name", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    digest: Mapped[str] = mapped_column(String(64))  # of the entity's data, to see changes


class ScreeningDecision(Base):
    """An analyst's word on (query as normalised, list entry): the latest one applies."""

    __tablename__ = "screening_decisions"
    __table_args__ = (Index("ix_screening_decisions_pair", "query_key", "entity_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query_key: Mapped[str] = mapped_column(String(300))
    entity_id: Mapped[str] = mapped_column(String(128), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # match or false_positive
    user: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
