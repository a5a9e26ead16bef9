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
from typing import Any

from followthemoney.proxy import EntityProxy

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


def _own_domain(email: str) -> set[str]:
    domain = normalise_domain(email.rsplit("@", 1)[-1])
    return set() if domain in MAIL_PROVIDERS else {domain}


def _names(proxy: EntityProxy, found: set[tuple[str, str]]) -> None:
    person = proxy.schema.is_a("Person")
    for prop_name in NAME_PROPS:
        for name in proxy.get(prop_name, quiet=True):
            if person:
                _safe(found, "name", name_keys, name)
            else:
                _safe(found, "company", company_keys, name)


def extract_selectors(proxy: EntityProxy) -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    currency = proxy.first("currency", quiet=True)
    for prop, value in proxy.itervalues():
        type_name = prop.type.name
        if prop.name in WALLET_PROPS:
            _safe(found, "wallet", normalise_wallet, value, currency)
        elif type_name == "phone":
            if _E164.match(value):  # FtM has already parsed and validated it
                found.add(("phone", value))
            else:
                _safe(found, "phone", normalise_phone, value)
        elif type_name == "email":
            _safe(found, "email", normalise_email, value)
            _safe(found, "domain", _own_domain, value)
        elif type_name == "url" and prop.name not in SKIP_URL_PROPS:
            _safe(found, "url", normalise_url, value)
            _safe(found, "domain", normalise_domain, value)
        elif type_name == "iban":
            found.add(("iban", value.replace(" ", "").upper()))
        elif type_name == "identifier":
            found.add((f"id:{prop.name}"[:32], value.replace(" ", "").upper()[:MAX_VALUE]))
    if proxy.schema.is_a("Passport"):
        country = proxy.first("country", quiet=True)
        for number in proxy.get("number", quiet=True) + proxy.get("passportNumber", quiet=True):
            _safe(found, "passport", normalise_passport, number, country)
    _names(proxy, found)
    return sorted(found)
