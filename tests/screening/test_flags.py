from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.screening.factories import make

from jointprobe.errors import ConfigError
from jointprobe.screening.flag_checks import CHECKS
from jointprobe.screening.flag_rules import Context, PastOrder, build_rules
from jointprobe.screening.orders import Order
from jointprobe.screening.substance import substance_status
from jointprobe.screening.verdict import flag_reasons, rule_set

ETHANOL = "CCO"


def _flags(order: Order, history: tuple[PastOrder, ...] = ()) -> dict[str, dict[str, Any]]:
    ctx = Context(order, substance_status(order.data.substance, order.data.order_date), history)
    return {r.code: r.data for r in flag_reasons(ctx, rule_set())}


def _past(days_ago: int, kg: str, substance: str = ETHANOL) -> PastOrder:
    return PastOrder(date.fromordinal(date(2025, 3, 1).toordinal() - days_ago), substance,
                     Decimal(kg), "kg")  # fmt: skip


HISTORY = (_past(300, "200"), _past(200, "180"), _past(100, "220"))


def test_a_plain_order_of_a_known_customer_raises_no_flag() -> None:
    assert _flags(make(), HISTORY) == {}


def test_every_rule_cites_a_source_and_names_a_known_check() -> None:
    rules = rule_set()
    assert len(rules.rules) >= 13
    for rule in rules.rules:
        assert rule.check in CHECKS and rules.source_text(rule)
        assert all(s in rules.sources for s in rule.sources), rule.id


def test_quantity_far_above_the_customers_usual_is_flagged_with_the_figures() -> None:
    flags = _flags(make(quantity="1000"), HISTORY)
    assert flags["RF.QUANTITY"] == {"quantity": "1000 kg", "usual_quantity": "200 kg",
                                    "past_orders": 3}  # fmt: skip
    assert "RF.QUANTITY" not in _flags(make(quantity="500"), HISTORY)


def test_orders_coming_faster_than_usual_are_flagged() -> None:
    burst = HISTORY + (_past(10, "200"), _past(3, "200"))
    assert _flags(make(), burst)["RF.FREQUENCY"]["orders_in_window"] == 3
    assert "RF.FREQUENCY" not in _flags(make(), HISTORY)


def test_virtual_currency_third_party_payer_and_forwarder_consignee() -> None:
    order = make(
        payment_method="virtual_currency",
        payment_wallet="bc1qexamplewallet",
        payer={"name": "Someone Else Trading"},
        consignee={"name": "Fast Freight Logistics", "country": "MX"},
    )
    flags = _flags(order, HISTORY)
    assert flags["RF.VIRTUAL_CURRENCY"]["wallet"] == "bc1qexamplewallet"
    assert flags["RF.THIRD_PARTY_PAYER"] == {"payer": "Someone Else Trading",
                                             "buyer": "Example Pharma GmbH"}  # fmt: skip
    assert "forwarder" in flags["RF.FORWARDER_CONSIGNEE"]["why"]


def test_a_consignee_unconnected_to_buyer_and_end_user_is_flagged() -> None:
    flags = _flags(make(consignee={"name": "Jane Roe"}), HISTORY)
    assert flags["RF.FORWARDER_CONSIGNEE"]["why"] == "neither the buyer nor the end user"
    same = {"name": "EXAMPLE PHARMA", "country": "DE"}  # legal form left out
    assert "RF.FORWARDER_CONSIGNEE" not in _flags(make(consignee=same), HISTORY)
    assert "RF.THIRD_PARTY_PAYER" not in _flags(make(payer=same), HISTORY)


def test_residential_or_virtual_addresses_are_flagged_per_party() -> None:
    order = make(
        consignee={"name": "Example Pharma GmbH", "address": "PO Box 1234, Laredo"},
        end_user={"name": "Lab X", "address_kind": "residential", "address": "5 Elm St"},
    )
    flags = _flags(order, HISTORY)
    assert set(flags["RF.ADDRESS"]) == {"consignee", "end_user"}


def test_a_new_customer_has_no_history() -> None:
    assert _flags(make())["RF.NEW_CUSTOMER"] == {"customer_id": "C-100", "past_orders": 0}


def test_end_use_missing_vague_or_too_small_for_the_quantity() -> None:
    assert _flags(make(end_use=None), HISTORY)["RF.END_USE"] == {"end_use": "(none stated)"}
    assert _flags(make(end_use="research"), HISTORY)["RF.END_USE"]["why"] == "vague end use"
    lab = _flags(make(end_use="analytical reference standard", quantity="50"), HISTORY)
    assert lab["RF.END_USE"]["why"] == "quantity too large for this use"


def test_phone_and_domain_from_another_country_than_the_buyers() -> None:
    flags = _flags(make(phone="+86 182 3303 9691", email="buyer@mail.example.cn"), HISTORY)
    assert flags["RF.FOREIGN_CONTACT"] == {"buyer_country": "DE",
                                           "phone": "+86 182 3303 9691 (CN)",
                                           "email": "buyer@mail.example.cn (CN)"}  # fmt: skip


def test_urgent_shipping_and_unexplained_transit() -> None:
    flags = _flags(make(shipping_speed="premium", transit_countries=["HK", "DE"],
                        destination_country="DE"), HISTORY)  # fmt: skip
    assert flags["RF.URGENCY"] == {"shipping_speed": "premium"}
    assert flags["RF.TRANSIT"]["transit_countries"] == ["HK"]
    explained = make(transit_countries=["HK"], route_reason="consolidated sea freight via HK hub")
    assert "RF.TRANSIT" not in _flags(explained, HISTORY)


def test_an_unlisted_close_analogue_of_a_precursor_is_flagged_with_the_similarity() -> None:
    order = make(substance={"name": "1-benzyl-4-piperidone", "smiles": "O=C1CCN(Cc2ccccc2)CC1"})
    analogue = _flags(order, HISTORY)["RF.ANALOGUE"]["analogues"]
    assert analogue[0].startswith("NPP (N-phenethyl-4-piperidone): Tanimoto 0.67")


def test_a_regulator_adds_and_replaces_rules_from_its_own_file(tmp_path: Path) -> None:
    own = tmp_path / "rules.yaml"
    own.write_text(
        "sources: {mx: 'Ley Federal para el Control de Precursores Químicos (example)'}\n"
        "rules:\n"
        "  - {id: RF.URGENCY, check: urgent_shipping, text: urgent, source: [mx], points: 3,"
        " params: {speeds: [express, urgent, premium]}}\n"
        "  - {id: MX.EXPRESS, check: urgent_shipping, text: express courier, source: [mx],"
        " points: 1, params: {speeds: [express]}}\n"
    )
    rules = build_rules(frozenset(CHECKS), own)
    by_id = {r.id: r for r in rules.rules}
    assert by_id["RF.URGENCY"].points == 3 and "MX.EXPRESS" in by_id
    assert "Precursores" in rules.source_text(by_id["MX.EXPRESS"])
    own.write_text("rules:\n  - {id: X, check: no_such_check, text: t, source: [s]}\n")
    with pytest.raises(ConfigError, match="unknown check 'no_such_check'"):
        build_rules(frozenset(CHECKS), own)
