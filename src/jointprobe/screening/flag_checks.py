"""One small function per red flag. Each returns the data that raised the flag, or None.

A check gets the :class:`~jointprobe.screening.flag_rules.Context` and its rule's
``params``; the table in ``data/red_flags.yaml`` says which check a rule uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from statistics import median
from typing import Any

import phonenumbers

from jointprobe.entities.names import company_keys
from jointprobe.errors import InvalidSelector
from jointprobe.screening.flag_rules import Context, PastOrder
from jointprobe.screening.orders import Party

Evidence = dict[str, Any] | None
Check = Callable[[Context, Mapping[str, Any]], Evidence]
_GENERIC_TLD_COUNTRY = {"uk": "GB"}


def _same_substance(ctx: Context) -> list[PastOrder]:
    key = ctx.substance.smiles or ctx.substance.given
    return [p for p in ctx.history if p.substance == key]


def quantity_vs_history(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    past = [p.base_quantity for p in _same_substance(ctx) if p.base_unit == ctx.order.base_unit]
    if len(past) < int(params.get("min_history", 2)):
        return None
    usual = Decimal(median(past))
    if ctx.order.base_quantity <= usual * Decimal(str(params.get("factor", 3))):
        return None
    unit = ctx.order.base_unit
    return {
        "quantity": f"{ctx.order.base_quantity.normalize():f} {unit}",
        "usual_quantity": f"{usual.normalize():f} {unit}",
        "past_orders": len(past),
    }


def frequency_vs_history(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    on = ctx.order.data.order_date
    window, baseline = int(params.get("window_days", 30)), int(params.get("baseline_days", 365))
    past = [p.order_date for p in _same_substance(ctx) if p.order_date <= on]
    recent = sum(1 for d in past if d > on - timedelta(days=window)) + 1
    start, end = on - timedelta(days=window + baseline), on - timedelta(days=window)
    usual = sum(1 for d in past if start < d <= end) * window / baseline
    factor = float(params.get("factor", 3))
    if recent < int(params.get("min_orders", 3)) or recent <= factor * max(usual, 1 / 3):
        return None
    return {"orders_in_window": recent, "window_days": window, "usual_per_window": round(usual, 2)}


def new_substance_for_customer(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    if not ctx.history or not ctx.substance.controls or _same_substance(ctx):
        return None
    return {"substance": ctx.substance.name or ctx.substance.given, "past_orders": len(ctx.history)}


def virtual_currency_payment(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    data = ctx.order.data
    if data.payment_method != "virtual_currency" and not data.payment_wallet:
        return None
    return {"payment_method": data.payment_method, "wallet": data.payment_wallet}


def _name_key(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.casefold()))


def _keys(name: str) -> set[str]:
    """The name's keys with legal forms folded ("Acme GmbH" and "ACME" agree)."""
    try:
        return {_name_key(name), *company_keys(name)}
    except InvalidSelector:
        return {_name_key(name)}


def _same(a: str, b: str) -> bool:
    return bool(_keys(a) & _keys(b))


def third_party_payer(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    payer, buyer = ctx.order.party("payer"), ctx.order.buyer
    if payer is None or _same(payer.name, buyer.name):
        return None
    return {"payer": payer.name, "buyer": buyer.name}


def _looks_like(party: Party, keywords: list[str]) -> str | None:
    text = f"{party.name} {party.trade or ''}".casefold()
    return next((k for k in keywords if k.casefold() in text), None)


def forwarder_consignee(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    order = ctx.order
    consignee = order.party("consignee")
    if consignee is None:
        return None
    forwarder = order.party("freight_forwarder")
    if forwarder is not None and _same(forwarder.name, consignee.name):
        return {"consignee": consignee.name, "why": "the consignee is the freight forwarder"}
    word = _looks_like(consignee, list(params.get("keywords", [])))
    if word:
        return {"consignee": consignee.name, "why": f"consignee looks like a forwarder ({word!r})"}
    connected = [p.name for p in order.parties if p.role in ("buyer", "end_user")]
    if not any(_same(consignee.name, name) for name in connected):
        return {"consignee": consignee.name, "why": "neither the buyer nor the end user"}
    return None


def unusual_address(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    kinds = set(params.get("kinds", []))
    patterns = [re.compile(p, re.IGNORECASE) for p in params.get("patterns", [])]
    found = {}
    for party in ctx.order.parties:
        if party.address_kind in kinds:
            found[party.role] = f"{party.address_kind} address: {party.address or '(not given)'}"
        elif party.address and any(p.search(party.address) for p in patterns):
            found[party.role] = f"address looks shared or virtual: {party.address}"
    return found or None


def new_customer(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    if ctx.history:
        return None
    customer = ctx.order.data.customer_id
    return {"customer_id": customer or "(none given)", "past_orders": 0}


def end_use_mismatch(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    use = (ctx.order.data.end_use or "").casefold().strip()
    if not use:
        return {"end_use": "(none stated)"}
    vague = [v for v in params.get("vague", []) if use == v or use.startswith(f"{v} ")]
    if vague and len(use.split()) <= 3:
        return {"end_use": ctx.order.data.end_use, "why": "vague end use"}
    small = any(w in use for w in params.get("small_use", []))
    limit = Decimal(str(params.get("small_use_max_kg", 1)))
    if small and ctx.order.base_quantity > limit:
        return {
            "end_use": ctx.order.data.end_use,
            "why": "quantity too large for this use",
            "quantity": f"{ctx.order.base_quantity.normalize():f} {ctx.order.base_unit}",
            "expected_at_most": f"{limit} {ctx.order.base_unit}",
        }
    trade = (ctx.order.buyer.trade or "").casefold()
    trades = params.get("chemical_trades", [])
    if ctx.substance.controls and trade and not any(t in trade for t in trades):
        return {"buyer_trade": ctx.order.buyer.trade, "why": "trade does not fit"}
    return None


def _phone_country(raw: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.region_code_for_number(number)


def _domain_country(value: str) -> str | None:
    host = value.rsplit("@", 1)[-1]
    host = re.sub(r"^[a-z]+://", "", host.casefold()).split("/", 1)[0].rstrip(".")
    tld = host.rsplit(".", 1)[-1]
    if len(tld) != 2 or not tld.isalpha():
        return None
    return _GENERIC_TLD_COUNTRY.get(tld, tld.upper())


def foreign_contact(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    data, country = ctx.order.data, ctx.order.buyer.country
    if not country:
        return None
    found: dict[str, Any] = {"buyer_country": country}
    if data.phone and (pc := _phone_country(data.phone, country)) and pc != country:
        found["phone"] = f"{data.phone} ({pc})"
    for label, value in (("email", data.email), ("website", data.website)):
        if value and (dc := _domain_country(value)) and dc != country:
            found[label] = f"{value} ({dc})"
    return found if len(found) > 1 else None


def urgent_shipping(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    speed = ctx.order.data.shipping_speed
    return {"shipping_speed": speed} if speed in params.get("speeds", []) else None


def unexplained_transit(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    data = ctx.order.data
    ends = {p.country for p in ctx.order.parties} | {data.destination_country}
    transit = [c for c in data.transit_countries if c not in ends]
    if not transit or (data.route_reason or "").strip():
        return None
    return {"transit_countries": transit, "route_reason": "(none stated)"}


def precursor_analogue(ctx: Context, params: Mapping[str, Any]) -> Evidence:
    floor = float(params.get("min_similarity", 0.6))
    near = [a for a in ctx.substance.analogues if a.similarity >= floor]
    if not near:
        return None
    return {
        "analogues": [
            f"{a.name}: Tanimoto {a.similarity:.2f} ({'; '.join(a.listings)})" for a in near
        ]
    }


CHECKS: dict[str, Check] = {
    f.__name__: f
    for f in (
        quantity_vs_history,
        frequency_vs_history,
        new_substance_for_customer,
        virtual_currency_payment,
        third_party_payer,
        forwarder_consignee,
        unusual_address,
        new_customer,
        end_use_mismatch,
        foreign_contact,
        urgent_shipping,
        unexplained_transit,
        precursor_analogue,
    )
}
