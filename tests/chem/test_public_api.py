from __future__ import annotations

import jointprobe.chem as chem
from jointprobe.chem.lists import LIST_FILES, named_index, rule_facts


def test_public_surface_is_importable() -> None:
    for name in chem.__all__:
        assert hasattr(chem, name), name


def test_jurisdictions_are_registered() -> None:
    assert {j.code for j in chem.jurisdictions()} >= {"US", "CN", "UN"}
    assert chem.get_jurisdiction("us").name.startswith("United States")


def test_every_list_entry_has_citation_and_date() -> None:
    entries = named_index().entries
    assert {e.list_id for e in entries} == {
        "US.CSA",
        "US.LIST_I",
        "CN.NARCOTICS",
        "CN.PRECURSORS",
        "UN.1961",
        "UN.1988",
    }
    assert len(LIST_FILES) == 6
    for entry in entries:
        assert entry.citation and entry.effective.year >= 1960 and entry.kind


def test_every_rule_in_code_has_its_facts_in_data() -> None:
    facts = rule_facts()
    for rule_id in ("US.FRS", "CN.FRS", "US.LIST_I.4AP", "US.LIST_I.4AP_HALIDES"):
        assert facts[rule_id].citation and facts[rule_id].source.startswith("http")
