"""Substance intelligence (C5): is this structure controlled, where, since when, and why.

Public surface::

    classify(structure, as_of=None) -> Classification
    classify_mol(mol, label, as_of=None) -> Classification
    classify_many(rows, as_of=None) -> Iterator[Outcome]
    read_batch(path) -> Iterator[tuple[int, str]]
    depict_svg(structure_or_classification) -> str
    similar(structure, top=5) -> list[SimilarSubstance]

Rules per jurisdiction live in ``jointprobe.chem.rules`` (a Rule base class
and a registry); the named lists and rule citations in ``chem/data/*.yaml``.
"""

from jointprobe.chem.batch import read_batch
from jointprobe.chem.classify import Outcome, classify, classify_many, classify_mol
from jointprobe.chem.depict import depict_svg
from jointprobe.chem.errors import (
    EmptyStructure,
    InvalidStructure,
    UnparseableStructure,
    UnsupportedStructure,
)
from jointprobe.chem.model import Classification, Modification, Reason, Verdict
from jointprobe.chem.rules import Jurisdiction, Rule, get_jurisdiction, jurisdictions, register
from jointprobe.chem.similarity import SimilarSubstance, similar

__all__ = [
    "Classification",
    "EmptyStructure",
    "InvalidStructure",
    "Jurisdiction",
    "Modification",
    "Outcome",
    "Reason",
    "Rule",
    "SimilarSubstance",
    "UnparseableStructure",
    "UnsupportedStructure",
    "Verdict",
    "classify",
    "classify_many",
    "classify_mol",
    "depict_svg",
    "get_jurisdiction",
    "jurisdictions",
    "read_batch",
    "register",
    "similar",
]
