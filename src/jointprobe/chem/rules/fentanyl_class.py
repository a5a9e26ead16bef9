"""Shared machinery of the fentanyl class rules (US FRS, China 2019).

A class rule assesses each 4-anilinopiperidine core region by region against
fentanyl and returns the modifications it found plus the reasons any region
falls outside the law. Only a core whose every changed region is allowed, and
that differs from fentanyl somewhere, is within the class.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from rdkit import Chem

from jointprobe.chem.core import Core, find_cores
from jointprobe.chem.groups import Group, fragment_smiles
from jointprobe.chem.lists import RuleFacts, rule_facts
from jointprobe.chem.model import Modification, Reason, Verdict
from jointprobe.chem.rules.base import Rule, Subject, grant

FENTANYL_SMILES = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
LISTED_GROUPS = frozenset(
    {"alkyl", "alkenyl", "alkoxyl", "ester", "ether", "hydroxyl", "halo", "haloalkyl", "amino"}
    | {"nitro"}
)


@dataclass(slots=True)
class Assessment:
    core: Core
    modifications: list[Modification] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def within(self) -> bool:
        return not self.failures and bool(self.modifications)

    def mod(self, clause: str, region: str, text: str, atoms: frozenset[int]) -> None:
        self.modifications.append(Modification(clause, region, text, atoms))


@lru_cache(maxsize=1)
def fentanyl_regions() -> dict[str, str]:
    """Fentanyl's own regions, as the reference every comparison uses."""
    core = find_cores(Chem.MolFromSmiles(FENTANYL_SMILES))[0]
    return {r: core.region_smiles(r) for r in ("acyl", "aryl", "n_substituent")}


def describe(core: Core, group: Group) -> str:
    return f"{group.category} {fragment_smiles(core.mol, group.atoms, group.anchor)}"


def check_acyl(a: Assessment, clause: str) -> None:
    core = a.core
    if core.acyl is None:
        a.failures.append(
            "the anilide nitrogen carries hydrogen: an amine, not an amide "
            "(no acyl group in place of propionyl)"
        )
    elif not core.acyl_is_carbonyl:
        a.failures.append(
            f"the anilide nitrogen carries {describe(core, core.acyl)}, not an acyl group"
        )
    else:
        acyl = core.region_smiles("acyl")
        if acyl != fentanyl_regions()["acyl"]:
            a.mod(clause, "acyl", f"N-propionyl replaced by acyl group {acyl}", core.acyl.atoms)


def check_aryl(a: Assessment, clause: str) -> None:
    core = a.core
    if not (core.aryl.monocycle and core.aryl.aromatic):
        a.failures.append(
            f"the N-aryl group {core.region_smiles('aryl')} is not an aromatic monocycle"
        )
        return
    if any(g.fused for g in core.aryl_subs):
        a.failures.append("a substituent on the N-aryl ring bonds back into the core")
        return
    aryl = core.region_smiles("aryl")
    if aryl != fentanyl_regions()["aryl"]:
        what = "substituted" if core.aryl.phenyl else "replaced by aromatic monocycle"
        a.mod(clause, "aryl", f"aniline ring {what}: {aryl}", core.aryl_atoms)


def check_piperidine(a: Assessment, clause: str, list_word: str) -> None:
    core = a.core
    for group in core.ring_subs:
        text = f"{describe(core, group)} at piperidine position {group.position}"
        if group.category in LISTED_GROUPS:
            a.mod(clause, "piperidine", text, group.atoms)
        else:
            a.failures.append(
                f"{text}: not among the substituents the rule lists "
                f"(the list ends in '{list_word}'; legal review advised)"
            )


class FentanylClassRule(Rule):
    """Base of a fentanyl class rule; subclasses assess the regions."""

    kind_title = "fentanyl-related substance (class rule)"

    @property
    def facts(self) -> RuleFacts:
        return rule_facts()[self.rule_id]

    @abstractmethod
    def assess(self, core: Core) -> Assessment: ...

    def apply(self, subject: Subject, as_of: date, verdict: Verdict) -> None:
        cores = subject.cores()
        if not cores:
            return
        assessments = [self.assess(core) for core in cores]
        hit = next((x for x in assessments if x.within), None)
        if hit is None:
            self._explain_miss(assessments[0], verdict)
            return
        facts = self.facts
        named = [r for r in verdict.reasons if r.kind == "named"]
        if named:
            self._annotate_named(verdict, named[0], hit)
            return
        if as_of < facts.effective:
            verdict.notes.append(
                f"{facts.title}: within the class ({_clauses(hit)}), but the rule takes effect "
                f"{facts.effective.isoformat()}, after {as_of.isoformat()}"
            )
            return
        reason = Reason(
            rule=self.rule_id,
            kind="class",
            title=facts.title,
            citation=facts.citation,
            effective=facts.effective,
            schedule=facts.schedule,
            modifications=tuple(hit.modifications),
        )
        grant(verdict, reason, fentanyl=True, precursor=False)

    def _explain_miss(self, a: Assessment, verdict: Verdict) -> None:
        facts = self.facts
        if not a.failures:
            verdict.notes.append(f"{facts.title}: identical to fentanyl, which is listed by name")
            return
        verdict.notes.append(f"{facts.title}: not met: " + "; ".join(a.failures))

    def _annotate_named(self, verdict: Verdict, named: Reason, hit: Assessment) -> None:
        index = verdict.reasons.index(named)
        verdict.reasons[index] = replace(named, modifications=tuple(hit.modifications))
        verdict.notes.append(
            f"{self.facts.title}: also within the class ({_clauses(hit)}), but the class "
            "definition excludes substances controlled elsewhere; the named listing applies"
        )


def _clauses(a: Assessment) -> str:
    seen = dict.fromkeys(m.clause for m in a.modifications)
    return "modifications " + ", ".join(f"({c})" for c in seen)
