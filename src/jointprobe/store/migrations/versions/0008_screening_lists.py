"""screening lists: which entities each list holds, and analysts' decisions on matches

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "screening_lists",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("list_date", sa.Date(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "screening_list_entries",
        sa.Column("list_name", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["list_name"], ["screening_lists.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("list_name", "entity_id"),
    )
    op.create_index("ix_screening_list_entries_entity_id", "screening_list_entries", ["entity_id"])
    op.create_table(
        "screening_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("query_key", sa.String(length=300), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_screening_decisions_entity_id", "screening_decisions", ["entity_id"])
    op.create_index(
        "ix_screening_decisions_pair", "screening_decisions", ["query_key", "entity_id"]
    )


def downgrade() -> None:
    op.drop_table("screening_decisions")
    op.drop_table("screening_list_entries")
    op.drop_table("screening_lists")
