"""Dates as ISO 8601 text, so that ``1967/03/05`` and ``1967-03-05`` are the same date.

:func:`normalise_date` reads the forms found in records and reporting and
returns ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` for a partial date (kept
partial: a year of birth is not a first of January). It never guesses:

- year first (``1967-03-05``, ``1967/3/5``, ``1967.03.05``, ``19670305``,
  ``1967-03``, ``1967``) is read as year, month, day;
- day and month first (``05/03/1967``) is read only when the order is known:
  given by the caller (``order="dmy"`` or ``"mdy"``, e.g. from an import's
  mapping) or forced by the numbers (``25/03/1967`` can only be day-first).
  Otherwise :class:`AmbiguousDate` is raised naming both readings;
- a date and time in ISO form gives its date;
- month names (``5 March 1967``, ``05-MAR-1967``, ``March 5, 1967``,
  ``Mar 1967``) in English.

Anything else, and impossible dates (``1967-02-30``), raise :class:`InvalidDate`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from jointprobe.errors import InvalidInput

DateOrder = Literal["dmy", "mdy"]
DATE_ORDERS: tuple[DateOrder, ...] = ("dmy", "mdy")

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        )  # fmt: skip
    )
    for name in names.split()
}
_YMD = re.compile(r"(\d{4})(?:([-/. ])(\d{1,2})(?:\2(\d{1,2}))?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_XY_YEAR = re.compile(r"(\d{1,2})([-/. ])(\d{1,2})\2(\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/. ](\d{4})")
_D_MON_Y = re.compile(r"(\d{1,2})[-/. ]+([A-Za-z]+)\.?[-/., ]+(\d{4})")
_MON_D_Y = re.compile(r"([A-Za-z]+)\.? +(\d{1,2}),? +(\d{4})")
_MON_Y = re.compile(r"([A-Za-z]+)\.?[-/ ]+(\d{4})")
_ISO = re.compile(
    r"\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?"
)


class InvalidDate(InvalidInput):
    code = "date.invalid"


class AmbiguousDate(InvalidDate):
    code = "date.ambiguous"


def is_iso(value: str) -> bool:
    """Already ISO 8601 (a date, a partial date or a date and time, zero-padded)."""
    return _ISO.fullmatch(value.strip()) is not None


def normalise_date(value: str, *, order: DateOrder | None = None) -> str:
    """``value`` as ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; see the module docstring."""
    text = value.strip()
    if len(text) > 10 and _ISO.fullmatch(text):  # a date and time: the date
        text = text[:10]
    if m := _YMD.fullmatch(text):
        return _iso(text, int(m[1]), _int(m[3]), _int(m[4]))
    if m := _COMPACT.fullmatch(text):
        return _iso(text, int(m[1]), int(m[2]), int(m[3]))
    if m := _XY_YEAR.fullmatch(text):
        return _day_month_year(text, int(m[1]), int(m[3]), int(m[4]), order)
    if m := _MONTH_YEAR.fullmatch(text):
        return _iso(text, int(m[2]), int(m[1]), None)
    if m := _D_MON_Y.fullmatch(text):
        return _iso(text, int(m[3]), _month(text, m[2]), int(m[1]))
    if m := _MON_D_Y.fullmatch(text):
        return _iso(text, int(m[3]), _month(text, m[1]), int(m[2]))
    if m := _MON_Y.fullmatch(text):
        return _iso(text, int(m[2]), _month(text, m[1]), None)
    raise InvalidDate(f"not a date: {value!r} (write it as YYYY-MM-DD, YYYY-MM or YYYY)")


def date_or_none(value: object, *, order: DateOrder | None = None) -> str | None:
    """:func:`normalise_date` for comparison columns: None for a missing or unreadable value."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return normalise_date(value, order=order)
    except InvalidDate:
        return None


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


def _month(text: str, name: str) -> int:
    month = _MONTHS.get(name.lower())
    if month is None:
        raise InvalidDate(f"not a date: {text!r} (unknown month {name!r})")
    return month


def _day_month_year(text: str, first: int, second: int, year: int, order: DateOrder | None) -> str:
    if order is None:
        if first > 12 >= second:
            order = "dmy"
        elif second > 12 >= first:
            order = "mdy"
        elif first == second:
            order = "dmy"  # both readings are the same date
        else:
            day_first = _iso(text, year, second, first)
            month_first = _iso(text, year, first, second)
            raise AmbiguousDate(
                f"ambiguous date {text!r}: {day_first} if day-first, {month_first} if "
                "month-first; give the order (dmy or mdy) or write it as YYYY-MM-DD"
            )
    day, month = (first, second) if order == "dmy" else (second, first)
    return _iso(text, year, month, day)


def _iso(text: str, year: int, month: int | None, day: int | None) -> str:
    try:
        if month is None:
            date(year, 1, 1)
            return f"{year:04d}"
        if day is None:
            date(year, month, 1)
            return f"{year:04d}-{month:02d}"
        return date(year, month, day).isoformat()
    except ValueError as exc:
        raise InvalidDate(f"not a date: {text!r} ({exc})") from None
