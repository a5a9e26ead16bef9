"""Draw a structure as SVG with the matched core and the modified regions highlighted.

Colours: the 4-anilinopiperidine core in blue; regions a class rule found
modified in orange; everything else plain.
"""

from __future__ import annotations

from typing import Any

from rdkit.Chem import rdDepictor
from rdkit.Chem.Draw import rdMolDraw2D

from jointprobe.chem.classify import classify
from jointprobe.chem.model import Classification

CORE_COLOUR = (0.55, 0.75, 1.0)
MODIFIED_COLOUR = (1.0, 0.65, 0.3)


def depict_svg(structure: str | Classification, width: int = 520, height: int = 380) -> str:
    """SVG of a structure (or of a finished classification), regions highlighted."""
    result = structure if isinstance(structure, Classification) else classify(structure)
    mol = result.standardized.mol
    colours: dict[int, tuple[float, float, float]] = {}
    cores = _cores(mol)
    for core in cores[:1]:
        for idx in core.core_atoms:
            colours[idx] = CORE_COLOUR
    for verdict in result.verdicts.values():
        for reason in verdict.reasons:
            for mod in reason.modifications:
                for idx in mod.atoms:
                    colours[idx] = MODIFIED_COLOUR
    return _draw(mol, colours, width, height, _legend(result))


def _cores(mol: Any) -> list[Any]:
    from jointprobe.chem.core import find_cores

    return find_cores(mol)


def _legend(result: Classification) -> str:
    parts = []
    for code, verdict in result.verdicts.items():
        state = "controlled" if verdict.controlled else "not controlled"
        if verdict.fentanyl_related:
            state += " (fentanyl-related)"
        elif verdict.precursor:
            state += " (precursor)"
        parts.append(f"{code}: {state}")
    return "; ".join(parts)


def _draw(
    mol: Any, colours: dict[int, tuple[float, float, float]], width: int, height: int, legend: str
) -> str:
    drawing = rdMolDraw2D.MolDraw2DSVG(width, height)
    rdDepictor.Compute2DCoords(mol)
    atoms = sorted(colours)
    bonds = []
    bond_colours: dict[int, tuple[float, float, float]] = {}
    for bond in mol.GetBonds():
        a, b = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        if a in colours and b in colours:
            bonds.append(bond.GetIdx())
            bond_colours[bond.GetIdx()] = colours[b] if colours[a] != colours[b] else colours[a]
    rdMolDraw2D.PrepareAndDrawMolecule(
        drawing,
        mol,
        legend=legend,
        highlightAtoms=atoms,
        highlightAtomColors=colours,
        highlightBonds=bonds,
        highlightBondColors=bond_colours,
    )
    drawing.FinishDrawing()
    return str(drawing.GetDrawingText())
