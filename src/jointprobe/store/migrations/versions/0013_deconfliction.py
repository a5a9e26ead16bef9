"""deconflict_sessions and deconflict_chunks: private set intersection sessions

One row per deconfliction session with a peer (docs/protocol.md §11) and the
packed arrays of its rounds. Downgrade drops both tables.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deconflict_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("peer_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("peer_case_ref", sa.String(length=300), nullable=True),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("by_kind", sa.Boolean(), nullable=False),
        sa.Column("by_kind_agreed", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("scalar", sa.LargeBinary(), nullable=True),
        sa.Column("own_size", sa.Integer(), nullable=False),
        sa.Column("peer_size", sa.Integer(), nullable=False),
        sa.Column("own_groups", sa.JSON(), nullable=False),
        sa.Column("peer_groups", sa.JSON(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("kind_counts", sa.JSON(), nullable=True),
        sa.Column("peer_positions", sa.JSON(), nullable=True),
        sa.Column("shared", sa.JSON(), nullable=True),
        sa.Column("flag", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("consent_by", sa.String(length=64), nullable=True),
        _when("consent_at"),
        _when("peer_consent_at"),
        _when("reveal_sent_at"),
        _when("revealed_at"),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        _when("expires_at", nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_deconflict_sessions_peer_id", "deconflict_sessions", ["peer_id"])
    op.create_index("ix_deconflict_sessions_case_id", "deconflict_sessions", ["case_id"])
    op.create_table(
        "deconflict_chunks",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=8), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["deconflict_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id", "name", "chunk"),
    )


def downgrade() -> None:
    op.drop_table("deconflict_chunks")
    op.drop_index("ix_deconflict_sessions_case_id", table_name="deconflict_sessions")
    op.drop_index("ix_deconflict_sessions_peer_id", table_name="deconflict_sessions")
    op.drop_table("deconflict_sessions")
