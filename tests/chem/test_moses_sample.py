"""False-positive check on drug-like molecules (first 3,000 MOSES test molecules)."""

from __future__ import annotations

import gzip
from datetime import date

from jointprobe.chem import classify

from .conftest import DATA


def test_moses_sample_classifies_and_flags_only_explained_structures() -> None:
    with gzip.open(DATA / "moses_test.csv.gz", "rt") as handle:
        smiles = [line.strip() for _, line in zip(range(3001), handle, strict=False)][1:]
    flagged = []
    for text in smiles:
        result = classify(text, date(2025, 12, 1))
        if result.flagged:
            flagged.append(result)
    assert len(flagged) < 10
    for result in flagged:
        for verdict in result.verdicts.values():
            assert all(r.citation for r in verdict.reasons)
