"""Standardise a parsed structure: largest organic fragment, neutral, stereo optional.

Fast path first: a single neutral fragment (the usual case) is taken as is;
fragment choice and neutralisation run only when the molecule needs them.
"""

from __future__ import annotations

import re
from typing import Any

from rdkit import Chem, rdBase
from rdkit.Chem.MolStandardize import rdMolStandardize

from jointprobe.chem.errors import UnsupportedStructure

MAX_HEAVY_ATOMS = 500
_CHARGE_TEXT = re.compile(r"\+|-\d*\]")
MIXTURE_WARN_HEAVY_ATOMS = 15  # a removed organic part this large is a co-drug, not a salt
_uncharger: Any = None


class Standardized:
    """The parent structure that the rules see, and what was done to get it."""

    __slots__ = ("mol", "removed", "neutralized", "keep_stereo", "warnings")

    def __init__(self, mol: Any, keep_stereo: bool = True) -> None:
        self.mol = mol
        self.removed: list[str] = []
        self.neutralized = False
        self.keep_stereo = keep_stereo
        self.warnings: list[str] = []

    def smiles(self) -> str:
        return str(Chem.MolToSmiles(self.mol, isomericSmiles=self.keep_stereo))

    def inchikey(self) -> str:
        with rdBase.BlockLogs():
            return str(Chem.MolToInchiKey(self.mol))  # type: ignore[no-untyped-call]

    def notes(self) -> dict[str, Any]:
        return {
            "removed_fragments": list(self.removed),
            "neutralized": self.neutralized,
            "stereo_kept": self.keep_stereo,
            "warnings": list(self.warnings),
        }


def standardize(mol: Any, keep_stereo: bool = True, smiles: str | None = None) -> Standardized:
    """Pick the parent structure of a parsed molecule (raises for inorganic/huge input).

    ``smiles`` (the text the molecule was read from, if any) lets the common
    case skip the fragment and charge checks.
    """
    std = Standardized(mol, keep_stereo)
    if (smiles is None or "." in smiles) and len(Chem.GetMolFrags(mol)) > 1:
        _keep_largest_organic(std)
    if (smiles is None or std.removed or _CHARGE_TEXT.search(smiles)) and _has_charge(std.mol):
        _neutralize(std)
    heavy = std.mol.GetNumHeavyAtoms()
    if heavy > MAX_HEAVY_ATOMS:
        raise UnsupportedStructure(
            f"molecule too large to classify: {heavy} heavy atoms (limit {MAX_HEAVY_ATOMS}); "
            "polymers and biologics are outside the structure rules"
        )
    if not _is_organic(std.mol):
        raise UnsupportedStructure(
            "inorganic substance (no carbon atom): the structure rules do not apply; "
            "check inorganic precursors (e.g. potassium permanganate, UN 1988 Table I) by name"
        )
    if not keep_stereo:
        Chem.RemoveStereochemistry(std.mol)
    return std


def _keep_largest_organic(std: Standardized) -> None:
    frags = list(Chem.GetMolFrags(std.mol, asMols=True, sanitizeFrags=False))
    organic = [f for f in frags if _is_organic(f)]
    pool = organic or frags
    pool.sort(key=lambda f: (f.GetNumHeavyAtoms(), f.GetNumAtoms()), reverse=True)
    parent = pool[0]
    for frag in frags:
        if frag is parent:
            continue
        smi = Chem.MolToSmiles(frag)
        std.removed.append(smi)
        if _is_organic(frag) and frag.GetNumHeavyAtoms() >= MIXTURE_WARN_HEAVY_ATOMS:
            std.warnings.append(
                f"mixture: component {smi} was set aside (only the largest organic "
                "component is classified; classify the others separately)"
            )
    std.mol = parent
    _refresh(std.mol)


def _has_charge(mol: Any) -> bool:
    return any(atom.GetFormalCharge() for atom in mol.GetAtoms())


def _neutralize(std: Standardized) -> None:
    global _uncharger
    if _uncharger is None:
        _uncharger = rdMolStandardize.Uncharger()
    before = _charged_atoms(std.mol)
    with rdBase.BlockLogs():
        uncharged = _uncharger.uncharge(std.mol)
    if _charged_atoms(uncharged) != before or Chem.GetFormalCharge(
        uncharged
    ) != Chem.GetFormalCharge(std.mol):
        std.mol = uncharged
        std.neutralized = True
        _refresh(std.mol)


def _refresh(mol: Any) -> None:
    """Recompute valences and ring information on a molecule built by a standardiser."""
    mol.UpdatePropertyCache(strict=False)
    Chem.GetSymmSSSR(mol)


def _charged_atoms(mol: Any) -> int:
    return sum(1 for atom in mol.GetAtoms() if atom.GetFormalCharge())


_CARBON = Chem.MolFromSmarts("[#6]")


def _is_organic(mol: Any) -> bool:
    return bool(mol.HasSubstructMatch(_CARBON))
