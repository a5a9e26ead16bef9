"""selectors keyed by (kind, value, entity_id): one index fewer to write

The surrogate ``id`` and the separate ``(kind, value)`` index go; the primary
key is the lookup itself. On SQLite the table is ``WITHOUT ROWID``, stored in
key order. Rows are copied over; downgrade restores the old shape.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPY = (
    "INSERT INTO {new} (kind, value, entity_id, case_id) "
    "SELECT kind, value, entity_id, MIN(case_id) FROM selectors "
    "GROUP BY kind, value, entity_id"
)


def _entity_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "selectors_keyed",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        _entity_fk(),
        sa.PrimaryKeyConstraint("kind", "value", "entity_id", name="pk_selectors"),
        sqlite_with_rowid=False,
    )
    op.execute(_COPY.format(new="selectors_keyed"))
    op.drop_index("ix_selectors_kind_value", table_name="selectors")
    op.drop_index("ix_selectors_entity_id", table_name="selectors")
    op.drop_table("selectors")
    op.rename_table("selectors_keyed", "selectors")
    op.create_index("ix_selectors_entity_id", "selectors", ["entity_id"])


def downgrade() -> None:
    op.create_table(
        "selectors_rowid",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        _entity_fk(),
        sa.PrimaryKeyConstraint("id", name="selectors_pkey"),
    )
    op.execute(_COPY.format(new="selectors_rowid"))
    op.drop_index("ix_selectors_entity_id", table_name="selectors")
    op.drop_table("selectors")
    op.rename_table("selectors_rowid", "selectors")
    op.create_index("ix_selectors_entity_id", "selectors", ["entity_id"])
    op.create_index("ix_selectors_kind_value", "selectors", ["kind", "value"])
