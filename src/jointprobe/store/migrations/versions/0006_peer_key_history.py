"""exchange_peer_keys: every signing key a peer's pinned card has had

Partners check our audit anchors against this history, so an anchor signed
before a key rotation still verifies after they applied the card update.
Backfill: each peer's current signing key, accepted when the last audited
rotation of that peer was applied (or, with none, when the peer was added).
Keys a peer had before this upgrade are not known (only their fingerprints
were kept) and cannot be backfilled. Downgrade drops the table.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_peers = sa.table(
    "exchange_peers",
    sa.column("node_id", sa.String),
    sa.column("card", sa.JSON),
    sa.column("fingerprint", sa.String),
    sa.column("added_at", sa.DateTime(timezone=True)),
)
_audit = sa.table(
    "audit_log",
    sa.column("at", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("detail", sa.JSON),
)


def upgrade() -> None:
    keys = op.create_table(
        "exchange_peer_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("peer_id", sa.String(length=64), nullable=False),
        sa.Column("sign_public", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["peer_id"], ["exchange_peers.node_id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("peer_id", "sign_public", name="uq_peer_keys_peer_sign"),
    )
    assert keys is not None
    conn = op.get_bind()
    rotated = _last_rotations(conn)
    rows = []
    for node_id, card, fingerprint, added_at in conn.execute(
        sa.select(_peers.c.node_id, _peers.c.card, _peers.c.fingerprint, _peers.c.added_at)
    ):
        sign = (card or {}).get("keys", {}).get("sign") if isinstance(card, dict) else None
        if not isinstance(sign, str):
            continue  # a damaged card: nothing to vouch for
        rows.append(
            {
                "peer_id": node_id,
                "sign_public": sign,
                "fingerprint": fingerprint,
                "source": "backfill",
                "accepted_at": rotated.get(node_id) or _aware(added_at),
                "superseded_at": None,
            }
        )
    if rows:
        op.bulk_insert(keys, rows)


def _last_rotations(conn: Any) -> dict[str, datetime]:
    """Per peer, when this node last applied one of its card updates (from the audit log)."""
    last: dict[str, datetime] = {}
    query = sa.select(_audit.c.object_id, _audit.c.at, _audit.c.detail).where(
        _audit.c.action == "update", _audit.c.object_type == "peer"
    )
    for object_id, at, detail in conn.execute(query):
        if not (isinstance(detail, dict) and "rotated_from" in detail):
            continue
        try:
            when = _aware(datetime.fromisoformat(at))
        except (TypeError, ValueError):
            continue
        if object_id not in last or when > last[object_id]:
            last[object_id] = when
    return last


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes them in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def downgrade() -> None:
    op.drop_table("exchange_peer_keys")
