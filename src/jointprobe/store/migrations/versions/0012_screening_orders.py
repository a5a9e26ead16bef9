"""Screened orders (precursor trade screening, C6)

screening_orders keeps every screened order with its verdict, reasons,
markings and the case it belongs to; a customer's order history is read
from it.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "screening_orders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_ref", sa.String(length=100), nullable=True),
        sa.Column("customer_id", sa.String(length=100), nullable=True),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("substance_key", sa.String(length=2000), nullable=False),
        sa.Column("base_quantity", sa.Numeric(precision=24, scale=9), nullable=False),
        sa.Column("base_unit", sa.String(length=4), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("screened_by", sa.Integer(), nullable=False),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tlp", sa.String(length=16), nullable=False),
        sa.Column("handling", sa.JSON(), nullable=False),
        sa.Column("grading", sa.String(length=2), nullable=True),
        sa.Column("fictional", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["screened_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("screening_orders") as batch_op:
        batch_op.create_index("ix_screening_orders_customer", ["customer_id", "order_date"])
        batch_op.create_index(batch_op.f("ix_screening_orders_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_screening_orders_verdict"), ["verdict"])


def downgrade() -> None:
    op.drop_table("screening_orders")
