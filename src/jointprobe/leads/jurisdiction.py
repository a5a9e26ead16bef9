"""Where a person on a seized list is: a country, and a region (a US state, a Chinese
province) where a rule finds one.

One function per rule, tried in this order; the first that answers decides and
is named in :attr:`Jurisdiction.rule`:

country
    1. the list's country column (ISO code or name, as FtM's country type reads it);
    2. the last comma-separated part of the address (``…, USA``, ``…, Germany``);
    3. a Chinese province in the address (the province rule below: it implies China,
       or Hong Kong, Macao or Taiwan);
    4. the phone number's country code (``+1 212…`` → US), a fallback only;
    5. a US state found by the state rules below (the state implies the US).
state (people in the US, or whose country is still unknown)
    1. the list's state column (two letters, or the name: ``New York``);
    2. a two-letter state code in the address (``NY, USA``; :func:`state_of`).
province (people in China)
    a province-level name in the address, hanzi or pinyin
    (:func:`jointprobe.leads.provinces.province_in`): ``CN-HE`` for 河北省 or Hebei.
    Hong Kong, Macao and Taiwan are jurisdictions of their own (``HK``, ``MO``,
    ``TW``, their ISO 3166-1 codes, as the country column or a ``+852`` phone number
    would say): a person whose address names 香港 is placed in HK even where the
    country column says China, and so is never sent to a mainland department.

A person no rule places gets ``country=None`` and a reason, and goes to the
default queue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import phonenumbers

from jointprobe.entities.normalise import normalise_country
from jointprobe.errors import InvalidSelector
from jointprobe.leads.listread import ListRow
from jointprobe.leads.provinces import SEPARATE, province_in

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
_STATE = re.compile(r"\b([A-Z]{2})\b")


def property_values(props: dict[str, Any], name: str) -> list[str]:
    """An FtM property's values as texts (one value or a list)."""
    value = props.get(name) or []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def state_of(props: dict[str, Any], known: Iterable[str] = ()) -> str | None:
    """The US state a Person's address names: a known code first, else any two capitals."""
    known_set = set(known)
    found: list[str] = []
    for address in property_values(props, "address"):
        text = re.sub(r"\bUSA?\b", " ", address)
        found += _STATE.findall(text)
    for code in found:
        if code in known_set:
            return code
    return found[0] if found else None


@dataclass(frozen=True)
class Jurisdiction:
    country: str | None  # lower-case ISO 3166 alpha-2
    #: the region's ISO 3166-2 code without the country: a USPS code (NY), a province (HE)
    region: str | None
    rule: str  # which rule decided (or why none did)

    @property
    def state(self) -> str | None:
        """The region, for a person in the US (its USPS code)."""
        return self.region if self.country == "us" else None

    @property
    def label(self) -> str:
        if self.country is None:
            return "none"
        code = self.country.upper()
        return f"{code}-{self.region}" if self.region else code


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


def province_from_address(row: ListRow) -> tuple[str, str] | None:
    """The province-level code (``HE``; ``HK``, ``MO``, ``TW`` too) an address names."""
    for address in row.properties.get("address", []):
        found = province_in(address)
        if found:
            return found[0], f"province in the address ({found[1]!r})"
    return None


def _country_of_province(province: tuple[str, str] | None) -> tuple[str, str] | None:
    if province is None:
        return None
    return SEPARATE.get(province[0], "cn"), province[1]


def _chinese(country: tuple[str, str], province: tuple[str, str] | None) -> Jurisdiction:
    """A person in China, Hong Kong, Macao or Taiwan: the province decides which."""
    if province is None or country[0] not in ("cn", SEPARATE.get(province[0], "cn")):
        return Jurisdiction(country[0], None, country[1])
    rules = country[1] if country[1] == province[1] else f"{country[1]}; {province[1]}"
    if province[0] in SEPARATE:
        why = "a jurisdiction of its own, not a mainland province"
        return Jurisdiction(SEPARATE[province[0]], None, f"{rules} ({why})")
    return Jurisdiction("cn", province[0], rules)


def decide(row: ListRow, *, phone_region: str | None = None) -> Jurisdiction:
    """The person's jurisdiction and the rule that decided it."""
    province = province_from_address(row)
    country = (
        country_from_column(row)
        or country_from_address(row)
        or _country_of_province(province)
        or country_from_phone(row, phone_region)
    )
    if country is not None and country[0].startswith("cn-"):  # FtM reads Tibet as cn-xz
        province = province or (country[0][3:].upper(), country[1])
        country = ("cn", country[1])
    if country is not None and country[0] in ("cn", *SEPARATE.values()):
        return _chinese(country, province)
    if country is not None and country[0] != "us":
        return Jurisdiction(country[0], None, country[1])
    state = state_from_column(row) or state_from_address(row)
    if country is None and state is None:
        return Jurisdiction(
            None, None,
            "no country or state column value, no country, Chinese province or US state in the "
            "address, "
            "no phone number with a country code",
        )  # fmt: skip
    rules = [r for r in (country and country[1], state and f"{state[1]}") if r]
    return Jurisdiction("us", state[0] if state else None, "; ".join(rules))


__all__ = ["STATE_CODES", "Jurisdiction", "decide", "property_values", "state_of"]
