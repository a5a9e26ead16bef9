"""Phone numbers to E.164 (``+8631112345678``).

The region is never guessed: a number without a leading ``+`` (or ``00``)
needs the caller's default region, e.g. the country of the agency that
recorded it.
"""

from __future__ import annotations

import re

import phonenumbers

from jointprobe.errors import InvalidSelector

_SEPARATORS = re.compile(r"[\s\-\.\(\)/]+")


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
