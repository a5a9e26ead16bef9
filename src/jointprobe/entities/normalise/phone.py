"""Phone numbers to E.164 (``+8631112345678``).

The region is never guessed: a number without a leading ``+`` (or ``00``)
needs the caller's default region, e.g. the country of the agency that
recorded it.

:func:`valid_e164` answers for a number already written as ``+`` and digits,
the shape imports mostly carry, without ``phonenumbers.parse``: it takes
the country code the way ``parse`` does and hands the rest to
``phonenumbers.is_valid_number``. It steps aside (returns ``UNSURE``)
wherever ``parse`` would do more than that: a leading zero, a national
prefix that ``parse`` might strip, an unknown country code, a length out of
range. A test checks it against the full path on every region's example
numbers and on random numbers.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    PhoneMetadata,
    PhoneNumber,
    region_code_for_country_code,
)

from jointprobe.errors import InvalidSelector

_SEPARATORS = re.compile(r"[\s\-\.\(\)/]+")
_PLUS_DIGITS = re.compile(r"\+[1-9][0-9]{2,16}")
UNSURE: Final = "?"


@cache
def _national_prefix(country_code: int) -> re.Pattern[str] | None:
    region = region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    pattern = None if metadata is None else metadata.national_prefix_for_parsing
    return re.compile(pattern) if pattern else None


def valid_e164(text: str) -> str | None:
    """``text`` (``+`` and digits) as E.164 if valid, None if not, ``UNSURE`` to ask ``parse``."""
    if _PLUS_DIGITS.fullmatch(text) is None:
        return UNSURE
    digits = text[1:]
    for length in (1, 2, 3):
        country_code = int(digits[:length])
        if country_code in COUNTRY_CODE_TO_REGION_CODE:
            rest = digits[length:]
            break
    else:
        return UNSURE
    if len(rest) < 2 or rest[0] == "0":
        return UNSURE
    prefix = _national_prefix(country_code)
    if prefix is not None and prefix.match(rest):
        return UNSURE
    number = PhoneNumber(country_code=country_code, national_number=int(rest))
    return text if phonenumbers.is_valid_number(number) else None


def normalise_phone(raw: str, region: str | None = None, *, where: str = "phone") -> str:
    """Return ``raw`` as an E.164 number or raise :class:`InvalidSelector`.

    ``region`` is an ISO 3166 alpha-2 code (``"CN"``, ``"US"``) used only for
    numbers written in national form.
    """
    text = raw.strip()
    if not text:
        raise InvalidSelector("empty phone number", where=where)
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+") and region is None:
        raise InvalidSelector(
            f"{raw!r} has no country code; give a default region (e.g. --region CN)",
            where=where,
        )
    region_code = region.upper() if region else None
    if region_code is not None and region_code not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidSelector(f"unknown phone region {region!r}", where=where)
    try:
        parsed = phonenumbers.parse(compact, region_code)
    except phonenumbers.NumberParseException as exc:
        raise InvalidSelector(f"{raw!r} is not a phone number: {exc}", where=where) from exc
    if not phonenumbers.is_valid_number(parsed):
        reason = _invalid_reason(parsed)
        raise InvalidSelector(f"{raw!r} is not a valid phone number: {reason}", where=where)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _invalid_reason(parsed: phonenumbers.PhoneNumber) -> str:
    result = phonenumbers.is_possible_number_with_reason(parsed)
    reasons = {
        phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
        phonenumbers.ValidationResult.TOO_SHORT: "too short",
        phonenumbers.ValidationResult.TOO_LONG: "too long",
        phonenumbers.ValidationResult.INVALID_LENGTH: "wrong length for its country",
    }
    region = phonenumbers.region_code_for_number(parsed) or "its country"
    return reasons.get(result, f"no such number range in {region}")
