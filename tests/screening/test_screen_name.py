"""Screening names and selectors against the node's lists: matches, reasons, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jointprobe.accounts import get_user
from jointprobe.errors import Forbidden, InvalidInput
from jointprobe.node import Node
from jointprobe.screening.matching import screen_name, screen_name_as, screen_selector
from jointprobe.store.tables import AuditEntry


@pytest.mark.parametrize(
    ("query", "entry"),
    [
        ("Wuhan Shuokang Bio-Tech Co., Ltd.", "ofac-sdn-41299"),
        ("HEBEI HUANHAO BIOTECH CO LTD", "ofac-sdn-32312"),
        ("Cishun Fine Chem (Shanghai) Co Ltd", "ofac-sdn-29897"),
        ("武汉硕康生物科技有限公司", "ofac-sdn-41299"),
        ("Hebei Atun Trdg Co Ltd", "ofac-sdn-32313"),
        ("Huatao Yao", "ofac-sdn-41298"),
        ("郑富京", "ofac-sdn-26236"),
    ],
)
def test_designees_are_matched_with_reasons(screening_node: Node, query: str, entry: str) -> None:
    with screening_node.session() as session:
        found = screen_name(session, query)
    assert found[0].entry_id == entry and found[0].match, found
    assert found[0].list_name == "ofac-sdn"
    assert found[0].reasons
    assert [m for m in found[1:] if m.match] == []


def test_the_reasons_name_abbreviation_place_and_words(screening_node: Node) -> None:
    with screening_node.session() as session:
        top = screen_name(session, "Cishun Fine Chem (Shanghai) Co Ltd")[0]
    assert "abbreviation CHEM = CHEMICAL" in top.reasons
    assert "place agrees: SHANGHAI (moved into brackets)" in top.reasons
    assert "distinctive words agree: CISHUN" in " ".join(top.reasons)


@pytest.mark.parametrize(
    "query",
    [
        "Wuhan Biological Technology Co Ltd",
        "Wuhan Jiahe Biological Technology Co Ltd",
        "Hebei Yuxin Biotechnology Co., Ltd.",
        "Zhang Fujing",  # Zhang, not Zheng
    ],
)
def test_generic_and_near_names_are_not_matches(screening_node: Node, query: str) -> None:
    with screening_node.session() as session:
        assert [m for m in screen_name(session, query) if m.match] == []


def test_schema_and_country_filter_and_explain(screening_node: Node) -> None:
    with screening_node.session() as session:
        assert screen_name(session, "Wuhan Shuokang Biotech", schema="Person") == []
        agree = screen_name(session, "ZHENG Fujing", country="CN")[0]
        conflict = screen_name(session, "ZHENG Fujing", country="MX")[0]
    assert "country agrees: CN" in agree.reasons
    assert any(r.startswith("country conflicts: MX") for r in conflict.reasons)
    assert conflict.score < agree.score


def test_a_phone_without_plus_in_the_list_is_found_by_selector(screening_node: Node) -> None:
    with screening_node.session() as session:
        found = screen_selector(session, "phone", "+86 182 3303 9691")
        assert [m.entry_id for m in found] == ["ofac-sdn-41298"]
        assert screen_selector(session, "email", "shuokangw@163.com")[0].entry_id == (
            "ofac-sdn-41297"
        )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"query": "   "}, "screening.empty_name"),
        ({"query": "★ ★"}, "screening.no_letters"),
        ({"query": "ACME " * 100}, "screening.name_too_long"),
        ({"query": "Acme", "schema": "Vehicle"}, "screening.schema"),
        ({"query": "Acme", "country": "China"}, "screening.country"),
    ],
)
def test_bad_queries_get_clear_errors(
    screening_node: Node, kwargs: dict[str, str], code: str
) -> None:
    with screening_node.session() as session, pytest.raises(InvalidInput) as caught:
        screen_name(session, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_only_screening_roles_may_screen_and_each_screening_is_audited(
    screening_node: Node,
) -> None:
    with screening_node.write_session() as session:
        with pytest.raises(Forbidden):
            screen_name_as(session, get_user(session, "lee"), "Acme")
        screen_name_as(session, get_user(session, "ana"), "HEBEI HUANHAO BIOTECH CO LTD")
    with screening_node.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "screen").order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None and entry.actor == "ana"
    assert entry.detail["matches"] == ["ofac-sdn-32312"]
