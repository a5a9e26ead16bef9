"""Signed-in web sessions kept in the node store, so sign-out is durable.

The browser's cookie is signed (``web/session.py``), but a signature alone
cannot be taken back. Each sign-in therefore writes a row keyed by a hash of
the session id; a cookie is honoured only while that row exists, is not ended
and its user is active. Sign-out ends the row; disabling a user, changing
their role or resetting their password ends all of theirs, and a user changing
their own password ends all but the one they changed it from. Every process
serving the node reads the same rows, and they outlive a restart. Rows are
pruned once past their expiry.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from jointprobe.store.tables import User, WebSignIn

PURPOSE = "jointprobe-web-sid:"


def session_ref(sid: str) -> str:
    """The stored key of a session id (its id itself is never stored)."""
    return hashlib.sha256(f"{PURPOSE}{sid}".encode()).hexdigest()


def start_session(
    session: Session, sid: str, user_id: int, expires_at: datetime, now: datetime
) -> None:
    """Record a sign-in; prunes rows that have expired."""
    prune_sessions(session, now)
    session.add(
        WebSignIn(sid_hash=session_ref(sid), user_id=user_id, created_at=now, expires_at=expires_at)
    )
    session.flush()


def session_is_live(session: Session, sid: str, user_id: int) -> bool:
    """True while the sign-in ``sid`` of ``user_id`` is recorded, not ended and the user active.

    One primary-key lookup joined to the user: cheap enough for every request.
    """
    found = session.scalar(
        select(WebSignIn.sid_hash)
        .join(User, User.id == WebSignIn.user_id)
        .where(
            WebSignIn.sid_hash == session_ref(sid),
            WebSignIn.user_id == user_id,
            WebSignIn.ended_at.is_(None),
            User.active.is_(True),
        )
    )
    return found is not None


def end_session(session: Session, sid: str, reason: str, now: datetime) -> bool:
    """End one sign-in (sign-out); False when it was not live."""
    result = session.execute(
        update(WebSignIn)
        .where(WebSignIn.sid_hash == session_ref(sid), WebSignIn.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return bool(getattr(result, "rowcount", 0))


def end_user_sessions(
    session: Session, user_id: int, reason: str, now: datetime, *, keep_sid: str | None = None
) -> int:
    """End every live sign-in of a user (disabled, role or password changed); returns how many.

    ``keep_sid`` spares one sign-in: the session from which the user changed
    their own password.
    """
    query = update(WebSignIn).where(WebSignIn.user_id == user_id, WebSignIn.ended_at.is_(None))
    if keep_sid is not None:
        query = query.where(WebSignIn.sid_hash != session_ref(keep_sid))
    result = session.execute(query.values(ended_at=now, end_reason=reason))
    return int(getattr(result, "rowcount", 0))


def prune_sessions(session: Session, now: datetime) -> int:
    """Delete rows past their expiry: their cookies are refused as expired anyway."""
    result = session.execute(delete(WebSignIn).where(WebSignIn.expires_at < now))
    return int(getattr(result, "rowcount", 0))


__all__ = [
    "end_session",
    "end_user_sessions",
    "prune_sessions",
    "session_is_live",
    "session_ref",
    "start_session",
]
