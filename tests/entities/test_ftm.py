"""parse_entity cleans each value once and stores what FtM's own ``add`` would."""

from typing import Any

import pytest
from followthemoney import model, registry

from jointprobe.entities.ftm import clean_value, parse_entity
from jointprobe.errors import InvalidEntity

EMAILS = [
    "GoldenChemical@Live.com",
    " mailto:A@B.example ",
    "mailto:",
    "a@Bücher.example",
    "a@xn--bcher-kva.example",
    "a@b.example.",
    "x@y",
    "a@b.c",
    "a b@c.example",
    "@c.example",
    "a@",
    "a@@b.example",
    "a@b@c.example",
    "user@127.0.0.1",
    "ä@b.example",
    "a\x00@b.example",
    "",
    "   ",
    "a@-bad-.example",
]


@pytest.mark.parametrize("raw", EMAILS)
def test_email_cleaning_is_followthemoneys(raw: str) -> None:
    prop = model.get("Person").get("email")  # type: ignore[union-attr]
    assert prop is not None
    proxy = model.make_entity("Person")
    assert clean_value(prop, raw, proxy) == registry.email.clean(raw)


def _ftm_reference(data: dict[str, Any]) -> dict[str, Any]:
    """The proxy FtM builds by adding every raw value (cleaning it itself)."""
    proxy = model.make_entity(data["schema"])
    proxy.id = data["id"]
    for name, values in data["properties"].items():
        for value in [values] if isinstance(values, str) else values:
            proxy.add(name, value)
    return proxy.to_dict()


ENTITIES: list[dict[str, Any]] = [
    {"id": "p1", "schema": "Person", "properties": {
        "name": ["  Zheng   Fujing ", "郑富京"], "birthDate": ["1983-06-11"],
        "email": ["GoldenChemical@Live.com", "goldenchemical@live.com"],
        "phone": ["+86 138 1234 5678", "+8613812345678"], "country": ["cn", "CN"],
        "website": ["http://WWW.GlobalRC.net/shop/"],
    }},
    {"id": "b1", "schema": "BankAccount", "properties": {
        "iban": ["DE89 3704 0044 0532 0130 00"], "bic": ["DEUTDEFF"],
    }},
    {"id": "o1", "schema": "Ownership", "properties": {"owner": "p1", "asset": ["c1"]}},
]  # fmt: skip


@pytest.mark.parametrize("data", ENTITIES, ids=[e["id"] for e in ENTITIES])
def test_parsed_entity_is_what_followthemoney_builds(data: dict[str, Any]) -> None:
    assert parse_entity(data).to_dict() == _ftm_reference(data)


def test_a_reverse_property_is_named_not_a_crash() -> None:
    data = {"id": "p1", "schema": "Person", "properties": {"ownershipOwner": ["o1"]}}
    with pytest.raises(InvalidEntity, match="reverse"):
        parse_entity(data)


@pytest.mark.parametrize(
    ("prop", "value", "reason"),
    [("iban", "DE00 3704 0044 0532 0130 00", "invalid IBAN"), ("bic", "DEUT", "invalid BIC")],
)
def test_a_value_failing_its_property_format_is_named_not_dropped(
    prop: str, value: str, reason: str
) -> None:
    data = {"id": "b1", "schema": "BankAccount", "properties": {prop: [value]}}
    assert _ftm_reference(data)["properties"] == {}  # FtM itself drops it silently
    with pytest.raises(InvalidEntity, match=reason):
        parse_entity(data)


def test_values_past_followthemoneys_size_cap_are_refused_not_dropped() -> None:
    cap = registry.text.total_size
    assert cap is not None
    fits: dict[str, Any] = {"id": "big", "schema": "Person", "properties": {"name": ["Li Wei"],
            "notes": ["a" * (cap // 2), "b" * (cap // 2 - len("Li Wei"))]}}  # fmt: skip
    proxy = parse_entity(fits)
    assert [len(v) for v in proxy.get("notes")] == [cap // 2, cap // 2 - 6]
    over = {**fits, "properties": {**fits["properties"], "summary": ["c"]}}  # one more character
    message = r"'summary': a value of 1 character would .* cap of 31,457,280 .* so far: 31,457,280"
    with pytest.raises(InvalidEntity, match=message) as err:
        parse_entity(over, where="big.jsonl:7")
    assert err.value.where == "big.jsonl:7"


def test_dates_are_made_iso_not_cut_to_their_year() -> None:
    """FtM alone keeps only 1967 of 1967/03/05 and drops 19670305."""
    assert registry.date.clean("1967/03/05") == "1967"  # what would have been stored
    data = {"id": "p9", "schema": "Person", "properties": {
        "birthDate": ["1967/03/05", "19670412", "1970-01", "1968-02-03T10:00:00"],
    }}  # fmt: skip
    got = parse_entity(data).get("birthDate")
    assert sorted(got) == ["1967-03-05", "1967-04-12", "1968-02-03T10:00:00", "1970-01"]


def test_an_ambiguous_date_is_refused_naming_both_readings() -> None:
    data = {"id": "p9", "schema": "Person", "properties": {"birthDate": "05/03/1967"}}
    ambiguous = r"invalid date for 'birthDate': ambiguous date '05/03/1967'"
    with pytest.raises(InvalidEntity, match=ambiguous):
        parse_entity(data)
    data["properties"] = {"birthDate": "1967-02-30"}
    with pytest.raises(InvalidEntity, match=r"invalid date for 'birthDate': '1967-02-30'"):
        parse_entity(data)
