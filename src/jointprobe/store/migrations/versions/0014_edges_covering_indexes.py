"""edges: covering indexes from each end, for network expansion

An expansion asks, for a frontier of entities, every edge from or to them
(``network.queries.edges_touching``). With one-column indexes on
``source_id`` and ``target_id`` each edge found costs a second look-up in the
table; the indexes ``(source_id, target_id, case_id, relation_id, schema)`` and
``(target_id, source_id, case_id, relation_id, schema)`` answer the query
alone. They start with the columns of the indexes they replace, so every
query those served they serve too. Downgrade puts the one-column ones back.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVER = ("case_id", "relation_id", "schema")


def upgrade() -> None:
    op.create_index("ix_edges_source_cover", "edges", ["source_id", "target_id", *COVER])
    op.create_index("ix_edges_target_cover", "edges", ["target_id", "source_id", *COVER])
    op.drop_index("ix_edges_source_id", table_name="edges")
    op.drop_index("ix_edges_target_id", table_name="edges")


def downgrade() -> None:
    op.create_index("ix_edges_source_id", "edges", ["source_id"])
    op.create_index("ix_edges_target_id", "edges", ["target_id"])
    op.drop_index("ix_edges_target_cover", table_name="edges")
    op.drop_index("ix_edges_source_cover", table_name="edges")
