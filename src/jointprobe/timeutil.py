"""Time helpers: one clock for the node, timezone-aware UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    SerializerFunctionWrapHandler,
    WrapSerializer,
)

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


def _in_utc(ts: datetime) -> datetime:
    """:func:`as_utc` for input: a time whose UTC form leaves years 1–9999 is refused."""
    try:
        return as_utc(ts)
    except OverflowError:
        raise ValueError("the time in UTC falls outside the years 1 to 9999") from None


def _utc_json(value: datetime, handler: SerializerFunctionWrapHandler) -> Any:
    return handler(as_utc(value))


def _not_a_number(value: Any) -> Any:
    """A time or date is written as text: pydantic would read a number as a Unix time."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a time or date is written as RFC 3339 text, not a number")
    return value


UtcDatetime = Annotated[
    datetime,
    BeforeValidator(_not_a_number),
    AfterValidator(_in_utc),
    WrapSerializer(_utc_json, when_used="json"),
]
"""The one rule for a time at a boundary (API models, forms): read in UTC (a time
without an offset is taken as UTC, as SQLite gives stored times back) and written
as RFC 3339 with ``Z``, also when a model was built without validation."""


Day = Annotated[date, BeforeValidator(_not_a_number)]
"""A calendar date at a boundary, written ``YYYY-MM-DD``."""
