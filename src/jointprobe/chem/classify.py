"""The service functions: classify one structure, or many."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from jointprobe.chem.model import JURISDICTIONS_ORDER, Classification
from jointprobe.chem.parse import read_structure
from jointprobe.chem.rules import Subject, get_jurisdiction, jurisdictions
from jointprobe.chem.standardize import standardize
from jointprobe.errors import JointprobeError


def classify(
    structure: str,
    as_of: date | None = None,
    *,
    keep_stereo: bool = True,
    only: Sequence[str] | None = None,
) -> Classification:
    """Classify a SMILES, InChI or MOL block under every registered jurisdiction.

    ``as_of`` answers for that date (default: today). ``only`` restricts the
    jurisdictions (codes such as ``"US"``). Raises ``InvalidStructure``
    subclasses for input that cannot be classified, saying where it fails.
    """
    text = structure.strip() if structure and "\n" not in structure.strip() else structure
    mol, fmt = read_structure(text)
    return classify_mol(
        mol,
        text,
        as_of,
        keep_stereo=keep_stereo,
        only=only,
        smiles=text if fmt == "smiles" else None,
    )


def classify_mol(
    mol: Any,
    label: str,
    as_of: date | None = None,
    *,
    keep_stereo: bool = True,
    only: Sequence[str] | None = None,
    smiles: str | None = None,
) -> Classification:
    """Classify an already parsed RDKit molecule; ``label`` is reported as the input."""
    when = as_of or date.today()
    std = standardize(mol, keep_stereo, smiles=smiles)
    subject = Subject(std.mol)
    verdicts = {j.code: j.judge(subject, when) for j in _selected(only)}
    return Classification(label, when, std, verdicts)


def _selected(only: Sequence[str] | None) -> list[Any]:
    if only:
        return [get_jurisdiction(code) for code in only]
    registered = jurisdictions()
    rank = {code: i for i, code in enumerate(JURISDICTIONS_ORDER)}
    return sorted(registered, key=lambda j: rank.get(j.code, len(rank)))


class Outcome:
    """One row of a batch: a classification or the error that prevented it."""

    __slots__ = ("line", "input", "classification", "error")

    def __init__(
        self,
        line: int,
        input: str,
        classification: Classification | None = None,
        error: JointprobeError | None = None,
    ) -> None:
        self.line = line
        self.input = input
        self.classification = classification
        self.error = error


def classify_many(
    rows: Iterable[tuple[int, str]],
    as_of: date | None = None,
    *,
    keep_stereo: bool = True,
) -> Iterator[Outcome]:
    """Classify ``(line, structure)`` rows; a bad row yields an error outcome, not an exception."""
    when = as_of or date.today()
    for line, text in rows:
        try:
            yield Outcome(line, text, classify(text, when, keep_stereo=keep_stereo))
        except JointprobeError as exc:
            if exc.where is None or not exc.where.startswith("line"):
                exc.where = f"line {line}" + (f", {exc.where}" if exc.where else "")
            yield Outcome(line, text, error=exc)
