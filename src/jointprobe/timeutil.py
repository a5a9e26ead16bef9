"""Time helpers: one clock for the node, timezone-aware UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

Clock = Callable[[], datetime]
"""Where "now" comes from; tests pass a fake one instead of sleeping."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(ts: datetime) -> datetime:
    """``ts`` as aware UTC; naive values (SQLite reads them back so) are taken as UTC."""
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def iso(ts: datetime, *, timespec: Literal["milliseconds", "microseconds"] = "microseconds") -> str:
    """ISO 8601 (RFC 3339) in UTC with a ``Z``; a naive time is taken as UTC.

    The one time formatter: the audit log keeps microseconds, the exchange wire
    milliseconds (``exchange.wire.format_time``, docs/protocol.md).
    """
    return as_utc(ts).isoformat(timespec=timespec).replace("+00:00", "Z")
