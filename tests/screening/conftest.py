"""A node with a slice of the real OFAC list imported as a screening list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.resolve.conftest import ofac_node, ofac_slice
from tests.shared_data import DATA

from jointprobe.accounts import create_user
from jointprobe.node import Node
from jointprobe.screening.lists import import_list

OFAC_FILE = DATA / "sanctions" / "ofac_sdn_2024-05-03.csv"
FIXTURES = Path(__file__).parent / "data"
# the Wuhan Shuokang network, Shanghai Cishun, Hebei biotech designees, Wuhan neighbours,
# and the Zheng organisation (people with Chinese names)
ROWS = ("29897,", "32312,", "32313,", "41297,", "41298,", "41299,", "45380,", "45381,",
        "34179,", "47368,", "47800,", "23063,", "26236,", "26323,", "26324,")  # fmt: skip


@pytest.fixture(scope="session")
def ofac_rows() -> list[str]:
    if not OFAC_FILE.exists():
        pytest.skip(f"OFAC data not found at {OFAC_FILE}")
    lines = OFAC_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    return [line for line in lines if line.startswith(ROWS)]


@pytest.fixture
def ofac_file(tmp_path: Path, ofac_rows: list[str]) -> Path:
    path = tmp_path / "sdn_2024-05-03.csv"
    path.write_text("".join(ofac_rows), encoding="utf-8")
    return path


@pytest.fixture
def screening_node(node: Node, ofac_file: Path) -> Iterator[Node]:
    """``node`` (SQLite, and PostgreSQL where configured) with the OFAC slice as a list."""
    with node.session() as session:
        create_user(session, "sam", "supervisor")
        create_user(session, "ana", "analyst")
        create_user(session, "chem", "chemist")
        create_user(session, "lee", "admin")
    import_list(node.sessions, "sam", ofac_file, name="ofac-sdn", fmt="ofac")
    yield node


__all__ = ["ofac_node", "ofac_slice"]


@pytest.fixture
def ofac_listed_node(ofac_node: Node, ofac_slice: Path) -> Node:
    """``ofac_node`` whose OFAC slice is also a screening list (``screen list import``)."""
    with ofac_node.session() as session:
        create_user(session, "sam", "supervisor")
    import_list(ofac_node.sessions, "sam", ofac_slice, name="ofac-sdn", fmt="ofac")
    return ofac_node
