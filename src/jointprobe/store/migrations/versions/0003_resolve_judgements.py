"""resolve judgements: analyst decisions on candidate pairs

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "resolve_judgements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("left_id", sa.String(length=128), nullable=False),
        sa.Column("right_id", sa.String(length=128), nullable=False),
        sa.Column("judgement", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("user", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_resolve_judgements_left_id", "resolve_judgements", ["left_id"])
    op.create_index("ix_resolve_judgements_right_id", "resolve_judgements", ["right_id"])
    op.create_index("ix_resolve_judgements_pair", "resolve_judgements", ["left_id", "right_id"])


def downgrade() -> None:
    op.drop_table("resolve_judgements")
