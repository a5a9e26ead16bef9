"""One entry point per selector: ``normalise_selector(kind, raw)`` and ``guess_kind(raw)``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from jointprobe.entities.normalise._codecs import decode_base58check
from jointprobe.entities.normalise._han import has_han
from jointprobe.entities.normalise.company import normalise_company
from jointprobe.entities.normalise.crypto import normalise_wallet
from jointprobe.entities.normalise.email import normalise_email
from jointprobe.entities.normalise.parcel import normalise_parcel
from jointprobe.entities.normalise.passport import normalise_passport
from jointprobe.entities.normalise.phone import normalise_phone
from jointprobe.entities.normalise.web import normalise_domain, normalise_url
from jointprobe.errors import InvalidSelector

SELECTOR_KINDS: Final = (
    "phone", "email", "domain", "url", "wallet", "parcel", "passport", "company",
)  # fmt: skip
"""Kinds ``normalise_selector`` accepts; ``guess_kind`` may also answer ``"name"``."""

_Normaliser = Callable[[str, "str | None"], str]


def _passport(raw: str, region: str | None) -> str:
    match = re.match(r"^\s*([A-Za-z]{2,3}|[^:]{4,}?)\s*:\s*(\S+)\s*$", raw)
    if match and region is None:
        return normalise_passport(match.group(2), match.group(1))
    match = re.match(r"^\s*(\S+)\s*\(([^)]+)\)\s*$", raw)
    if match and region is None:
        return normalise_passport(match.group(1), match.group(2))
    return normalise_passport(raw, region)


def _wallet(raw: str, region: str | None) -> str:
    match = re.match(r"^\s*([A-Za-z]{2,5})\s*:\s*(\S+)\s*$", raw)
    if match and not raw.lower().startswith("bitcoincash:"):
        return normalise_wallet(match.group(2), match.group(1))
    return normalise_wallet(raw)


_NORMALISERS: dict[str, _Normaliser] = {
    "phone": lambda raw, region: normalise_phone(raw, region),
    "email": lambda raw, region: normalise_email(raw),
    "domain": lambda raw, region: normalise_domain(raw),
    "url": lambda raw, region: normalise_url(raw),
    "wallet": _wallet,
    "parcel": lambda raw, region: normalise_parcel(raw),
    "passport": _passport,
    "company": lambda raw, region: normalise_company(raw),
}


def normalise_selector(kind: str, raw: str, *, region: str | None = None) -> str:
    """Normalise ``raw`` as a selector of ``kind``.

    ``region`` is the default phone region, or the issuing country of a
    passport. Wallets may be written ``XBT:1abc…`` to name the chain;
    passports ``CN:G123…`` or ``G123… (China)``.
    """
    normaliser = _NORMALISERS.get(kind)
    if normaliser is None:
        raise InvalidSelector(
            f"unknown selector kind {kind!r}; one of {', '.join(SELECTOR_KINDS)}", where="kind"
        )
    return normaliser(raw, region)


_EMAIL = re.compile(r"^\s*(mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+\s*$", re.I)
_S10 = re.compile(r"^\s*[A-Za-z]{2}[\s-]?\d{3}[\s-]?\d{3}[\s-]?\d{3}[\s-]?[A-Za-z]{2}\s*$")
_PHONE = re.compile(r"^\s*(\+|00)?[\d\s\-\.\(\)/]{6,}$")
_URL = re.compile(r"^\s*https?://\S+$", re.I)
_DOMAIN = re.compile(r"^\s*[\w\-]+(\.[\w\-]+)*\.[a-z]{2,}\.?\s*$", re.I)
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{25,40}$")
_WALLET_PREFIX = re.compile(
    r"^(0x[0-9a-f]{40}|bc1[0-9a-z]{8,}|ltc1[0-9a-z]{8,}|bitcoincash:\S+)$", re.I
)


def _looks_like_base58check(text: str) -> bool:
    if not _BASE58.match(text):
        return False
    try:
        decode_base58check(text)
    except ValueError:
        return False
    return True


def guess_kind(raw: str) -> str:
    """Guess what a free-text query is: a selector kind or ``"name"``.

    The guess only routes the query; the normaliser still validates it.
    """
    text = raw.strip()
    if not text:
        raise InvalidSelector("empty query", where="query")
    if _EMAIL.match(text):
        return "email"
    if _S10.match(text):
        return "parcel"
    if _WALLET_PREFIX.match(text) or _looks_like_base58check(text):
        return "wallet"
    if _PHONE.match(text) and sum(c.isdigit() for c in text) >= 6:
        return "phone"
    if _URL.match(text) or (("/" in text) and _DOMAIN.match(text.split("/", 1)[0])):
        return "url"
    if _DOMAIN.match(text) and not has_han(text):
        return "domain"
    return "name"
