"""The seam for jurisdictions: a small Rule base class, a Jurisdiction, a registry.

A Jurisdiction runs its rules in order on a Subject and returns a Verdict.
Named-list rules run first, so a class rule can see that the substance is
already controlled by name (both the US and the Chinese class definitions
exclude substances controlled elsewhere).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import date
from typing import Any

from jointprobe.chem.core import Core, find_cores, has_core
from jointprobe.chem.lists import NamedEntry, named_index
from jointprobe.chem.model import Reason, Verdict
from jointprobe.errors import NotFound


class Subject:
    """The standardised parent molecule and the facts rules share, computed once."""

    __slots__ = ("mol", "_named", "_cores")

    def __init__(self, mol: Any) -> None:
        self.mol = mol
        self._named: list[NamedEntry] | None = None
        self._cores: list[Core] | None = None

    def named(self) -> list[NamedEntry]:
        if self._named is None:
            self._named = named_index().lookup(self.mol)
        return self._named

    def cores(self) -> list[Core]:
        """4-anilinopiperidine cores; the cheap screen runs before any decomposition."""
        if self._cores is None:
            self._cores = find_cores(self.mol) if has_core(self.mol) else []
        return self._cores


class Rule(ABC):
    """One legal rule of one jurisdiction. ``apply`` adds reasons or notes to the verdict."""

    rule_id: str = ""

    @abstractmethod
    def apply(self, subject: Subject, as_of: date, verdict: Verdict) -> None: ...


def grant(verdict: Verdict, reason: Reason, *, fentanyl: bool, precursor: bool) -> None:
    """Record a reason under which the substance is controlled."""
    verdict.reasons.append(reason)
    verdict.controlled = True
    verdict.fentanyl_related = verdict.fentanyl_related or fentanyl
    verdict.precursor = verdict.precursor or precursor


class Jurisdiction:
    """A named set of rules, e.g. US federal law."""

    def __init__(self, code: str, name: str, rules: Iterable[Rule]) -> None:
        self.code = code
        self.name = name
        self.rules = list(rules)

    def judge(self, subject: Subject, as_of: date) -> Verdict:
        verdict = Verdict(self.code)
        for rule in self.rules:
            rule.apply(subject, as_of, verdict)
        return verdict


_REGISTRY: dict[str, Jurisdiction] = {}


def register(jurisdiction: Jurisdiction) -> Jurisdiction:
    _REGISTRY[jurisdiction.code] = jurisdiction
    return jurisdiction


def get_jurisdiction(code: str) -> Jurisdiction:
    try:
        return _REGISTRY[code.upper()]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise NotFound(f"unknown jurisdiction {code!r} (known: {known})") from None


def jurisdictions() -> list[Jurisdiction]:
    return list(_REGISTRY.values())
