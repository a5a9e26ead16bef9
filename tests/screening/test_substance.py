from datetime import date

import pytest

from jointprobe.screening.orders import SubstanceIn, cas_is_valid
from jointprobe.screening.substance import catalogue_entries, substance_status


def test_every_cas_number_has_a_valid_check_digit_and_a_cited_source() -> None:
    entries = catalogue_entries()
    assert len({e["cas"] for e in entries}) == len(entries)
    for entry in entries:
        assert cas_is_valid(str(entry["cas"])), entry["name"]
        assert entry["source"], entry["name"]


@pytest.mark.parametrize("given", [SubstanceIn(name="4-anilinopiperidine"),
                                   SubstanceIn(cas="23056-29-3"),
                                   SubstanceIn(smiles="c1ccc(NC2CCNCC2)cc1.Cl")])  # fmt: skip
def test_name_cas_and_structure_find_the_same_precursor(given: SubstanceIn) -> None:
    status = substance_status(given, date(2025, 1, 1))
    assert status.precursor and not status.drug
    assert {c.jurisdiction for c in status.controls} == {"US", "CN", "UN"}


def test_status_follows_the_order_date() -> None:
    four_ap = SubstanceIn(name="4-AP")
    assert {c.jurisdiction for c in substance_status(four_ap, date(2021, 1, 1)).controls} == {"US"}
    assert {c.jurisdiction for c in substance_status(four_ap, date(2023, 1, 1)).controls} == {
        "US", "UN"}  # fmt: skip


def test_a_table_ii_solvent_is_a_un_precursor_and_fentanyl_is_a_drug() -> None:
    acetone = substance_status(SubstanceIn(cas="67-64-1"), date(2025, 1, 1))
    assert [c.text() for c in acetone.controls] == [
        "UN: precursor (UN.1988 Table II, in force 1990-11-11)"]  # fmt: skip
    assert substance_status(SubstanceIn(name="fentanyl"), date(2025, 1, 1)).drug


def test_an_unknown_cas_or_unreadable_structure_is_a_problem_naming_the_field() -> None:
    cas = substance_status(SubstanceIn(cas="50-00-0"), date(2025, 1, 1))
    assert (cas.problem, cas.where) == ("unknown CAS number 50-00-0", "substance.cas")
    bad = substance_status(SubstanceIn(smiles="C1CC("), date(2025, 1, 1))
    assert bad.where == "substance.smiles" and bad.problem and not bad.identified
