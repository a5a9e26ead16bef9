"""An order to screen: pydantic at the edge (:class:`OrderIn`), a small dataclass inside.

Parties carry a name, a country (ISO 3166 alpha-2), an address, the kind of
address when the seller knows it (commercial / residential / shared /
virtual) and, for the buyer, the trade it says it is in. The substance is
given by name, CAS number or structure (any one is enough).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ADDRESS_KINDS = ("commercial", "industrial", "residential", "shared", "virtual", "unknown")
PAYMENT_METHODS = (
    "bank_transfer",
    "letter_of_credit",
    "card",
    "virtual_currency",
    "cash",
    "money_transfer",
    "other",
)
SPEEDS = ("standard", "express", "urgent", "premium")
UNITS = {
    "mg": ("kg", Decimal("0.000001")),
    "g": ("kg", Decimal("0.001")),
    "kg": ("kg", Decimal(1)),
    "t": ("kg", Decimal(1000)),
    "ml": ("l", Decimal("0.001")),
    "l": ("l", Decimal(1)),
    "m3": ("l", Decimal(1000)),
}
_CAS = re.compile(r"^\d{2,7}-\d{2}-\d$")
_COUNTRY = r"^[A-Za-z]{2}$"
_Short = Field(default=None, max_length=300)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class PartyIn(_Strict):
    name: str = Field(min_length=1, max_length=300)
    country: str | None = Field(default=None, pattern=_COUNTRY)
    address: str | None = Field(default=None, max_length=500)
    address_kind: Literal[ADDRESS_KINDS] | None = None  # type: ignore[valid-type]
    trade: str | None = _Short

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class SubstanceIn(_Strict):
    name: str | None = _Short
    cas: str | None = Field(default=None, max_length=20)
    smiles: str | None = Field(default=None, max_length=2000)

    @field_validator("cas")
    @classmethod
    def _cas(cls, value: str | None) -> str | None:
        if value and not cas_is_valid(value):
            raise ValueError(f"{value!r} is not a CAS registry number (NNNNNNN-NN-N, check digit)")
        return value or None


class OrderIn(_Strict):
    """One order as a compliance officer has it; every field but buyer and substance optional."""

    order_id: str | None = Field(default=None, max_length=100)
    customer_id: str | None = Field(default=None, max_length=100)
    order_date: date
    buyer: PartyIn
    consignee: PartyIn | None = None
    end_user: PartyIn | None = None
    freight_forwarder: PartyIn | None = None
    bank: PartyIn | None = None
    payer: PartyIn | None = None
    payment_method: Literal[PAYMENT_METHODS] | None = None  # type: ignore[valid-type]
    payment_wallet: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)
    email: str | None = Field(default=None, max_length=320)
    website: str | None = Field(default=None, max_length=500)
    substance: SubstanceIn
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=6)
    unit: str
    shipping_mode: str | None = Field(default=None, max_length=50)
    shipping_speed: Literal[SPEEDS] | None = None  # type: ignore[valid-type]
    destination_country: str | None = Field(default=None, pattern=_COUNTRY)
    transit_countries: tuple[str, ...] = Field(default=(), max_length=20)
    route_reason: str | None = Field(default=None, max_length=500)
    end_use: str | None = Field(default=None, max_length=1000)

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        unit = value.strip().lower()
        if unit not in UNITS:
            raise ValueError(f"unit {value!r} is not one of {', '.join(UNITS)}")
        return unit

    @field_validator("transit_countries", mode="before")
    @classmethod
    def _countries(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in re.split(r"[;,\s]+", value) if part]
        if isinstance(value, list | tuple):
            for item in value:
                if not isinstance(item, str) or not re.match(_COUNTRY, item):
                    raise ValueError(f"{item!r} is not a two-letter country code")
            return tuple(item.upper() for item in value)
        return value

    @field_validator("destination_country")
    @classmethod
    def _dest(cls, value: str | None) -> str | None:
        return value.upper() if value else value


def cas_is_valid(cas: str) -> bool:
    """A CAS registry number of the right shape whose check digit agrees."""
    if not _CAS.match(cas):
        return False
    digits = cas.replace("-", "")
    body, check = digits[:-1], int(digits[-1])
    return sum(int(d) * i for i, d in enumerate(reversed(body), start=1)) % 10 == check


@dataclass(frozen=True, slots=True)
class Party:
    role: str  # buyer | consignee | end_user | freight_forwarder | bank | payer
    name: str
    country: str | None = None
    address: str | None = None
    address_kind: str | None = None
    trade: str | None = None


PARTY_ROLES = ("buyer", "consignee", "end_user", "freight_forwarder", "bank", "payer")


@dataclass(frozen=True, slots=True)
class Order:
    """The order inside: plain fields, quantity in a base unit (kg or l) beside the stated one."""

    data: OrderIn
    parties: tuple[Party, ...]
    base_quantity: Decimal
    base_unit: str  # kg | l

    @property
    def buyer(self) -> Party:
        return self.parties[0]

    def party(self, role: str) -> Party | None:
        return next((p for p in self.parties if p.role == role), None)


def to_order(data: OrderIn) -> Order:
    parties = tuple(
        Party(role, p.name, p.country, p.address, p.address_kind, p.trade)
        for role in PARTY_ROLES
        if (p := getattr(data, role)) is not None
    )
    base_unit, factor = UNITS[data.unit]
    return Order(data, parties, data.quantity * factor, base_unit)
