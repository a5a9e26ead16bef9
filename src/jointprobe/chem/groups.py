"""Substituent groups: find them in a molecule and name their chemical class.

The class names are the words the laws use: alkyl, alkenyl, alkoxyl, ester,
ether, hydroxyl, halo, haloalkyl, amino, nitro. Anything else gets a
descriptive name (aryl, cycloalkyl, oxo, ...) that no list allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdkit import Chem

HALOGENS = frozenset({9, 17, 35, 53})
SINGLE = Chem.BondType.SINGLE
DOUBLE = Chem.BondType.DOUBLE
TRIPLE = Chem.BondType.TRIPLE


@dataclass(frozen=True, slots=True)
class Group:
    """A substituent: its atoms, where it attaches, and its class."""

    position: str
    anchor: int  # atom of the scaffold it hangs on
    attach: int  # its own atom bonded to the anchor
    atoms: frozenset[int]
    category: str
    fused: bool  # it also bonds back into the scaffold (ring closure)

    def label(self, mol: Any) -> str:
        return f"{self.category} {fragment_smiles(mol, self.atoms, self.anchor)}"


def collect(mol: Any, anchor: int, start: int, blocked: frozenset[int], position: str) -> Group:
    """Walk from ``start`` away from ``anchor``, never entering ``blocked`` atoms."""
    atoms = {start}
    stack = [start]
    fused = False
    while stack:
        idx = stack.pop()
        for nb in mol.GetAtomWithIdx(idx).GetNeighbors():
            j = nb.GetIdx()
            if j in atoms:
                continue
            if j == anchor or j in blocked:
                if not (idx == start and j == anchor):
                    fused = True
                continue
            atoms.add(j)
            stack.append(j)
    frozen = frozenset(atoms)
    category = "ring-fused" if fused else categorize(mol, frozen, start, anchor)
    return Group(position, anchor, start, frozen, category, fused)


def categorize(mol: Any, atoms: frozenset[int], attach: int, anchor: int) -> str:
    """Name the class of an acyclic or cyclic substituent."""
    objs = [mol.GetAtomWithIdx(i) for i in atoms]
    head = mol.GetAtomWithIdx(attach)
    link = mol.GetBondBetweenAtoms(anchor, attach).GetBondType()
    if any(a.IsInRing() for a in objs):
        if any(a.GetIsAromatic() for a in objs):
            return "aryl" if head.GetIsAromatic() else "arylalkyl"
        return "cycloalkyl" if all(a.GetAtomicNum() == 6 for a in objs) else "heterocyclyl"
    if len(objs) == 1:
        return _single_atom(head, link)
    elements = {a.GetAtomicNum() for a in objs}
    bonds = _bond_types(mol, atoms) + [link]
    if elements == {6}:
        if TRIPLE in bonds:
            return "alkynyl"
        return "alkenyl" if DOUBLE in bonds else "alkyl"
    if elements <= {6} | HALOGENS and 6 in elements:
        return "haloalkyl" if DOUBLE not in bonds and TRIPLE not in bonds else "haloalkenyl"
    if elements == {7, 8} and len(objs) == 3 and head.GetAtomicNum() == 7:
        return "nitro"
    if elements == {6, 8}:
        return _oxygenated(mol, objs, head, bonds)
    if elements == {6, 7} and head.GetAtomicNum() == 7 and DOUBLE not in bonds:
        return "amino"
    return "other"


def _single_atom(atom: Any, link: Any) -> str:
    z = atom.GetAtomicNum()
    if z in HALOGENS:
        return "halo"
    if z == 8:
        return "hydroxyl" if link == SINGLE else "oxo"
    if z == 7:
        return "amino" if link == SINGLE else "imino"
    if z == 6:
        return "alkyl" if link == SINGLE else "alkylidene"
    return "other"


def _oxygenated(mol: Any, objs: list[Any], head: Any, bonds: list[Any]) -> str:
    oxygens = [a for a in objs if a.GetAtomicNum() == 8]
    carbonyls = [
        o for o in oxygens if o.GetDegree() == 1 and o.GetBonds()[0].GetBondType() == DOUBLE
    ]
    hydroxyls = [o for o in oxygens if o.GetTotalNumHs() > 0]
    if TRIPLE in bonds or hydroxyls:
        return "hydroxyalkyl" if hydroxyls and not carbonyls else "other"
    if len(carbonyls) == 1 and bonds.count(DOUBLE) == 1:
        carbon = carbonyls[0].GetNeighbors()[0]
        bridging = [
            o for o in carbon.GetNeighbors() if o.GetAtomicNum() == 8 and o.GetDegree() == 2
        ]
        return "ester" if bridging and len(oxygens) == 2 else "acyl"
    if not carbonyls and DOUBLE not in bonds:
        return "alkoxyl" if head.GetAtomicNum() == 8 else "ether"
    return "other"


def _bond_types(mol: Any, atoms: frozenset[int]) -> list[Any]:
    out = []
    for i in atoms:
        for bond in mol.GetAtomWithIdx(i).GetBonds():
            j = bond.GetOtherAtomIdx(i)
            if j in atoms and j > i:
                out.append(bond.GetBondType())
    return out


def fragment_smiles(mol: Any, atoms: frozenset[int] | set[int], anchor: int | None) -> str:
    """SMILES of a region, the attachment point written as ``*``."""
    use = set(atoms)
    if anchor is None:
        return str(Chem.MolFragmentToSmiles(mol, atomsToUse=sorted(use), canonical=True))
    rw = Chem.RWMol(mol)
    dummy = rw.GetAtomWithIdx(anchor)
    dummy.SetAtomicNum(0)
    dummy.SetIsAromatic(False)
    dummy.SetFormalCharge(0)
    dummy.SetNoImplicit(True)
    dummy.SetNumExplicitHs(0)
    use.add(anchor)
    bonds = [
        b.GetIdx() for b in rw.GetBonds() if b.GetBeginAtomIdx() in use and b.GetEndAtomIdx() in use
    ]
    return str(Chem.MolFragmentToSmiles(rw, atomsToUse=sorted(use), bondsToUse=bonds or None))
