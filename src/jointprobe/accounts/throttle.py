"""Throttling of failed web sign-ins, per user name and per client address.

Failures are rows in the node store (``signin_failures``), so every process
serving the node counts the same ones and a restart forgets nothing. Once a
name (or an address) has ``max_failures`` failures within the window, its
sign-ins are refused with ``SignInThrottled`` (HTTP 429) — before the password
is checked, so the right password does not help — until the oldest of those
failures leaves the window (a sliding window).

The name is counted as typed (trimmed, lower-cased), whether or not such an
account exists, and the refusal reads the same either way: the limit reveals
nothing about which accounts exist. Keys are stored only as hashes. A
successful sign-in clears its name's failures, not its address's (else one
good account would reset the count of an address guessing others').
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.config import Settings
from jointprobe.errors import JointprobeError
from jointprobe.store.tables import SignInFailure
from jointprobe.timeutil import as_utc

PURPOSE = "jointprobe-signin-throttle:"


class SignInThrottled(JointprobeError):
    """Too many failed sign-ins for this name or from this address."""

    code = "auth.throttled"
    status = 429
    exit_code = 5

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many failed sign-ins. Try again in {minutes} {unit}.")
        self.retry_after = retry_after


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = 5
    max_failures_per_address: int = 20  # 0: no per-address limit
    window: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            max_failures=settings.signin_max_failures,
            max_failures_per_address=settings.signin_max_failures_per_address,
            window=timedelta(seconds=settings.signin_failure_window_seconds),
        )

    def limits(self, username: str, address: str) -> list[tuple[str, str, int]]:
        """(scope, key hash, limit) for each limit that applies."""
        out = [("account", _key("account", username.strip().lower()), self.max_failures)]
        if self.max_failures_per_address > 0:
            out.append(("address", _key("address", address), self.max_failures_per_address))
        return out


def _key(scope: str, value: str) -> str:
    return hashlib.sha256(f"{PURPOSE}{scope}:{value}".encode()).hexdigest()


def _recent(
    session: Session, key_hash: str, window: timedelta, now: datetime, most: int
) -> list[datetime]:
    """Up to ``most`` failures of a key within the window, newest first."""
    rows = session.scalars(
        select(SignInFailure.failed_at)
        .where(SignInFailure.key_hash == key_hash, SignInFailure.failed_at > now - window)
        .order_by(SignInFailure.failed_at.desc())
        .limit(most)
    )
    return [as_utc(at) for at in rows]


def _lock_ends(
    session: Session, key_hash: str, limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """When the key falls below its limit again, or None when it is below it now."""
    recent = _recent(session, key_hash, window, now, limit)
    return recent[-1] + window if len(recent) >= limit else None


def check_signin_allowed(
    session: Session, policy: ThrottlePolicy, username: str, address: str, now: datetime
) -> None:
    """Raise ``SignInThrottled`` when the name or the address is over its limit."""
    ends = [
        end
        for _scope, key, limit in policy.limits(username, address)
        if (end := _lock_ends(session, key, limit, policy.window, now)) is not None
    ]
    if ends:
        raise SignInThrottled(max(1, math.ceil((max(ends) - now).total_seconds())))


def record_failure(
    session: Session, policy: ThrottlePolicy, username: str, address: str, now: datetime
) -> list[str]:
    """Count one failure; returns the scopes ("account", "address") this failure locked."""
    session.execute(delete(SignInFailure).where(SignInFailure.failed_at <= now - policy.window))
    locked = []
    for scope, key, limit in policy.limits(username, address):
        session.add(SignInFailure(scope=scope, key_hash=key, failed_at=now))
        session.flush()
        if len(_recent(session, key, policy.window, now, limit + 1)) == limit:
            locked.append(scope)
    return locked


def withdraw_failure(session: Session, policy: ThrottlePolicy, address: str, now: datetime) -> None:
    """Take back the address's failure counted at ``now`` for an attempt that succeeded."""
    limits = [key for scope, key, _limit in policy.limits("", address) if scope == "address"]
    for key in limits:
        row = session.scalar(
            select(SignInFailure.id)
            .where(SignInFailure.key_hash == key, SignInFailure.failed_at == now)
            .limit(1)
        )
        if row is not None:
            session.execute(delete(SignInFailure).where(SignInFailure.id == row))


def clear_failures(session: Session, username: str) -> int:
    """Forget a name's failures (after a successful sign-in, or by an operator)."""
    key = _key("account", username.strip().lower())
    result = session.execute(delete(SignInFailure).where(SignInFailure.key_hash == key))
    return int(getattr(result, "rowcount", 0))


def unlock(session: Session, username: str, actor: str = "system") -> int:
    """An operator lifts a name's sign-in limit before its window has passed (audited)."""
    cleared = clear_failures(session, username)
    record(
        session,
        actor,
        "signin_unlocked",
        "web_session",
        "-",
        {"user": username, "cleared": cleared},
    )
    return cleared


__all__ = [
    "SignInThrottled",
    "ThrottlePolicy",
    "check_signin_allowed",
    "clear_failures",
    "record_failure",
    "withdraw_failure",
    "unlock",
]
