"""selectors: ix_selectors_key_case, the holders of a key in one case

An expansion started from a name looks for its holders among the cases the
user may see only (``network.queries.visible_holders``). Through the primary
key ``(kind, value, entity_id)`` alone, the database read every holder of the
name, hidden ones included, before it found the visible ones: a very common
name held in hidden cases cost as many rows as it had holders. With
``(kind, value, case_id, entity_id)`` each visible case is one search that
stops after the cap. Downgrade drops the index.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_selectors_key_case", "selectors", ["kind", "value", "case_id", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_selectors_key_case", table_name="selectors")
