"""Seizure events gain where the drugs came from and how they travelled; peers' aggregates

case_events gains ``origin_country``, ``destination_country`` (ISO 3166-1
alpha-2), ``transit_countries`` (a JSON list of alpha-2 codes, in order),
``route`` (air, sea, land, post, express) and ``concealment`` (free text). All
are optional: older events keep NULL, which the analytics count as "unknown".
``analytics_peer_aggregates`` holds the seizure counts peers share (by quarter,
substance class and origin; counts only).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("origin_country", "transit_countries", "destination_country", "route", "concealment")


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): a batch operation would copy the table,
    # which the foreign keys of existing rows refuse.
    op.add_column("case_events", sa.Column("origin_country", sa.String(length=2), nullable=True))
    op.add_column("case_events", sa.Column("transit_countries", sa.JSON(), nullable=True))
    op.add_column(
        "case_events", sa.Column("destination_country", sa.String(length=2), nullable=True)
    )
    op.add_column("case_events", sa.Column("route", sa.String(length=16), nullable=True))
    op.add_column("case_events", sa.Column("concealment", sa.String(length=200), nullable=True))
    op.create_table(
        "analytics_peer_aggregates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("peer_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=32), nullable=False),
        sa.Column("period_from", sa.String(length=10), nullable=False),
        sa.Column("period_to", sa.String(length=10), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("substance_class", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("marking", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_analytics_peer_aggregates_peer_id", "analytics_peer_aggregates", ["peer_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_analytics_peer_aggregates_peer_id", "analytics_peer_aggregates")
    op.drop_table("analytics_peer_aggregates")
    for name in reversed(_COLUMNS):
        op.drop_column("case_events", name)
