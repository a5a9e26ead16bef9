"""Sending a session's messages, and closing a session (ours or the peer's doing)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.deconflict.sodium import POINT
from jointprobe.deconflict.store import drop_arrays
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.errors import JointprobeError
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.payloads import MAX_CHUNK_POINTS
from jointprobe.exchange.wire import b64e
from jointprobe.timeutil import utcnow

log = logging.getLogger(__name__)
#: states after which nothing more happens in a session
FINAL = ("revealed", "closed")
#: states in which a session may owe a step or time out
ACTIVE = ("preparing", "offered", "invited", "joining", "joined")


def send(
    session: Session, keys: NodeKeys, row: DeconflictSession, kind: str, body: dict[str, Any]
) -> None:
    """Queue one message of the session to its peer (the session id is the conversation)."""
    enqueue(
        session, keys, kind=f"psi-{kind}", body={"session": row.id, **body},
        to=[row.peer_id], conversation_id=row.id,
    )  # fmt: skip


def send_points(
    session: Session, keys: NodeKeys, row: DeconflictSession, round_name: str, points: bytes
) -> int:
    """Queue a round in chunks that each fit one envelope; returns the chunk count."""
    per = MAX_CHUNK_POINTS * POINT
    starts = range(0, len(points), per)
    for index, start in enumerate(starts):
        body = {
            "round": round_name,
            "chunk": index,
            "chunks": len(starts),
            "points": b64e(points[start : start + per]),
        }
        send(session, keys, row, "points", body)
    return len(starts)


def close(
    session: Session,
    keys: NodeKeys,
    row: DeconflictSession,
    code: str,
    reason: str,
    *,
    actor: str,
    tell: bool = True,
    now: datetime | None = None,
) -> None:
    """End a session: nothing further is revealed, its points and scalar are dropped;
    the peer is told when ``tell`` and it can still be messaged (never raises for that),
    and never about a session still ``preparing``: nothing of it was sent yet."""
    if row.state in FINAL:
        return
    previous = row.state
    row.state, row.code, row.reason, row.work = "closed", code, reason[:2000], None
    row.updated_at = now or utcnow()
    drop_arrays(session, row)
    told = tell and previous != "preparing" and _tell(session, keys, row, code, reason)
    record(session, actor, "close", "deconfliction", row.id,
           {"peer": row.peer_id, "code": code, "was": previous, "own_size": row.own_size,
            "peer_size": row.peer_size, "told_peer": told})  # fmt: skip


def _tell(session: Session, keys: NodeKeys, row: DeconflictSession, code: str, reason: str) -> bool:
    """Queue the peer's ``psi-close`` if it can still be messaged; never raise.

    A peer the operator revoked, or whose agreement no longer covers ``psi-*``,
    cannot be told: the session still closes here (a close that raised would
    leave it owing its step for good, and stop the worker; review H2).
    """
    try:
        with session.begin_nested():
            send(session, keys, row, "close", {"code": code, "reason": reason[:2000]})
    except JointprobeError as exc:
        log.warning("deconfliction %s closed without telling %s: %s", row.id, row.peer_id,
                    exc.message)  # fmt: skip
        return False
    return True


__all__ = ["ACTIVE", "FINAL", "close", "send", "send_points"]
