"""Seizure trends: classes from the chemistry layer, origins, counts and weights apart."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from tests.analytics.factories import seizure

from jointprobe.analytics import DateRange, seizure_records, trend
from jointprobe.analytics.substances import class_of_name
from jointprobe.cases import CaseIn, EventIn, create_case
from jointprobe.cases.lab import LabResultIn, attach_lab_result
from jointprobe.node import Node

FURANYL = "O=C(c1ccco1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"


def test_substance_names_are_classed_by_the_chemistry_layer() -> None:
    assert class_of_name("Fentanyl") == "fentanyl-related"
    assert class_of_name("NPP") == "precursor"
    assert class_of_name("N-phenethyl-4-piperidone") == "precursor"
    assert class_of_name("alprazolam") == "other"
    assert class_of_name("something unheard of") == "other"
    assert class_of_name(None) == "other"


def test_trends_by_origin_transit_route_with_weights_apart(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
        seizure(session, alice, "c", date(2020, 1, 5), "fentanyl", origin_country="cn",
                transit_countries=["hk"], destination_country="US", route="post",
                concealment="parcel")  # fmt: skip
        seizure(session, alice, "c", date(2020, 2, 5), "fentanyl", origin_country="MX",
                quantity=Decimal("2"), unit="kg", route="land")  # fmt: skip
        seizure(session, alice, "c", date(2020, 2, 9), "NPP", quantity=Decimal("40"),
                unit="tablets")  # fmt: skip
        seizure(session, alice, "c", date(2021, 2, 9), "unknown powder")
    with node.session() as session:
        records = seizure_records(session, alice, DateRange(date(2020, 1, 1), date(2020, 12, 31)))
    assert [r.substance_class for r in records] == ["fentanyl-related"] * 2 + ["precursor"]
    by_origin = trend(records, "origin", "month")
    assert by_origin.count("2020-01", "CN") == 1 and by_origin.count("2020-02", "MX") == 1
    assert by_origin.kg[("2020-02", "MX")] == 2.0 and by_origin.kg[("2020-01", "CN")] == 0.1
    assert by_origin.count("2020-02", "unknown") == 1 and by_origin.without_weight == 1
    assert trend(records, "transit", "year").count("2020", "HK") == 1
    assert trend(records, "route", "quarter").count("2020-Q1", "land") == 1
    assert trend(records, "class", "year").count("2020", "precursor") == 1
    assert by_origin.cases == {"c"}


def test_a_lab_result_decides_the_class_over_the_name(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
        seizure(session, alice, "c", date(2020, 1, 5), "white powder")
    with node.session() as session:
        seizure_id = seizure_records(session, alice)[0].event_id
        attach_lab_result(session, alice, "c", seizure_id, LabResultIn(structure=FURANYL))
    with node.session() as session:
        assert seizure_records(session, alice)[0].substance_class == "fentanyl-related"


def test_seizures_of_a_case_the_user_may_not_see_are_not_counted(
    node: Node, make_user: Any
) -> None:
    alice, bob = make_user(node, "alice"), make_user(node, "bob")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
        seizure(session, alice, "c", date(2020, 1, 5), "fentanyl")
    with node.session() as session:
        assert seizure_records(session, bob) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"origin_country": "China"},
        {"destination_country": "1A"},
        {"transit_countries": ["HK", "ZZZ"]},
        {"route": "teleport"},
        {"transit_countries": ["HK"] * 11},
    ],
)
def test_bad_origin_fields_are_refused(fields: dict[str, Any]) -> None:
    base = {"kind": "seizure", "quantity": "1", "unit": "kg"}
    with pytest.raises(ValidationError):
        EventIn.model_validate({**base, **fields})
