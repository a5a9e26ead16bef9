"""exchange_peer_keys: recover the signing keys peers had before migration 0006

Migration 0006 started each peer's key history with its current key only, so
anchors a partner signed before a rotation that predates 0006 stopped
checking. Every rotation that arrived over the exchange left its card update
in the inbox (a ``notice`` with topic ``card-update``, applied, its body kept
as it came): that body holds the new card and so the new signing key. This
migration adds each such key that the history lacks, in the order the updates
were applied, with when it was accepted (the audit log's rotation away from the
update's ``previous`` key, else when the notice was applied) and when it was
superseded (the audit log's next ``rotated_from`` naming its fingerprint, or
the next update's time). Rows are marked ``source = 'recovered'``.

What cannot be recovered: the key a peer was first pinned with (``peer add``
kept only its fingerprint) and keys installed from a card-update *file*
(``peer update FILE`` kept only fingerprints); docs/operations.md (Audit
anchors) says what an operator can do about those.

0006 itself is left as released: it ran on nodes already, and a fix there
would never reach them. Downgrade removes the recovered rows.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE = "recovered"
#: As docs/protocol.md §1 defines it (kept here: a migration does not import the app).
_FINGERPRINT_PREFIX = b"jointprobe/jp1/fingerprint\x00"

_inbox = sa.table(
    "exchange_inbox",
    sa.column("sender", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("body", sa.JSON),
    sa.column("applied_at", sa.DateTime(timezone=True)),
    sa.column("received_at", sa.DateTime(timezone=True)),
)
_audit = sa.table(
    "audit_log",
    sa.column("at", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("detail", sa.JSON),
)
_keys = sa.table(
    "exchange_peer_keys",
    sa.column("peer_id", sa.String),
    sa.column("sign_public", sa.String),
    sa.column("fingerprint", sa.String),
    sa.column("source", sa.String),
    sa.column("accepted_at", sa.DateTime(timezone=True)),
    sa.column("superseded_at", sa.DateTime(timezone=True)),
)
_peers = sa.table("exchange_peers", sa.column("node_id", sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    peers = set(conn.execute(sa.select(_peers.c.node_id)).scalars())
    known = {(p, s) for p, s in conn.execute(sa.select(_keys.c.peer_id, _keys.c.sign_public))}
    replaced = _rotations(conn)
    updates: dict[str, list[tuple[str, str, datetime]]] = {}
    query = (
        sa.select(_inbox.c.sender, _inbox.c.body, _inbox.c.applied_at, _inbox.c.received_at)
        .where(_inbox.c.kind == "notice", _inbox.c.state == "applied")
        .order_by(_inbox.c.sender, _inbox.c.seq)
    )
    for sender, body, applied_at, received_at in conn.execute(query):
        card = _updated_card(sender, body)
        if card is None or sender not in peers:
            continue
        sign, box = card["keys"]["sign"], card["keys"]["box"]
        previous = body["card_update"].get("previous")
        rotated = replaced.get((sender, _normal(previous))) if isinstance(previous, str) else None
        when = rotated or _aware(applied_at or received_at)
        updates.setdefault(sender, []).append((sign, _fingerprint(sender, sign, box), when))
    rows = []
    for peer_id, keys in updates.items():
        for index, (sign, fingerprint, accepted) in enumerate(keys):
            if (peer_id, sign) in known:
                continue
            known.add((peer_id, sign))
            later = keys[index + 1][2] if index + 1 < len(keys) else None
            superseded = replaced.get((peer_id, _normal(fingerprint))) or later or accepted
            rows.append(
                {"peer_id": peer_id, "sign_public": sign, "fingerprint": fingerprint,
                 "source": SOURCE, "accepted_at": accepted, "superseded_at": superseded}
            )  # fmt: skip
    if rows:
        op.bulk_insert(_keys, rows)


def _updated_card(sender: str, body: Any) -> dict[str, Any] | None:
    """The new card of a card-update notice about its sender, or None."""
    if not isinstance(body, dict) or body.get("topic") != "card-update":
        return None
    update = body.get("card_update")
    card = update.get("card") if isinstance(update, dict) else None
    if not isinstance(card, dict) or card.get("node_id") != sender:
        return None
    keys = card.get("keys")
    if not (isinstance(keys, dict) and all(isinstance(keys.get(k), str) for k in ("sign", "box"))):
        return None
    return card


def _rotations(conn: Any) -> dict[tuple[str, str], datetime]:
    """(peer, replaced fingerprint) → when this node applied the rotation away from it."""
    found: dict[tuple[str, str], datetime] = {}
    query = sa.select(_audit.c.object_id, _audit.c.at, _audit.c.detail).where(
        _audit.c.action == "update", _audit.c.object_type == "peer"
    )
    for object_id, at, detail in conn.execute(query):
        old = detail.get("rotated_from") if isinstance(detail, dict) else None
        if not isinstance(old, str):
            continue
        try:
            found[(object_id, _normal(old))] = _aware(datetime.fromisoformat(at))
        except (TypeError, ValueError):
            continue
    return found


def _fingerprint(node_id: str, sign: str, box: str) -> str:
    material = json.dumps(
        {"node_id": node_id, "keys": {"sign": sign, "box": box}},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )  # fmt: skip
    digest = hashlib.sha256(_FINGERPRINT_PREFIX + material.encode()).digest()[:20].hex().upper()
    return "-".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def _normal(fingerprint: str) -> str:
    return "".join(c for c in fingerprint if c not in " :-").upper()


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; the store writes them in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def downgrade() -> None:
    op.execute(sa.delete(_keys).where(_keys.c.source == SOURCE))
