"""Passport numbers, always tied to the issuing country (``cn:G31920875``).

The same number in two countries is two documents, so a passport selector
without a country is refused.
"""

from __future__ import annotations

import re

from followthemoney import registry

from jointprobe.errors import InvalidSelector

_ALNUM = re.compile(r"^[A-Z0-9]{5,20}$")


def normalise_country(raw: str, *, where: str = "country") -> str:
    """Return the lower-case ISO 3166 alpha-2 code of a country name or code."""
    code = registry.country.clean(raw.strip()) if raw and raw.strip() else None
    if code is None:
        raise InvalidSelector(f"unknown country {raw!r}", where=where)
    return code


def normalise_passport(raw: str, country: str | None, *, where: str = "passport") -> str:
    """Return ``country:NUMBER`` with spaces, dashes and dots removed."""
    if not country:
        raise InvalidSelector(
            f"passport {raw!r} needs its issuing country (e.g. 'CN' or 'China')", where=where
        )
    code = normalise_country(country, where=where)
    number = re.sub(r"[\s\-\.]", "", raw).upper()
    if number.startswith("NO") and len(number) > 7 and number[2:3].isdigit():
        number = number[2:]
    if not _ALNUM.match(number):
        raise InvalidSelector(
            f"{raw!r} is not a passport number (5 to 20 letters and digits)", where=where
        )
    return f"{code}:{number}"
