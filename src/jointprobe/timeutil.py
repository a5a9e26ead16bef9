"""Time helpers: one clock for the node, timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(ts: datetime, *, timespec: Literal["milliseconds", "microseconds"] = "microseconds") -> str:
    """ISO 8601 (RFC 3339) in UTC with a ``Z``; a naive time is taken as UTC.

    The one time formatter: the audit log keeps microseconds, the exchange wire
    milliseconds (``exchange.wire.format_time``, docs/protocol.md).
    """
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
