"""Bad input: clear errors that say where, never a crash."""

from __future__ import annotations

import pytest

from jointprobe.chem import (
    EmptyStructure,
    InvalidStructure,
    UnparseableStructure,
    UnsupportedStructure,
    classify,
)


def test_unparseable_smiles_says_where_it_fails() -> None:
    with pytest.raises(UnparseableStructure) as info:
        classify("CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1X")
    assert info.value.where == "position 39"  # the X, counting from 1
    assert "syntax error" in info.value.message


def test_unclosed_branch_is_reported_with_its_position() -> None:
    with pytest.raises(UnparseableStructure) as info:
        classify("CC(C")
    assert info.value.where is not None and info.value.where.startswith("position")


def test_impossible_valence_names_the_atom() -> None:
    with pytest.raises(UnparseableStructure) as info:
        classify("CC(C)(C)(C)C")
    assert info.value.where == "atom 2 (C)"


def test_broken_aromatic_ring_names_the_atoms() -> None:
    with pytest.raises(UnparseableStructure) as info:
        classify("c1cccc1")
    assert info.value.where is not None and info.value.where.startswith("atoms")


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_input_is_refused(text: str) -> None:
    with pytest.raises(EmptyStructure):
        classify(text)


def test_bad_inchi_is_refused() -> None:
    with pytest.raises(UnparseableStructure) as info:
        classify("InChI=1S/garbage")
    assert info.value.where == "InChI"


def test_inchi_input_is_classified() -> None:
    inchi = (
        "InChI=1S/C22H28N2O/c1-2-22(25)24(20-11-7-4-8-12-20)21-14-17-23(18-15-21)"
        "16-13-19-9-5-3-6-10-19/h3-12,21H,2,13-18H2,1H3"
    )
    assert classify(inchi).verdicts["US"].fentanyl_related


@pytest.mark.parametrize("smiles", ["[Na+].[Cl-]", "O=S(=O)(O)O", "[K+].[O-][Mn](=O)(=O)=O"])
def test_inorganic_input_is_refused_with_advice(smiles: str) -> None:
    with pytest.raises(UnsupportedStructure) as info:
        classify(smiles)
    assert "inorganic" in info.value.message


def test_huge_molecule_is_refused() -> None:
    with pytest.raises(UnsupportedStructure) as info:
        classify("C" * 600)
    assert "too large" in info.value.message


def test_errors_belong_to_the_shared_tree() -> None:
    with pytest.raises(InvalidStructure) as info:
        classify("not a molecule")
    assert info.value.code.startswith("chem.") and info.value.status == 422


def test_mol_block_is_read() -> None:
    from rdkit import Chem

    block = Chem.MolToMolBlock(Chem.MolFromSmiles("CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"))
    result = classify(block)
    assert result.verdicts["US"].fentanyl_related
    assert result.verdicts["US"].reasons[0].substance == "acetylfentanyl"
