"""Selectors read off an entity for the instant-hit index.

A selector is (kind, normalised value). Kinds follow FtM property types
(phone, email, url, domain, iban, identifier…) plus ``wallet`` for crypto
addresses. Values are FtM-cleaned and lower-cased where case carries no meaning.
"""

from __future__ import annotations

from followthemoney.proxy import EntityProxy

SELECTOR_TYPES = {
    "phone": "phone",
    "email": "email",
    "url": "url",
    "iban": "iban",
    "identifier": "identifier",
}
WALLET_PROPS = {"publicKey"}
CASE_FOLDED = {"email", "url"}


def extract_selectors(proxy: EntityProxy) -> list[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for prop, value in proxy.itervalues():
        if prop.name in WALLET_PROPS:
            found.add(("wallet", value.strip()))
            continue
        kind = SELECTOR_TYPES.get(prop.type.name)
        if kind is None:
            continue
        clean = value.strip()
        if kind in CASE_FOLDED:
            clean = clean.lower()
        if kind == "identifier":
            clean = clean.replace(" ", "").upper()
            kind = f"id:{prop.name}"
        found.add((kind, clean))
    return sorted(found)
