"""Lists: import, refresh without duplicates, FtM lists, the watch list, analysts' decisions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.screening.conftest import FIXTURES

from jointprobe.accounts import get_user
from jointprobe.errors import Forbidden, InvalidInput, NotFound
from jointprobe.node import Node
from jointprobe.screening.decisions import decide
from jointprobe.screening.list_tables import ListEntry
from jointprobe.screening.lists import add_watch_entry, import_list, lists
from jointprobe.screening.matching import screen_name, screen_selector
from jointprobe.store.tables import Entity, Selector

FTM_LIST = FIXTURES / "precursor_list.ftm.jsonl"


def _count(node: Node, table: type, **where: str) -> int:
    with node.session() as session:
        query = select(func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(getattr(table, column) == value)
        return int(session.scalar(query) or 0)


def test_the_list_has_its_name_date_and_entries(screening_node: Node) -> None:
    with screening_node.session() as session:
        (row,) = lists(session)
    assert (row.name, row.format, row.list_date) == ("ofac-sdn", "ofac", date(2024, 5, 3))
    assert row.entries == _count(screening_node, ListEntry, list_name="ofac-sdn") > 15


def test_a_refresh_updates_and_removes_without_duplicates(
    screening_node: Node, ofac_file: Path
) -> None:
    entities, selectors = _count(screening_node, Entity), _count(screening_node, Selector)
    again = import_list(screening_node.sessions, "sam", ofac_file, name="ofac-sdn", fmt="ofac")
    assert (again.added, again.updated, again.removed) == (0, 0, 0) and again.unchanged > 15
    assert (_count(screening_node, Entity), _count(screening_node, Selector)) == (
        entities,
        selectors,
    )
    lines = ofac_file.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("29897,")]  # Cishun delisted
    kept = [line.replace("HEBEI HUANHAO BIOTECHNOLOGY", "HEBEI HUANHAO BIOTECH") for line in kept]
    ofac_file.write_text("".join(kept), encoding="utf-8")
    report = import_list(screening_node.sessions, "sam", ofac_file, name="ofac-sdn", fmt="ofac")
    assert report.updated == 1 and report.removed == 2  # Cishun and its sanction
    with screening_node.session() as session:
        assert session.get(Entity, "ofac-sdn-29897") is None
        assert [m for m in screen_name(session, "Shanghai Cishun Fine Chemical") if m.match] == []
        renamed = screen_name(session, "HEBEI HUANHAO BIOTECH CO LTD")[0]
        assert renamed.caption == "HEBEI HUANHAO BIOTECH CO., LTD." and renamed.score == 1.0
        assert (
            session.scalar(select(func.count()).where(Selector.entity_id == "ofac-sdn-29897")) == 0
        )


def test_an_ftm_list_is_screened_beside_ofac(screening_node: Node) -> None:
    report = import_list(screening_node.sessions, "sam", FTM_LIST, name="opensanctions-demo",
                         fmt="ftm", list_date=date(2026, 11, 30))  # fmt: skip
    assert (report.added, report.errors) == (4, [])
    with screening_node.session() as session:
        found = screen_name(session, "Hebei Atun Trading Company Limited")
        assert {m.list_name for m in found if m.match} == {"ofac-sdn", "opensanctions-demo"}
        phone = screen_selector(session, "phone", "+86 182 3303 9691")
        assert {m.entry_id for m in phone} == {"ofac-sdn-41298", "opensanctions-demo-NK-yao-huatao"}
        sanction = session.get(Entity, "opensanctions-demo-NK-sanction-1")
        assert sanction is not None
        assert sanction.properties["entity"] == ["opensanctions-demo-NK-hebei-atun"]


def test_a_name_in_cyrillic_is_transliterated_on_both_sides(screening_node: Node) -> None:
    import_list(screening_node.sessions, "sam", FTM_LIST, name="demo", fmt="ftm")
    with screening_node.session() as session:
        top = screen_name(session, "АО ПО Стрела")[0]
    assert (top.entry_id, top.match) == ("demo-NK-strela", True)
    assert top.reasons[0] == "Cyrillic АО ПО Стрела transliterated as AO PO STRELA"


def test_a_bad_list_file_is_refused_and_nothing_is_written(
    screening_node: Node, tmp_path: Path, ofac_file: Path
) -> None:
    before = _count(screening_node, Entity)
    with pytest.raises(InvalidInput, match="no entity read as ftm"):
        import_list(screening_node.sessions, "sam", ofac_file, name="wrong", fmt="ftm")
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(FTM_LIST.read_text() + "{not json\n" + '{"id": "x", "schema": "Nope"}\n')
    report = import_list(screening_node.sessions, "sam", mixed, name="mixed", fmt="ftm")
    assert report.added == 4
    assert [where for where, _ in report.errors] == ["mixed.jsonl:5", "mixed.jsonl:6"]
    with pytest.raises(InvalidInput):
        import_list(screening_node.sessions, "sam", ofac_file, name="Bad Name", fmt="ofac")
    with pytest.raises(Forbidden):
        import_list(screening_node.sessions, "ana", ofac_file, name="other", fmt="ofac")
    assert _count(screening_node, Entity) == before + 4


def test_the_watch_list_is_screened(screening_node: Node) -> None:
    with screening_node.write_session() as session:
        ana = get_user(session, "ana")
        entity_id = add_watch_entry(session, ana, "Examplechem Trading Ltd", schema="Company",
                                    country="CN", reason="test entry, no real party")  # fmt: skip
        session.commit()
    with screening_node.session() as session:
        top = screen_name(session, "EXAMPLECHEM TRDG CO", country="CN")[0]
    assert (top.entry_id, top.list_name, top.match) == (entity_id, "watchlist", True)


def test_a_decision_is_remembered_per_pair(screening_node: Node) -> None:
    with screening_node.write_session() as session:
        ana = get_user(session, "ana")
        decide(session, ana, "Wuhan Shuokang Bio-Tech Co., Ltd.", "ofac-sdn-41299",
               "false_positive", "another Shuokang: Hubei registry checked")  # fmt: skip
        with pytest.raises(NotFound):
            decide(session, ana, "Acme", "no-such-entry", "match")
        with pytest.raises(InvalidInput):
            decide(session, ana, "Acme", "ofac-sdn-41299", "maybe")
        with pytest.raises(Forbidden):
            decide(session, get_user(session, "chem"), "Acme", "ofac-sdn-41299", "match")
        session.commit()
    with screening_node.session() as session:
        # the same name spelt another way normalises alike: the decision applies
        top = screen_name(session, "WUHAN SHUOKANG BIOLOGICAL TECHNOLOGY CO LTD")[0]
        other = screen_name(session, "HEBEI HUANHAO BIOTECH CO LTD")[0]
    assert top.entry_id == "ofac-sdn-41299" and top.score == 1.0 and not top.match
    assert top.reasons[0].startswith("analyst decision: false positive (ana, ")
    assert other.match
    with screening_node.write_session() as session:
        decide(session, get_user(session, "ana"), "Wuhan Shuokang Biotech", "ofac-sdn-41299",
               "match")  # fmt: skip
        session.commit()
    with screening_node.session() as session:
        assert screen_name(session, "Wuhan Shuokang Bio-Tech Co., Ltd.")[0].match
