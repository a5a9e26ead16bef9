"""The red-flag rule table: data (``data/red_flags.yaml`` and a regulator's own
file) naming small check functions (:mod:`jointprobe.screening.flag_checks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from jointprobe.errors import ConfigError
from jointprobe.screening.orders import Order
from jointprobe.screening.substance import SubstanceStatus


@dataclass(frozen=True, slots=True)
class PastOrder:
    """An earlier stored order of the same customer."""

    order_date: date
    substance: str  # standardised SMILES, or the name as given when not identified
    base_quantity: Decimal
    base_unit: str


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may look at: the order, its substance, the customer's history."""

    order: Order
    substance: SubstanceStatus
    history: tuple[PastOrder, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    check: str
    text: str
    sources: tuple[str, ...]
    points: int
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Policy:
    review_at: int
    hold_at: int
    list_match: int
    list_near: int
    near_score: float
    controlled_precursor: int
    controlled_drug: int
    unknown_substance: int


@dataclass(frozen=True, slots=True)
class RuleSet:
    rules: tuple[Rule, ...]
    policy: Policy
    sources: dict[str, str]

    def source_text(self, rule: Rule) -> str:
        return "; ".join(self.sources.get(s, s) for s in rule.sources)


def _rules(data: dict[str, Any], where: str, checks: frozenset[str]) -> list[Rule]:
    out = []
    for i, raw in enumerate(data.get("rules") or [], start=1):
        try:
            rule = Rule(
                str(raw["id"]),
                str(raw["check"]),
                str(raw["text"]),
                tuple(raw.get("source") or ()),
                int(raw.get("points", 1)),
                dict(raw.get("params") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: rule {i}: missing or bad field {exc}") from None
        if rule.check not in checks:
            raise ConfigError(
                f"{where}: rule {rule.id}: unknown check {rule.check!r}; "
                f"known: {', '.join(sorted(checks))}"
            )
        if not rule.sources:
            raise ConfigError(f"{where}: rule {rule.id}: give a source")
        out.append(rule)
    return out


def _read_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: a rule file is a mapping with 'rules'")
    return data


def build_rules(checks: frozenset[str], extra: Path | None = None) -> RuleSet:
    """The built-in rules, with ``extra`` (a regulator's file) added or replacing by id."""
    builtin = resources.files("jointprobe.screening").joinpath("data/red_flags.yaml")
    base = _read_yaml(builtin.read_text("utf-8"), "red_flags.yaml")
    rules = {r.id: r for r in _rules(base, "red_flags.yaml", checks)}
    sources = dict(base.get("sources") or {})
    verdict = dict(base["verdict"])
    if extra is not None:
        try:
            own = _read_yaml(extra.read_text("utf-8"), str(extra))
        except OSError as exc:
            raise ConfigError(f"{extra}: cannot read: {exc}") from None
        sources.update(own.get("sources") or {})
        verdict.update(own.get("verdict") or {})
        rules.update({r.id: r for r in _rules(own, str(extra), checks)})
    try:
        policy = Policy(**verdict)
    except TypeError as exc:
        raise ConfigError(f"verdict settings: {exc}") from None
    return RuleSet(tuple(rules.values()), policy, sources)
