"""US List I derivative families: a parent chemical with its amides, carbamates, etc.

- 4-anilinopiperidine (4-AP), its amides, its carbamates, its salts (2020);
  its halides (2023): an acyl group (amide or carbamate) on either nitrogen,
  halogens on the phenyl ring, nothing else.
- 4-piperidone, its acetals, amides, carbamates and salts (2023).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rdkit import Chem

from jointprobe.chem.core import Core
from jointprobe.chem.lists import rule_facts
from jointprobe.chem.model import Reason, Verdict
from jointprobe.chem.rules.base import Rule, Subject, grant


def _already_named(verdict: Verdict) -> bool:
    return any(r.kind == "precursor" for r in verdict.reasons)


def _family_reason(rule_id: str, description: str) -> Reason:
    facts = rule_facts()[rule_id]
    return Reason(
        rule=rule_id,
        kind="precursor",
        title=facts.title,
        citation=facts.citation,
        effective=facts.effective,
        schedule=facts.schedule,
        note=description,
    )


class FourAnilinopiperidineFamily(Rule):
    rule_id = "US.LIST_I.4AP"

    def apply(self, subject: Subject, as_of: date, verdict: Verdict) -> None:
        if _already_named(verdict):
            return
        for core in subject.cores():
            found = self._derivative(core)
            if found is None:
                continue
            rule_id, description = found
            facts = rule_facts()[rule_id]
            if as_of < facts.effective:
                verdict.notes.append(
                    f"{facts.title}: {description}; in force from {facts.effective.isoformat()}"
                )
                return
            grant(verdict, _family_reason(rule_id, description), fentanyl=False, precursor=True)
            return

    def _derivative(self, core: Core) -> tuple[str, str] | None:
        if core.ring_subs or not core.aryl.phenyl:
            return None
        parts = []
        for label, group in (("anilide N", core.acyl), ("piperidine N", core.n_sub)):
            if group is None:
                continue
            if group.fused or not _carbonyl(core.mol, group.attach):
                return None
            kind = "carbamate" if _is_carbamate(core.mol, group.attach) else "amide"
            parts.append(f"{kind} on the {label}")
        halides = [g for g in core.aryl_subs if g.category == "halo"]
        if len(halides) != len(core.aryl_subs):
            return None
        if halides:
            parts.append(f"{len(halides)} halogen(s) on the phenyl ring")
        description = "4-AP " + (", ".join(parts) if parts else "itself")
        return ("US.LIST_I.4AP_HALIDES" if halides else "US.LIST_I.4AP"), description


def _carbonyl(mol: Any, idx: int) -> bool:
    atom = mol.GetAtomWithIdx(idx)
    return atom.GetAtomicNum() == 6 and any(
        b.GetBondType() == Chem.BondType.DOUBLE and b.GetOtherAtom(atom).GetAtomicNum() == 8
        for b in atom.GetBonds()
    )


def _is_carbamate(mol: Any, idx: int) -> bool:
    atom = mol.GetAtomWithIdx(idx)
    return any(
        b.GetBondType() == Chem.BondType.SINGLE and b.GetOtherAtom(atom).GetAtomicNum() == 8
        for b in atom.GetBonds()
    )


# C4 as ketone, or with two single-bonded oxygens (acetal, ketal, hydrate);
# ring carbons otherwise bare; the nitrogen free or acylated, checked below.
_PIPERIDONE = Chem.MolFromSmarts("[#6X3](=O)1[CH2][CH2][#7X3;!$(N=*)][CH2][CH2]1")
_PIPERIDONE_ACETAL = Chem.MolFromSmarts("[#6X4](-[OX2])(-[OX2])1[CH2][CH2][#7X3][CH2][CH2]1")


class PiperidoneFamily(Rule):
    rule_id = "US.LIST_I.4PIPERIDONE"

    def apply(self, subject: Subject, as_of: date, verdict: Verdict) -> None:
        if _already_named(verdict):
            return
        mol = subject.mol
        for pattern, form in ((_PIPERIDONE, "ketone"), (_PIPERIDONE_ACETAL, "acetal")):
            for match in mol.GetSubstructMatches(pattern):
                description = self._describe(mol, match, form)
                if description is None:
                    continue
                facts = rule_facts()[self.rule_id]
                if as_of < facts.effective:
                    verdict.notes.append(
                        f"{facts.title}: {description}; in force from {facts.effective.isoformat()}"
                    )
                    return
                reason = _family_reason(self.rule_id, description)
                grant(verdict, reason, fentanyl=False, precursor=True)
                return

    def _describe(self, mol: Any, match: tuple[int, ...], form: str) -> str | None:
        ring = set(match)
        n = mol.GetAtomWithIdx(match[4] if form == "ketone" else match[5])
        outside = [nb.GetIdx() for nb in n.GetNeighbors() if nb.GetIdx() not in ring]
        if outside and not _carbonyl(mol, outside[0]):
            return None
        if form == "acetal" and not self._small_acetal(mol, match):
            return None
        if not outside:
            part = "free N-H"
        else:
            part = "carbamate" if _is_carbamate(mol, outside[0]) else "amide"
        return f"4-piperidone {form}, {part}"

    @staticmethod
    def _small_acetal(mol: Any, match: tuple[int, ...]) -> bool:
        """Acetal oxygens carry only alkyl (e.g. the ethylene ketal), no other groups."""
        for o in (match[1], match[2]):
            for nb in mol.GetAtomWithIdx(o).GetNeighbors():
                if nb.GetIdx() != match[0] and (nb.GetAtomicNum() != 6 or nb.GetIsAromatic()):
                    return False
        return True


__all__ = ["FourAnilinopiperidineFamily", "PiperidoneFamily"]
