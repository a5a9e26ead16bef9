"""`hits` finds precursor-trade designees by company names written another way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.resolve.conftest import OFAC_FILE

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.entities.names.compare_company import compare_companies
from jointprobe.node import Node, init_node
from jointprobe.resolve.hits import find_hits
from jointprobe.resolve.importers.ofac_import import import_ofac_sdn

# the Wuhan Shuokang network, Shanghai Cishun, the Hebei biotech designees, Wuhan neighbours
ROWS = ("29897,", "32312,", "32313,", "41297,", "41298,", "41299,", "45380,", "45381,",
        "34179,", "47368,", "47800,", "23063,")  # fmt: skip


@pytest.fixture(scope="module")
def precursor_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    if not OFAC_FILE.exists():
        pytest.skip(f"OFAC data not found at {OFAC_FILE}")
    root = tmp_path_factory.mktemp("precursor")
    lines = OFAC_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = root / "sdn_slice.csv"
    path.write_text("".join(line for line in lines if line.startswith(ROWS)), encoding="utf-8")
    node = init_node(Settings(data_dir=root / "node"), "us-test", "Test node", "US")
    with node.session() as session:
        create_user(session, "alice", "analyst")
    import_ofac_sdn(node.sessions, "alice", path)
    yield node
    node.close()


@pytest.mark.parametrize(
    ("query", "designee"),
    [
        ("Wuhan Shuokang Bio-Tech Co., Ltd.", "ofac-sdn-41299"),
        ("HEBEI HUANHAO BIOTECH CO LTD", "ofac-sdn-32312"),
        ("Cishun Fine Chem (Shanghai) Co Ltd", "ofac-sdn-29897"),
        ("武汉硕康生物科技有限公司", "ofac-sdn-41299"),
        ("Wu-han Sho-k'ang Biological Technology Co Ltd", "ofac-sdn-41299"),
        ("Shuo Kang Biotechnology (Wuhan) Company Limited", "ofac-sdn-41299"),
        ("+86 182 3303 9691", "ofac-sdn-41298"),
    ],
)
def test_hits_find_the_designee(precursor_node: Node, query: str, designee: str) -> None:
    with precursor_node.session() as session:
        hits = find_hits(session, None, query)
    assert hits and hits[0].entity_id == designee, hits
    assert hits[0].score >= 0.9


def test_reasons_say_how_the_names_matched(precursor_node: Node) -> None:
    with precursor_node.session() as session:
        hit = find_hits(session, None, "Cishun Fine Chem (Shanghai) Co Ltd")[0]
    assert "distinctive words agree: CISHUN" in hit.reason
    assert "abbreviation CHEM = CHEMICAL" in hit.reason
    assert "SHANGHAI (moved into brackets)" in hit.reason


@pytest.mark.parametrize(
    "query",
    [
        "Wuhan Biological Technology Co Ltd",  # generic: no distinctive word
        "Wuhan Jiahe Biological Technology Co Ltd",  # same place and form, another word
        "Hebei Yuxin Biotech Co Ltd",
        "Shanghai Fine Chemical Co Ltd",
    ],
)
def test_generic_and_other_company_names_do_not_hit(precursor_node: Node, query: str) -> None:
    with precursor_node.session() as session:
        hits = find_hits(session, None, query)
    assert [h for h in hits if h.score >= 0.7] == [], hits


@pytest.mark.parametrize(
    ("a", "b", "low"),
    [
        ("Wuhan Shuoda Biological Technology Co Ltd", "WUHAN SHUOKANG BIOLOGICAL TECHNOLOGY CO", 0),
        ("Beijing Shuokang Biotech", "WUHAN SHUOKANG BIOLOGICAL TECHNOLOGY CO., LTD", 0.5),
    ],
)
def test_a_near_word_or_another_place_stays_under_the_line(a: str, b: str, low: float) -> None:
    match = compare_companies(a, b)
    assert low <= match.score < 0.8, match


def test_abbreviations_and_legal_forms_fold() -> None:
    for a, b in [
        ("ACME PHARM INTL CO", "Acme Pharmaceutical International Company Limited"),
        ("Acme Sci-Tech Imp & Exp Co", "ACME SCIENCE AND TECHNOLOGY IMPORT AND EXPORT CO LTD"),
        ("Zhong Tian Chem Ind", "ZHONGTIAN CHEMICAL INDUSTRY CO"),
    ]:
        assert compare_companies(a, b).score >= 0.95, (a, b)


def test_an_empty_or_absurdly_long_name_is_refused() -> None:
    from jointprobe.errors import InvalidSelector

    with pytest.raises(InvalidSelector):
        compare_companies("  ", "ACME")
    with pytest.raises(InvalidSelector, match="not a name"):
        compare_companies("ACME " * 100, "ACME")
