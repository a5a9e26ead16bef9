"""Selectors read off an entity for the instant-hit index.

A selector is (kind, normalised value), written by the jointprobe.entities.normalise
normalisers so that a query normalised the same way meets it in the
``(kind, value)`` index:

========== ===================================================== =====================
kind       from                                                  value
========== ===================================================== =====================
phone      phone properties (only numbers with a country code)   ``+8613812345678``
email      email properties                                      ``user@host.tld``
domain     url properties; e-mail domains but mail providers' ``globalrc.net``
url        url properties                                        ``globalrc.net/shop``
wallet     CryptoWallet ``publicKey``/``cryptoAddress``          checksummed address
passport   Passport ``number`` with ``country``                  ``cn:G31920875``
name       names of people (name, alias, previousName)           ``zh:zheng|fujing``, ``lt:…``
company    names of organisations, companies, vessels…           ``anglo caribbean``
id:<prop>  other identifiers, upper-cased without spaces         ``310107198306111336``
========== ===================================================== =====================

A value that fails its normaliser (a bad checksum, a number without country
code) is not indexed rather than indexed wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema

from jointprobe.entities.names import company_keys, name_keys
from jointprobe.entities.normalise import (
    normalise_domain,
    normalise_email,
    normalise_passport,
    normalise_phone,
    normalise_url,
    normalise_wallet,
)
from jointprobe.errors import InvalidSelector

WALLET_PROPS = {"publicKey", "cryptoAddress"}
NAME_PROPS = {"name", "alias", "previousName"}
SKIP_URL_PROPS = {"sourceUrl", "publisherUrl", "alephUrl", "wikipediaUrl", "programUrl"}
MAX_VALUE = 500
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# Mail providers whose domain says nothing about who holds an address.
MAIL_PROVIDERS = frozenset(
    "gmail.com googlemail.com hotmail.com outlook.com live.com live.cn msn.com yahoo.com "
    "yahoo.com.cn ymail.com aol.com icloud.com me.com qq.com foxmail.com 163.com 126.com "
    "yeah.net sina.com sina.cn sohu.com aliyun.com 139.com protonmail.com proton.me "
    "gmx.de gmx.net web.de mail.ru yandex.ru yandex.com inbox.ru bk.ru list.ru".split()
)


def _safe(
    found: set[tuple[str, str]], kind: str, make: Callable[..., str | set[str]], *args: Any
) -> None:
    try:
        made = make(*args)
    except InvalidSelector:
        return
    for value in {made} if isinstance(made, str) else made:
        if value and len(value) <= MAX_VALUE:
            found.add((kind, value))


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a schema's properties give the index, worked out once per schema."""

    kinds: dict[str, str]  # property -> wallet, phone, email, url, iban or id:<property>
    names: tuple[str, ...]  # name properties of the schema
    name_kind: str  # "name" (people) or "company"
    passport: bool
    wallet: bool


@cache
def _plan(schema: Schema) -> _Plan:
    kinds: dict[str, str] = {}
    for name, prop in schema.properties.items():
        type_name = prop.type.name
        if name in WALLET_PROPS:
            kinds[name] = "wallet"
        elif type_name in ("phone", "email", "iban"):
            kinds[name] = type_name
        elif type_name == "url" and name not in SKIP_URL_PROPS:
            kinds[name] = "url"
        elif type_name == "identifier":
            kinds[name] = f"id:{name}"[:32]
    return _Plan(
        kinds,
        tuple(name for name in sorted(NAME_PROPS) if name in schema.properties),
        "name" if schema.is_a("Person") else "company",
        schema.is_a("Passport"),
        any(kind == "wallet" for kind in kinds.values()),
    )


def _add(found: set[tuple[str, str]], kind: str, value: str) -> None:
    if value and len(value) <= MAX_VALUE:
        found.add((kind, value))


def _email(found: set[tuple[str, str]], value: str) -> None:
    """The address, and its domain unless a mail provider's (each indexed if it normalises)."""
    try:
        _add(found, "email", normalise_email(value))
    except InvalidSelector:
        pass
    try:
        domain = normalise_domain(value.rsplit("@", 1)[-1])
    except InvalidSelector:
        return
    if domain not in MAIL_PROVIDERS:
        _add(found, "domain", domain)


def extract_selectors(proxy: EntityProxy) -> list[tuple[str, str]]:
    """Every (kind, value) selector of ``proxy``, sorted (see the module docstring)."""
    plan = _plan(proxy.schema)
    found: set[tuple[str, str]] = set()
    properties = proxy.properties
    currency = proxy.first("currency", quiet=True) if plan.wallet else None
    for name, values in properties.items():
        kind = plan.kinds.get(name)
        if kind is None:
            continue
        for value in values:
            if kind == "phone":
                if _E164.match(value):  # FtM has already parsed and validated it
                    found.add(("phone", value))
                else:
                    _safe(found, "phone", normalise_phone, value)
            elif kind == "email":
                _email(found, value)
            elif kind == "wallet":
                before = len(found)
                _safe(found, "wallet", normalise_wallet, value, currency)
                if len(found) == before and currency:
                    # mislabelled currency (OFAC lists an Omni USDT address as such):
                    # the address's own form and checksum still identify it
                    _safe(found, "wallet", normalise_wallet, value, None)
            elif kind == "url":
                _safe(found, "url", normalise_url, value)
                _safe(found, "domain", normalise_domain, value)
            elif kind == "iban":
                found.add(("iban", value.replace(" ", "").upper()))
            else:
                found.add((kind, value.replace(" ", "").upper()[:MAX_VALUE]))
    if plan.passport:
        country = proxy.first("country", quiet=True)
        for number in proxy.get("number", quiet=True) + proxy.get("passportNumber", quiet=True):
            _safe(found, "passport", normalise_passport, number, country)
    keys = name_keys if plan.name_kind == "name" else company_keys
    for prop_name in plan.names:
        for name in properties.get(prop_name, ()):
            try:
                made = keys(name)
            except InvalidSelector:
                continue
            for value in made:
                _add(found, plan.name_kind, value)
    return sorted(found)
