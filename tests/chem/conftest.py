from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.shared_data import DATA as SHARED_DATA

DATA = SHARED_DATA / "chem"
REFERENCE = DATA / "reference_compounds.tsv"


def reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture
def tmp_file(tmp_path: Path):
    def make(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return make
