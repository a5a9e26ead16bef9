"""Where a person on a seized list is: a country, and a US state for people in the US.

One function per rule, tried in this order; the first that answers decides and
is named in :attr:`Jurisdiction.rule`:

country
    1. the list's country column (ISO code or name, as FtM's country type reads it);
    2. the last comma-separated part of the address (``…, USA``, ``…, Germany``);
    3. the phone number's country code (``+1 212…`` → US), a fallback only;
    4. a US state found by the state rules below (the state implies the US).
state (people in the US, or whose country is still unknown)
    1. the list's state column (two letters, or the name: ``New York``);
    2. a two-letter state code in the address (``NY, USA``; :func:`leads.routing.state_of`).

A person no rule places gets ``country=None`` and a reason, and goes to the
default queue.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from jointprobe.entities.normalise import normalise_country
from jointprobe.errors import InvalidSelector
from jointprobe.leads.listread import ListRow
from jointprobe.leads.routing import state_of

_NAMES = (
    "AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|CT Connecticut|"
    "DE Delaware|DC District of Columbia|FL Florida|GA Georgia|HI Hawaii|ID Idaho|IL Illinois|"
    "IN Indiana|IA Iowa|KS Kansas|KY Kentucky|LA Louisiana|ME Maine|MD Maryland|"
    "MA Massachusetts|MI Michigan|MN Minnesota|MS Mississippi|MO Missouri|MT Montana|"
    "NE Nebraska|NV Nevada|NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|"
    "NC North Carolina|ND North Dakota|OH Ohio|OK Oklahoma|OR Oregon|PA Pennsylvania|"
    "RI Rhode Island|SC South Carolina|SD South Dakota|TN Tennessee|TX Texas|UT Utah|"
    "VT Vermont|VA Virginia|WA Washington|WV West Virginia|WI Wisconsin|WY Wyoming|"
    "PR Puerto Rico|GU Guam|VI U.S. Virgin Islands|AS American Samoa|MP Northern Mariana Islands"
)
#: US state and territory names (lower case) -> USPS code
STATE_CODES = {
    name.lower(): code for code, _, name in (p.partition(" ") for p in _NAMES.split("|"))
}


@dataclass(frozen=True)
class Jurisdiction:
    country: str | None  # lower-case ISO 3166 alpha-2
    state: str | None  # USPS code, for the US
    rule: str  # which rule decided (or why none did)

    @property
    def label(self) -> str:
        if self.country is None:
            return "none"
        return f"US-{self.state}" if self.country == "us" and self.state else self.country.upper()


def _country(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return normalise_country(text)
    except InvalidSelector:
        return None


def country_from_column(row: ListRow) -> tuple[str, str] | None:
    code = _country(row.country)
    return (code, f"country column ({row.country!r})") if code else None


def country_from_address(row: ListRow) -> tuple[str, str] | None:
    for address in row.properties.get("address", []):
        last = address.rsplit(",", 1)[-1].strip()
        code = _country(last)
        if code:
            return code, f"address ({last!r})"
    return None


def country_from_phone(row: ListRow, region: str | None) -> tuple[str, str] | None:
    """The country the phone number's country code (and area code, for +1) belongs to."""
    for phone in row.properties.get("phone", []):
        try:
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            continue
        found = phonenumbers.region_code_for_number(number)
        if found and found != "ZZ":
            return found.lower(), f"phone {phone} (+{number.country_code} → {found}; fallback)"
    return None


def state_from_column(row: ListRow) -> tuple[str, str] | None:
    """The state column as a USPS code; an unknown value is kept upper-cased for the
    routing table to report (it sends it to the default queue saying so)."""
    if not row.state:
        return None
    text = row.state.strip()
    code = STATE_CODES.get(text.lower()) or text.upper()
    return code, f"state column ({row.state!r})"


def state_from_address(row: ListRow) -> tuple[str, str] | None:
    code = state_of(row.properties, STATE_CODES.values())
    return (code, "US state in the address") if code else None


def decide(row: ListRow, *, phone_region: str | None = None) -> Jurisdiction:
    """The person's jurisdiction and the rule that decided it."""
    country = (
        country_from_column(row)
        or country_from_address(row)
        or country_from_phone(row, phone_region)
    )
    if country is not None and country[0] != "us":
        return Jurisdiction(country[0], None, country[1])
    state = state_from_column(row) or state_from_address(row)
    if country is None and state is None:
        return Jurisdiction(
            None, None,
            "no country or state column value, no country or US state in the address, "
            "no phone number with a country code",
        )  # fmt: skip
    rules = [r for r in (country and country[1], state and f"{state[1]}") if r]
    return Jurisdiction("us", state[0] if state else None, "; ".join(rules))


__all__ = ["STATE_CODES", "Jurisdiction", "decide"]
