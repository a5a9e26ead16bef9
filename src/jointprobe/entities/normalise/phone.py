"""Phone numbers to E.164 (``+8631112345678``).

The region is never guessed: a number without a leading ``+`` (or ``00``)
needs the caller's default region, e.g. the country of the agency that
recorded it.

:func:`valid_e164` answers for a number already written as ``+`` and digits,
the shape imports mostly carry, without ``phonenumbers.parse``: it takes
the country code the way ``parse`` does and tests the rest the way
``phonenumbers.is_valid_number`` does (same region choice, same patterns
and lengths, from phonenumbers' own metadata), with each region's number
type patterns joined into one regular expression per length. It steps
aside (returns ``UNSURE``) wherever ``parse`` would do more: a leading
zero, a national prefix that ``parse`` might strip, an unknown country
code, a length out of range. A test checks it against the full path on
every region's example numbers and on random numbers; 2.7 µs against FtM's
35 µs per number.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

import phonenumbers
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    PhoneMetadata,
    PhoneNumberDesc,
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
    return text if _valid(country_code, rest) else None


_TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail", "fixed_line", "mobile")  # fmt: skip


def _valid(country_code: int, national: str) -> bool:
    """``phonenumbers.is_valid_number`` for a number given as country code and national digits.

    The same region choice (a country code shared by several regions is resolved by
    leading digits, else by the first region the number is valid in) and the same
    test: the general pattern and one number type's pattern, each with its lengths.
    """
    regions = COUNTRY_CODE_TO_REGION_CODE[country_code]
    if len(regions) == 1:
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, regions[0])
        return metadata is not None and _matches(metadata, national)
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is None:
            continue
        if metadata.leading_digits is not None:
            if _leading(metadata.leading_digits).match(national):
                return _matches(metadata, national)
        elif _matches(metadata, national):
            return True
    return False


@cache
def _leading(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(metadata: PhoneMetadata, national: str) -> bool:
    general, by_type = _patterns(metadata.id, metadata.country_code, len(national))
    return (
        general is not None
        and general.fullmatch(national) is not None
        and by_type is not None
        and by_type.fullmatch(national) is not None
    )


@cache
def _patterns(
    region: str, country_code: int, length: int
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The general pattern and the union of the number types' patterns for numbers of
    ``length`` digits (None where no pattern admits that length)."""
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    assert metadata is not None

    def admits(desc: PhoneNumberDesc | None) -> str | None:
        if desc is None or not desc.national_number_pattern:
            return None
        if desc.possible_length and length not in desc.possible_length:
            return None
        return str(desc.national_number_pattern)

    general = admits(metadata.general_desc)
    kinds = [
        k for k in _TYPES if not (k == "mobile" and metadata.same_mobile_and_fixed_line_pattern)
    ]
    found = [p for p in (admits(getattr(metadata, kind)) for kind in kinds) if p is not None]
    union = "|".join(f"(?:{p})" for p in found)
    return (
        None if general is None else re.compile(general),
        re.compile(union) if found else None,
    )


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
