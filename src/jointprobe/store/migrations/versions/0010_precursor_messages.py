"""The precursor register: pre-export notifications, suspicious order reports, incidents

One table, ``precursor_messages``, keyed by (message id, counterpart) like
referrals; see ``jointprobe.precursors.tables``.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "precursor_messages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("peer_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("marking", sa.JSON(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", "peer_id"),
    )
    op.create_index(
        "ix_precursor_messages_kind_created", "precursor_messages", ["kind", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_precursor_messages_kind_created", table_name="precursor_messages")
    op.drop_table("precursor_messages")
