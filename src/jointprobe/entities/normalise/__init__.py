"""Selector normalisers: one module per selector type, each raising
:class:`jointprobe.errors.InvalidSelector` with a reason people can act on.
"""

from __future__ import annotations

from jointprobe.entities.normalise.company import normalise_company
from jointprobe.entities.normalise.crypto import normalise_wallet
from jointprobe.entities.normalise.dispatch import SELECTOR_KINDS, guess_kind, normalise_selector
from jointprobe.entities.normalise.email import normalise_email
from jointprobe.entities.normalise.parcel import normalise_parcel, s10_check_digit
from jointprobe.entities.normalise.passport import normalise_country, normalise_passport
from jointprobe.entities.normalise.phone import normalise_phone
from jointprobe.entities.normalise.web import normalise_domain, normalise_url

__all__ = [
    "SELECTOR_KINDS",
    "guess_kind",
    "normalise_company",
    "normalise_country",
    "normalise_domain",
    "normalise_email",
    "normalise_parcel",
    "normalise_passport",
    "normalise_phone",
    "normalise_selector",
    "normalise_url",
    "normalise_wallet",
    "s10_check_digit",
]
