"""Find the 4-anilinopiperidine core and cut a hit into the regions the laws name.

Regions (fentanyl's own in brackets): the group on the anilide nitrogen
(propionyl), the N-aryl ring and its substituents (phenyl), substituents on
the piperidine ring (none) and the piperidine nitrogen's substituent
(2-phenylethyl), itself cut into its two-carbon linker, the terminal ring and
their substituents. The core match alone decides nothing: each law's rule
checks every region (jointprobe.chem.rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdkit import Chem

from jointprobe.chem.groups import DOUBLE, SINGLE, Group, collect, fragment_smiles

# piperidine N1, C2, C3, C4, C5, C6; anilide N; first atom of the N-aryl group
CORE = Chem.MolFromSmarts(
    "[#7X3;R:1]1@[#6X4:2]@[#6X4:3]@[#6X4:4](!@[#7X3;!R:7]!@[a:8])@[#6X4:5]@[#6X4:6]1"
)


@dataclass(frozen=True, slots=True)
class Ring:
    atoms: tuple[int, ...]
    monocycle: bool
    aromatic: bool
    phenyl: bool


@dataclass(frozen=True, slots=True)
class Phenethyl:
    """A piperidine N-substituent shaped N-C-C-ring (fentanyl: unsubstituted phenyl)."""

    chain: tuple[int, int]
    ring: Ring
    chain_subs: tuple[Group, ...]
    ring_subs: tuple[Group, ...]

    @property
    def atoms(self) -> frozenset[int]:
        out = set(self.chain) | set(self.ring.atoms)
        for g in self.chain_subs + self.ring_subs:
            out |= g.atoms
        return frozenset(out)


@dataclass(frozen=True, slots=True)
class Core:
    """One 4-anilinopiperidine hit, cut into regions."""

    mol: Any
    piperidine: tuple[int, ...]  # N1, C2, C3, C4, C5, C6
    anilide_n: int
    acyl: Group | None  # None: N-H (an amine, not an amide)
    acyl_is_carbonyl: bool
    aryl: Ring
    aryl_subs: tuple[Group, ...]
    ring_subs: tuple[Group, ...]
    n_sub: Group | None  # None: N-H
    phenethyl: Phenethyl | None

    @property
    def core_atoms(self) -> frozenset[int]:
        return frozenset(self.piperidine) | {self.anilide_n} | set(self.aryl.atoms)

    @property
    def aryl_atoms(self) -> frozenset[int]:
        out = set(self.aryl.atoms)
        for g in self.aryl_subs:
            out |= g.atoms
        return frozenset(out)

    def region_smiles(self, region: str) -> str:
        if region == "acyl":
            return (
                "H"
                if self.acyl is None
                else fragment_smiles(self.mol, self.acyl.atoms, self.anilide_n)
            )
        if region == "aryl":
            return fragment_smiles(self.mol, self.aryl_atoms, self.anilide_n)
        if region == "n_substituent":
            if self.n_sub is None:
                return "H"
            return fragment_smiles(self.mol, self.n_sub.atoms, self.piperidine[0])
        raise ValueError(region)


def find_cores(mol: Any) -> list[Core]:
    """Every distinct 4-anilinopiperidine core in ``mol``, decomposed."""
    matches = mol.GetSubstructMatches(CORE, uniquify=True)
    return [_decompose(mol, m) for m in matches]


def has_core(mol: Any) -> bool:
    """Cheap screen used before any decomposition."""
    return bool(mol.HasSubstructMatch(CORE))


def _decompose(mol: Any, match: tuple[int, ...]) -> Core:
    n1, c2, c3, c4, na, ar, c5, c6 = match  # order of atoms in the SMARTS text
    piperidine = (n1, c2, c3, c4, c5, c6)
    aryl = _ring_of(mol, ar)
    blocked = frozenset(piperidine) | {na} | set(aryl.atoms)
    acyl = _single_group(mol, na, {c4, ar}, blocked, "anilide N")
    aryl_subs = _ring_groups(mol, aryl.atoms, {na}, blocked, "aryl")
    ring_subs: list[Group] = []
    for pos, atom, skip in (
        ("2", c2, {n1, c3}),  # 2 and 6 (and 3 and 5) are equivalent by symmetry
        ("3", c3, {c2, c4}),
        ("4", c4, {c3, c5, na}),
        ("3", c5, {c4, c6}),
        ("2", c6, {c5, n1}),
    ):
        for nb in mol.GetAtomWithIdx(atom).GetNeighbors():
            if nb.GetIdx() not in skip:
                ring_subs.append(collect(mol, atom, nb.GetIdx(), blocked, pos))
    n_sub = _single_group(mol, n1, {c2, c6}, blocked, "1")
    phenethyl = _phenethyl(mol, n_sub, blocked) if n_sub is not None else None
    return Core(
        mol=mol,
        piperidine=piperidine,
        anilide_n=na,
        acyl=acyl,
        acyl_is_carbonyl=acyl is not None and _is_carbonyl(mol, acyl.attach, acyl.atoms),
        aryl=aryl,
        aryl_subs=tuple(aryl_subs),
        ring_subs=tuple(ring_subs),
        n_sub=n_sub,
        phenethyl=phenethyl,
    )


def _single_group(
    mol: Any, atom: int, skip: set[int], blocked: frozenset[int], pos: str
) -> Group | None:
    for nb in mol.GetAtomWithIdx(atom).GetNeighbors():
        if nb.GetIdx() not in skip:
            return collect(mol, atom, nb.GetIdx(), blocked, pos)
    return None


def _ring_groups(
    mol: Any, ring: tuple[int, ...], skip: set[int], blocked: frozenset[int], pos: str
) -> list[Group]:
    out = []
    members = set(ring)
    for k, idx in enumerate(ring):
        for nb in mol.GetAtomWithIdx(idx).GetNeighbors():
            j = nb.GetIdx()
            if j not in members and j not in skip:
                out.append(collect(mol, idx, j, blocked, f"{pos}-{k + 1}"))
    return out


def _ring_of(mol: Any, atom: int) -> Ring:
    info = mol.GetRingInfo()
    rings = [r for r in info.AtomRings() if atom in r]
    ring = min(rings, key=len)
    # order ring atoms starting from the attachment atom, so positions read 1..n
    start = ring.index(atom)
    ordered = tuple(ring[start:] + ring[:start])
    monocycle = len(rings) == 1 and all(info.NumAtomRings(i) == 1 for i in ring)
    objs = [mol.GetAtomWithIdx(i) for i in ring]
    aromatic = all(a.GetIsAromatic() for a in objs)
    phenyl = aromatic and len(ring) == 6 and all(a.GetAtomicNum() == 6 for a in objs)
    return Ring(ordered, monocycle, aromatic, phenyl)


def _is_carbonyl(mol: Any, carbon: int, atoms: frozenset[int]) -> bool:
    atom = mol.GetAtomWithIdx(carbon)
    if atom.GetAtomicNum() != 6:
        return False
    return any(
        b.GetBondType() == DOUBLE and b.GetOtherAtom(atom).GetAtomicNum() == 8
        for b in atom.GetBonds()
    )


def _phenethyl(mol: Any, n_sub: Group, blocked: frozenset[int]) -> Phenethyl | None:
    if n_sub.fused:
        return None
    alpha = mol.GetAtomWithIdx(n_sub.attach)
    if not _sp3_chain_carbon(alpha):
        return None
    for beta in alpha.GetNeighbors():
        if beta.GetIdx() == n_sub.anchor or not _sp3_chain_carbon(beta):
            continue
        for r in beta.GetNeighbors():
            if r.GetIdx() == alpha.GetIdx() or not r.IsInRing():
                continue
            ring = _ring_of(mol, r.GetIdx())
            chain = (alpha.GetIdx(), beta.GetIdx())
            inner = blocked | set(chain) | set(ring.atoms)
            chain_subs = [
                collect(mol, alpha.GetIdx(), nb.GetIdx(), inner, "alpha")
                for nb in alpha.GetNeighbors()
                if nb.GetIdx() not in (n_sub.anchor, beta.GetIdx())
            ] + [
                collect(mol, beta.GetIdx(), nb.GetIdx(), inner, "beta")
                for nb in beta.GetNeighbors()
                if nb.GetIdx() not in (alpha.GetIdx(), r.GetIdx())
            ]
            ring_subs = _ring_groups(mol, ring.atoms, {beta.GetIdx()}, inner, "ring")
            return Phenethyl(chain, ring, tuple(chain_subs), tuple(ring_subs))
    return None


def _sp3_chain_carbon(atom: Any) -> bool:
    return (
        atom.GetAtomicNum() == 6
        and not atom.IsInRing()
        and all(b.GetBondType() == SINGLE for b in atom.GetBonds())
    )
