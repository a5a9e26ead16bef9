"""Named lists (schedules, precursor tables) loaded from versioned data files.

Each ``data/<list>.yaml`` holds one legal list: jurisdiction, title, version,
source, and entries (name, SMILES, schedule, kind, effective date, citation).
``data/rules.yaml`` holds the citation and dates of the class rules and
derivative families implemented in code. Lookup: molecular formula first
(cheap), canonical non-stereo SMILES of the parent only when a formula hits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from rdkit import Chem
from rdkit.Chem import rdMolDescriptors

from jointprobe.errors import ConfigError

KINDS = ("fentanyl", "precursor", "other")


@dataclass(frozen=True, slots=True)
class NamedEntry:
    list_id: str
    jurisdiction: str
    list_title: str
    name: str
    smiles: str
    schedule: str
    kind: str  # fentanyl | precursor | other
    effective: date
    citation: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class RuleFacts:
    rule_id: str
    jurisdiction: str
    title: str
    schedule: str
    citation: str
    effective: date
    source: str


class NamedIndex:
    """All named entries, found by structure."""

    def __init__(self, entries: list[NamedEntry]) -> None:
        self.entries = entries
        self._by_formula: dict[str, list[tuple[str, NamedEntry]]] = defaultdict(list)
        for entry in entries:
            mol = Chem.MolFromSmiles(entry.smiles)
            if mol is None:
                raise ConfigError(f"bad SMILES in list {entry.list_id}: {entry.name}")
            self._by_formula[formula(mol)].append((structure_key(mol), entry))

    def lookup(self, mol: Any) -> list[NamedEntry]:
        candidates = self._by_formula.get(formula(mol))
        if not candidates:
            return []
        key = structure_key(mol)
        return [entry for k, entry in candidates if k == key]

    def lists(self) -> list[str]:
        return sorted({e.list_id for e in self.entries})


def formula(mol: Any) -> str:
    return str(rdMolDescriptors.CalcMolFormula(mol))


def structure_key(mol: Any) -> str:
    """Canonical SMILES without stereo: lists cover all stereoisomers."""
    return str(Chem.MolToSmiles(mol, isomericSmiles=False))


LIST_FILES = (
    "us_csa.yaml",
    "us_list_i.yaml",
    "cn_narcotics.yaml",
    "cn_precursors.yaml",
    "un_1961.yaml",
    "un_1988.yaml",
)


def _read(name: str) -> dict[str, Any]:
    text = resources.files("jointprobe.chem").joinpath("data").joinpath(name).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError(f"chem data file {name} is not a mapping")
    return data


def load_list(name: str) -> list[NamedEntry]:
    data = _read(name)
    out = []
    for raw in data["entries"]:
        if raw["kind"] not in KINDS:
            raise ConfigError(f"{name}: {raw['name']}: kind must be one of {KINDS}")
        out.append(
            NamedEntry(
                list_id=data["list"],
                jurisdiction=data["jurisdiction"],
                list_title=data["title"],
                name=str(raw["name"]),
                smiles=raw["smiles"],
                schedule=raw["schedule"],
                kind=raw["kind"],
                effective=_date(raw["effective"], name),
                citation=raw["citation"],
                note=raw.get("note") or ("effective year only" if raw.get("precision") else None),
            )
        )
    return out


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: bad date {value!r}") from exc


@lru_cache(maxsize=1)
def named_index() -> NamedIndex:
    entries: list[NamedEntry] = []
    for name in LIST_FILES:
        entries.extend(load_list(name))
    return NamedIndex(entries)


@lru_cache(maxsize=1)
def rule_facts() -> dict[str, RuleFacts]:
    data = _read("rules.yaml")
    return {
        rule_id: RuleFacts(
            rule_id=rule_id,
            jurisdiction=raw["jurisdiction"],
            title=raw["title"],
            schedule=raw["schedule"],
            citation=" ".join(str(raw["citation"]).split()),
            effective=_date(raw["effective"], "rules.yaml"),
            source=raw["source"],
        )
        for rule_id, raw in data["rules"].items()
    }
