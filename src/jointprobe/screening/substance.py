"""The substance of an order: identified by name, CAS number or structure, then
classified by the chemistry layer as of the order date.

A substance that no list controls but that resembles a listed precursor
(Morgan fingerprint, Tanimoto ≥ the analogue threshold) is reported as an
analogue with the similarity, for the red-flag rules to weigh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from jointprobe import chem
from jointprobe.chem.lists import named_index
from jointprobe.errors import InvalidInput
from jointprobe.screening.orders import SubstanceIn

ANALOGUE_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Control:
    """One listing that applies on the order date."""

    jurisdiction: str
    rule: str
    kind: str  # precursor | named | class
    schedule: str | None
    substance: str | None
    effective: date
    citation: str

    def text(self) -> str:
        what = "precursor" if self.kind == "precursor" else "controlled drug"
        listed = f"{self.rule} {self.schedule}" if self.schedule else self.rule
        return f"{self.jurisdiction}: {what} ({listed}, in force {self.effective.isoformat()})"


@dataclass(frozen=True, slots=True)
class Analogue:
    name: str
    similarity: float
    listings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubstanceStatus:
    given: str
    name: str | None = None
    cas: str | None = None
    smiles: str | None = None
    controls: tuple[Control, ...] = ()
    pending: tuple[str, ...] = ()  # listings not yet in force on the order date
    analogues: tuple[Analogue, ...] = ()
    problem: str | None = None  # why the substance could not be identified
    where: str | None = None  # the field at fault
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def identified(self) -> bool:
        return self.smiles is not None

    @property
    def precursor(self) -> bool:
        return any(c.kind == "precursor" for c in self.controls)

    @property
    def drug(self) -> bool:
        return any(c.kind != "precursor" for c in self.controls)


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", " ", name.strip().casefold())


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[str, tuple[str, str, str | None]], dict[str, tuple[str, str]]]:
    """``name key → (name, smiles, cas)`` and ``cas → (name, smiles)``."""
    text = resources.files("jointprobe.screening").joinpath("data/substances.yaml")
    data = yaml.safe_load(text.read_text("utf-8"))
    by_name: dict[str, tuple[str, str, str | None]] = {}
    by_cas: dict[str, tuple[str, str]] = {}
    for entry in named_index().entries:  # the chemistry lists' own names
        head, _, inner = entry.name.partition(" (")
        for alias in (entry.name, head, inner.rstrip(")")):
            if alias:
                by_name.setdefault(_key(alias), (head, entry.smiles, None))
    for raw in data["substances"]:
        cas = str(raw["cas"])
        by_cas[cas] = (raw["name"], raw["smiles"])
        for alias in (raw["name"], *raw.get("synonyms", [])):
            by_name[_key(str(alias))] = (raw["name"], raw["smiles"], cas)
    return by_name, by_cas


def catalogue_entries() -> list[dict[str, Any]]:
    """The raw entries of ``data/substances.yaml`` (for tests and docs)."""
    text = resources.files("jointprobe.screening").joinpath("data/substances.yaml")
    entries: list[dict[str, Any]] = yaml.safe_load(text.read_text("utf-8"))["substances"]
    return entries


def identify(given: SubstanceIn) -> tuple[str | None, str | None, str | None, str, str | None]:
    """``(name, cas, smiles, field, problem)``: structure first, then CAS, then name."""
    by_name, by_cas = _catalogue()
    if given.smiles:
        named = given.name or next((n for n, s, _c in by_name.values() if s == given.smiles), None)
        return named, given.cas, given.smiles, "substance.smiles", None
    if given.cas:
        if given.cas in by_cas:
            name, smiles = by_cas[given.cas]
            return name, given.cas, smiles, "substance.cas", None
        return given.name, given.cas, None, "substance.cas", f"unknown CAS number {given.cas}"
    if given.name:
        found = by_name.get(_key(given.name))
        if found:
            return found[0], found[2], found[1], "substance.name", None
        return given.name, None, None, "substance.name", f"unknown substance {given.name!r}"
    return None, None, None, "substance", "no substance given (name, cas or smiles)"


def substance_status(given: SubstanceIn, on: date) -> SubstanceStatus:
    """Identify the substance and say which lists control it on ``on``."""
    label = given.name or given.cas or given.smiles or ""
    name, cas, smiles, where, problem = identify(given)
    if smiles is None:
        return SubstanceStatus(label, name, cas, problem=problem, where=where)
    try:
        result = chem.classify(smiles, on)
    except InvalidInput as exc:
        return SubstanceStatus(label, name, cas, problem=exc.message, where=where)
    controls, pending = [], []
    for code, verdict in result.verdicts.items():
        for reason in verdict.reasons:
            controls.append(
                Control(
                    code,
                    reason.rule,
                    reason.kind,
                    reason.schedule,
                    reason.substance,
                    reason.effective,
                    reason.citation,
                )
            )
        pending += [f"{code}: {note}" for note in verdict.notes if "not yet in force" in note]
    analogues = () if controls else _analogues(smiles)
    return SubstanceStatus(
        label, name, cas, result.standardized_smiles, tuple(controls), tuple(pending), analogues
    )


@lru_cache(maxsize=1)
def _precursor_names() -> frozenset[str]:
    return frozenset(e.name for e in named_index().entries if e.kind == "precursor")


def _analogues(smiles: str) -> tuple[Analogue, ...]:
    near = chem.similar(smiles, top=5, threshold=ANALOGUE_THRESHOLD)
    return tuple(
        Analogue(s.name, round(s.similarity, 3), s.listings)
        for s in near
        if s.name in _precursor_names() and s.similarity < 1.0
    )
