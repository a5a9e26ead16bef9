"""Users with roles; API tokens kept only as SHA-256 hashes; Argon2id passwords."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import datetime

import nacl.exceptions
import nacl.pwhash
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointprobe.accounts.web_sessions import end_user_sessions
from jointprobe.audit import record
from jointprobe.errors import Conflict, InvalidInput, NotFound, Unauthorized
from jointprobe.store.tables import ApiToken, User
from jointprobe.timeutil import utcnow

ROLES = ("analyst", "supervisor", "liaison", "chemist", "admin", "regulator")
TOKEN_PREFIX = "jp_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def hash_token(token: str) -> str:
    return hashlib.sha256(f"jointprobe-token:{token}".encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    display_name: str = "",
    password: str | None = None,
    actor: str = "system",
) -> User:
    if not _USERNAME.match(username):
        raise InvalidInput(
            "username must be 2-64 characters of a-z, 0-9, '.', '_' or '-'", where=username
        )
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, role=role, display_name=display_name or username)
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    record(session, actor, "create", "user", username, {"role": role})
    return user


def _hash_password(password: str) -> str:
    return nacl.pwhash.argon2id.str(
        password.encode(),
        opslimit=nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE,
        memlimit=nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE,
    ).decode()


def set_password(user: User, password: str) -> None:
    if len(password) < 8:
        raise InvalidInput("password must have at least 8 characters")
    user.password_hash = _hash_password(password)


@functools.cache
def _decoy_hash() -> bytes:
    """A hash to verify against when there is no account, so both take as long."""
    return _hash_password(secrets.token_urlsafe(16)).encode()


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def set_active(session: Session, username: str, active: bool, actor: str = "system") -> User:
    """Enable or disable a user; disabling ends the user's web sessions at once."""
    user = get_user(session, username)
    user.active = active
    ended = 0 if active else end_user_sessions(session, user.id, "user_disabled", utcnow())
    record(session, actor, "update", "user", username, {"active": active, "sessions_ended": ended})
    return user


def set_role(session: Session, username: str, role: str, actor: str = "system") -> User:
    """Change a user's role; the user's web sessions end, so the next sign-in has the new role."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    user = get_user(session, username)
    before, user.role = user.role, role
    ended = end_user_sessions(session, user.id, "role_changed", utcnow()) if before != role else 0
    detail = {"role": role, "was": before, "sessions_ended": ended}
    record(session, actor, "update", "user", username, detail)
    return user


def create_token(session: Session, username: str, label: str = "", actor: str = "system") -> str:
    """Issue a token; only its hash is stored, the token is returned once."""
    user = get_user(session, username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label))
    session.flush()
    record(session, actor, "create", "token", username, {"label": label})
    return token


def revoke_token(session: Session, token: str, actor: str = "system") -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None:
        raise NotFound("no such token")
    row.revoked_at = utcnow()
    record(session, actor, "update", "token", str(row.id), {"revoked": True})


def list_tokens(session: Session, username: str) -> list[ApiToken]:
    """A user's tokens, oldest first (their hashes only: a token is shown once, at creation)."""
    user = get_user(session, username)
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    return list(session.scalars(query))


def revoke_user_tokens(session: Session, username: str, actor: str = "system") -> int:
    """Revoke every live token of ``username`` (a leak, a departure); return how many."""
    now = utcnow()
    live = [t for t in list_tokens(session, username) if t.revoked_at is None]
    for row in live:
        row.revoked_at = now
    record(session, actor, "update", "token", username, {"revoked_all": len(live)})
    return len(live)


def authenticate_token(session: Session, token: str | None) -> User:
    if not token:
        raise Unauthorized("missing API token", code="auth.missing_token")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None:
        raise Unauthorized("invalid API token", code="auth.invalid_token")
    if row.revoked_at is not None:
        raise Unauthorized("API token has been revoked", code="auth.revoked_token")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("user is disabled", code="auth.user_disabled")
    return user


def _verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no hash, a decoy takes as long."""
    try:
        ok = nacl.pwhash.verify(stored.encode() if stored else _decoy_hash(), password.encode())
    except nacl.exceptions.InvalidkeyError:
        ok = False
    return ok and bool(stored)


def change_password(
    session: Session,
    username: str,
    current: str,
    new: str,
    *,
    keep_sid: str | None = None,
    now: datetime | None = None,
) -> int:
    """A user changes their own password, proving the current one; returns sessions ended.

    A wrong current password raises ``Unauthorized`` before the new one is
    looked at, so an ``InvalidInput`` (new password too weak, or unchanged)
    means the current password was right. The new password is checked and
    hashed as at creation. Every web session of the user ends
    (``password_changed``) except ``keep_sid``, the one making the change.
    API tokens stay valid: only an operator issues them, never with a
    password (docs/operations.md).

    Counting wrong current passwords against the sign-in limit is the
    caller's (the web page's), which knows the client address.
    """
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.active else None
    if not _verify(stored, current) or user is None:
        raise Unauthorized("the current password is wrong", code="auth.wrong_password")
    if new == current:
        raise InvalidInput("the new password must differ from the current one")
    set_password(user, new)
    ended = end_user_sessions(
        session, user.id, "password_changed", now or utcnow(), keep_sid=keep_sid
    )
    detail = {"password": "changed", "sessions_ended": ended}
    record(session, username, "update", "user", username, detail)
    return ended


def reset_password(session: Session, username: str, new: str, actor: str = "system") -> int:
    """An operator sets a user's password; every web session of the user ends.

    Returns how many sessions ended. API tokens stay valid (they never came
    from the password); the audit entry counts the live ones, which an
    operator who suspects more than a leaked password revokes separately.
    """
    user = get_user(session, username)
    set_password(user, new)
    ended = end_user_sessions(session, user.id, "password_reset", utcnow())
    live = select(func.count()).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    detail = {"password": "reset", "sessions_ended": ended, "tokens_live": session.scalar(live)}
    record(session, actor, "update", "user", username, detail)
    return ended


def authenticate_password(session: Session, username: str, password: str) -> User:
    """The user, or ``Unauthorized`` with one message whatever was wrong.

    An unknown, disabled or password-less account is checked against a decoy
    hash, so the answer takes as long as for a wrong password.
    """
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.active else None
    if not _verify(stored, password) or user is None:
        raise Unauthorized("wrong user name or password", code="auth.bad_credentials")
    return user
