"""Every row of the shared reference set must get its expected answer."""

from __future__ import annotations

from datetime import date

import pytest

from jointprobe.chem import classify

from .conftest import reference_rows

ROWS = reference_rows()
TODAY = date(2025, 12, 1)


def test_reference_set_is_complete() -> None:
    assert len(ROWS) == 59


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_reference_compound_gets_expected_answer(row: dict[str, str]) -> None:
    result = classify(row["smiles"], TODAY)
    got = {
        "us_fentanyl_related": result.verdicts["US"].fentanyl_related,
        "cn_fentanyl_related": result.verdicts["CN"].fentanyl_related,
        "listed_precursor": any(v.precursor for v in result.verdicts.values()),
    }
    for column, value in got.items():
        expected = row[column]
        if expected == "skip":
            continue
        assert value == (expected == "yes"), (column, result.to_dict()["verdicts"])


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_every_positive_verdict_is_explained(row: dict[str, str]) -> None:
    result = classify(row["smiles"], TODAY)
    for verdict in result.verdicts.values():
        assert verdict.controlled == bool(verdict.reasons)
        for reason in verdict.reasons:
            assert reason.citation and reason.effective <= TODAY
            if reason.kind == "class":
                assert reason.modifications, "a class verdict must name the modified regions"
