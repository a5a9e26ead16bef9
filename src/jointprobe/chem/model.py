"""Result types of a classification and their stable JSON form.

Plain ``__slots__`` dataclasses inside (speed); ``to_dict()`` gives the
documented JSON schema (docs/chemistry.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jointprobe.chem.standardize import Standardized

JURISDICTIONS_ORDER = ("US", "CN", "UN")


@dataclass(frozen=True, slots=True)
class Modification:
    """One region of the molecule that differs from fentanyl, and the clause allowing it."""

    clause: str  # e.g. "E" (US), "1" (CN)
    region: str  # acyl | aryl | piperidine | n_substituent
    description: str
    atoms: frozenset[int] = field(default_factory=frozenset, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"clause": self.clause, "region": self.region, "description": self.description}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a jurisdiction controls the structure: rule, legal source, date, regions."""

    rule: str  # e.g. "US.CSA", "US.FRS", "CN.PRECURSORS"
    kind: str  # named | class | precursor
    title: str
    citation: str
    effective: date
    schedule: str | None = None
    substance: str | None = None
    modifications: tuple[Modification, ...] = ()
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "title": self.title,
            "substance": self.substance,
            "schedule": self.schedule,
            "citation": self.citation,
            "effective_date": self.effective.isoformat(),
            "modifications": [m.to_dict() for m in self.modifications],
            "note": self.note,
        }


@dataclass(slots=True)
class Verdict:
    """One jurisdiction's answer; booleans plus the reasons and the near misses."""

    jurisdiction: str
    controlled: bool = False
    fentanyl_related: bool = False
    precursor: bool = False
    reasons: list[Reason] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "controlled": self.controlled,
            "fentanyl_related": self.fentanyl_related,
            "precursor": self.precursor,
            "reasons": [r.to_dict() for r in self.reasons],
            "notes": list(self.notes),
        }


class Classification:
    """The answer for one structure. Identifiers are computed on first use."""

    __slots__ = ("input", "as_of", "verdicts", "_std", "_smiles", "_inchikey")

    def __init__(self, input: str, as_of: date, std: Standardized, verdicts: dict[str, Verdict]):
        self.input = input
        self.as_of = as_of
        self.verdicts = verdicts
        self._std = std
        self._smiles: str | None = None
        self._inchikey: str | None = None

    @property
    def standardized(self) -> Standardized:
        return self._std

    @property
    def standardized_smiles(self) -> str:
        if self._smiles is None:
            self._smiles = self._std.smiles()
        return self._smiles

    @property
    def inchikey(self) -> str:
        if self._inchikey is None:
            self._inchikey = self._std.inchikey()
        return self._inchikey

    @property
    def flagged(self) -> bool:
        """True when any jurisdiction controls the structure."""
        return any(v.controlled for v in self.verdicts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "standardized_smiles": self.standardized_smiles,
            "inchikey": self.inchikey,
            "as_of": self.as_of.isoformat(),
            "standardization": self._std.notes(),
            "verdicts": {code: v.to_dict() for code, v in self.verdicts.items()},
        }
