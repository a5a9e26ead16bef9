"""Every outbound message ends applied, refused or parked; a withdrawn slot is voided

exchange_outbox gains ``failures`` (answers from the peer that did not accept
this message, counted towards parking it) and the ``void_*`` columns: when a
message is withdrawn (refused before the peer could record it, or dropped by
an operator) a signed ``void`` message takes its sequence slot so the peer's
channel moves on; the row keeps the original envelope for the record.
exchange_peers gains ``peer_applied_seq``, the peer's last applied sequence
number as its latest receipt reported it. Outbox rows in the old ``rejected``
state become ``refused`` (the same meaning, the name the operator commands use).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_outbox = sa.table("exchange_outbox", sa.column("state", sa.String))


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): a batch operation would copy and drop the
    # tables, which foreign keys from rows that exist refuse.
    op.add_column(
        "exchange_outbox", sa.Column("failures", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("exchange_outbox", sa.Column("void_id", sa.String(length=32), nullable=True))
    op.add_column("exchange_outbox", sa.Column("void_digest", sa.String(length=64), nullable=True))
    op.add_column("exchange_outbox", sa.Column("void_envelope", sa.Text(), nullable=True))
    op.add_column(
        "exchange_outbox", sa.Column("void_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "exchange_peers",
        sa.Column("peer_applied_seq", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(_outbox.update().where(_outbox.c.state == "rejected").values(state="refused"))


def downgrade() -> None:
    op.execute(_outbox.update().where(_outbox.c.state == "refused").values(state="rejected"))
    op.drop_column("exchange_peers", "peer_applied_seq")
    for name in ("void_at", "void_envelope", "void_digest", "void_id", "failures"):
        op.drop_column("exchange_outbox", name)
