"""Nearest controlled substances by fingerprint similarity (Morgan radius 2, Tanimoto).

For a compound no rule catches, this tells a chemist which listed substances
it resembles and under which lists they are controlled.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

from jointprobe.chem.lists import named_index, structure_key
from jointprobe.chem.parse import read_structure
from jointprobe.chem.standardize import standardize


@dataclass(frozen=True, slots=True)
class SimilarSubstance:
    name: str
    smiles: str
    similarity: float
    listings: tuple[str, ...]  # e.g. "US.CSA Schedule I (2018-02-01)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "smiles": self.smiles,
            "similarity": round(self.similarity, 3),
            "listings": list(self.listings),
        }


@lru_cache(maxsize=1)
def _generator() -> Any:
    return rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)


@lru_cache(maxsize=1)
def _library() -> list[tuple[str, str, Any, tuple[str, ...]]]:
    """One fingerprint per distinct structure, with every listing of it."""
    grouped: dict[str, list[Any]] = {}
    for entry in named_index().entries:
        mol = Chem.MolFromSmiles(entry.smiles)
        grouped.setdefault(structure_key(mol), []).append(entry)
    out = []
    for key, entries in grouped.items():
        fp = _generator().GetFingerprint(Chem.MolFromSmiles(key))
        listings = tuple(f"{e.list_id} {e.schedule} ({e.effective.isoformat()})" for e in entries)
        out.append((entries[0].name, key, fp, listings))
    return out


def similar(structure: str, top: int = 5, threshold: float = 0.0) -> list[SimilarSubstance]:
    """The ``top`` named controlled substances most similar to ``structure``."""
    mol, fmt = read_structure(structure)
    std = standardize(mol, smiles=structure if fmt == "smiles" else None)
    fp = _generator().GetFingerprint(std.mol)
    library = _library()
    scores = DataStructs.BulkTanimotoSimilarity(fp, [item[2] for item in library])
    ranked = sorted(zip(scores, library, strict=True), key=lambda pair: pair[0], reverse=True)
    return [
        SimilarSubstance(name, key, float(score), listings)
        for score, (name, key, _fp, listings) in ranked[:top]
        if score >= threshold
    ]
