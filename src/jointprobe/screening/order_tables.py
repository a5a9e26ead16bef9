"""Screened orders on the node store's metadata (migration 0012_screening_orders).

One row per screening: the order as given, its verdict and reasons, who
screened it, the case it belongs to (need-to-know) and its markings. The
customer's order history is read from these rows.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from jointprobe.store.tables import Base, MarkedMixin
from jointprobe.timeutil import utcnow


class ScreenedOrder(MarkedMixin, Base):
    __tablename__ = "screening_orders"
    __table_args__ = (Index("ix_screening_orders_customer", "customer_id", "order_date"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    customer_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    order_date: Mapped[date] = mapped_column(Date)
    substance_key: Mapped[str] = mapped_column(String(2000))
    base_quantity: Mapped[Decimal] = mapped_column(Numeric(24, 9))
    base_unit: Mapped[str] = mapped_column(String(4))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    points: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    screened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
