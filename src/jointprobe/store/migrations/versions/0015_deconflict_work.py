"""deconflict_sessions.work: the computing step a session waits for; ix_outbox_pending

The curve arithmetic of a deconfliction session runs in the node's
deconfliction worker, outside any write transaction (docs/protocol.md §11.2);
``work`` names the step it owes (``x``, ``y``, ``z`` or ``count``), NULL when
it waits for the peer or a user. Downgrade drops the column: a session that
still owed a step is closed by its deadline.

``ix_outbox_pending`` (peer, state, void_at, void_id) covers the deliverer's
test for pending messages: without it SQLite read every delivered row of the
peer, and a column stored after a multi-MB envelope (deconfliction rounds
are about 2.9 MB a message) is reached only through the envelope's overflow
pages — seconds per delivery round once a session had sent 100,000 points.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deconflict_sessions") as batch:
        batch.add_column(sa.Column("work", sa.String(length=16), nullable=True))
    op.create_index(
        "ix_outbox_pending", "exchange_outbox", ["peer_id", "state", "void_at", "void_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_pending", table_name="exchange_outbox")
    with op.batch_alter_table("deconflict_sessions") as batch:
        batch.drop_column("work")
