"""Fixtures for resolution tests: a small slice of the real OFAC list, a node with it loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.shared_data import DATA

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.node import Node, init_node
from jointprobe.resolve.importers.ofac_import import import_ofac_sdn

OFAC = DATA / "sanctions"
OFAC_FILE = OFAC / "ofac_sdn_2024-05-03.csv"
# the Zheng organisation, its members and companies, plus a few unrelated entries
SLICE = ("26236,", "26323,", "26324,", "27646,", "27970,", "36,", "173,", "306,", "16849,")


@pytest.fixture(scope="session")
def ofac_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not OFAC_FILE.exists():
        pytest.skip(f"OFAC data not found at {OFAC_FILE}")
    lines = OFAC_FILE.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path_factory.mktemp("ofac") / "sdn_slice.csv"
    path.write_text("".join(line for line in lines if line.startswith(SLICE)), encoding="utf-8")
    return path


@pytest.fixture
def ofac_node(tmp_path: Path, ofac_slice: Path) -> Iterator[Node]:
    node = init_node(Settings(data_dir=tmp_path / "node"), "us-test", "Test node", "US")
    with node.session() as session:
        create_user(session, "alice", "analyst")
        create_user(session, "bob", "analyst")
    import_ofac_sdn(node.sessions, "alice", ofac_slice)
    yield node
    node.close()
