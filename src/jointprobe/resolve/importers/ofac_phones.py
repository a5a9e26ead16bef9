"""Phone numbers as OFAC's remarks write them, to E.164.

The list writes the same kind of number many ways: ``Phone Number
8618233039691`` (country code, no ``+``), ``Telephone (98)(21)(23802230)``
(country code in brackets), ``Telephone: 0097282851500`` (international
prefix ``00``), ``Telephone +31 010-4951863`` (national trunk ``0`` kept after
the country code), ``Fax No. (218) (0)214778766``. A number is only turned
into E.164 when it has a country code and the result is a valid number for
it; one written in national form (``(022) 7363030``, no country) is left
alone: the region is never guessed.
"""

from __future__ import annotations

import re

import phonenumbers

_TRUNK = re.compile(r"\(0\)")
_NON_DIGIT = re.compile(r"[^\d+]")


def _valid(candidate: str) -> str | None:
    try:
        parsed = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def remark_phone(text: str) -> str | None:
    """The E.164 form of a remark's phone number, or None when it has no country code."""
    raw = _TRUNK.sub("", text.strip().rstrip("."))
    plus = raw.lstrip().startswith("+") or raw.lstrip().startswith("(+")
    digits = _NON_DIGIT.sub("", raw).lstrip("+")
    if not digits:
        return None
    if plus:
        return _valid("+" + digits) or _drop_trunk(digits)
    if digits.startswith("00"):
        return _valid("+" + digits[2:]) or _drop_trunk(digits[2:])
    if digits.startswith("0"):
        return None  # national form: no country code to go by
    return _valid("+" + digits) or _drop_trunk(digits)


def _drop_trunk(digits: str) -> str | None:
    """``+31 010-4951863``: the national ``0`` written after the country code."""
    for length in (1, 2, 3):
        code, rest = digits[:length], digits[length:]
        if rest.startswith("0") and int(code) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            found = _valid(f"+{code}{rest[1:]}")
            if found:
                return found
    return None
