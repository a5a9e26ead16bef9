"""UPU S10 item identifiers (``EA123456789CN``).

Two service letters, an 8-digit serial, a check digit and the ISO country
code of the issuing post. The check digit weighs the serial 8 6 4 2 3 5 9 7;
it is ``11 - sum mod 11``, with 10 written as 0 and 11 as 5.
"""

from __future__ import annotations

import re

from jointprobe.errors import InvalidSelector

_S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)([A-Z]{2})$")
_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """Return the S10 check digit of an 8-digit serial number."""
    total = sum(int(d) * w for d, w in zip(serial, _WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def normalise_parcel(raw: str, *, where: str = "parcel") -> str:
    """Return the upper-case S10 number without spaces, check digit verified."""
    text = re.sub(r"[\s\-]", "", raw).upper()
    if not text:
        raise InvalidSelector("empty parcel number", where=where)
    match = _S10.match(text)
    if not match:
        raise InvalidSelector(
            f"{raw!r} is not a UPU S10 number (two letters, 9 digits, two letters)",
            where=where,
        )
    serial, check = match.group(2), int(match.group(3))
    expected = s10_check_digit(serial)
    if check != expected:
        raise InvalidSelector(
            f"{raw!r}: check digit is {check}, the serial {serial} needs {expected}",
            where=where,
        )
    return text
