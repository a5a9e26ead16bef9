"""Rules that look a structure up in named lists (schedules, precursor tables)."""

from __future__ import annotations

from datetime import date

from jointprobe.chem.model import Reason, Verdict
from jointprobe.chem.rules.base import Rule, Subject, grant


class NamedListRule(Rule):
    """Controlled because the structure is named in one of ``list_ids``."""

    def __init__(self, *list_ids: str) -> None:
        self.list_ids = frozenset(list_ids)
        self.rule_id = "+".join(sorted(list_ids))

    def apply(self, subject: Subject, as_of: date, verdict: Verdict) -> None:
        for entry in subject.named():
            if entry.list_id not in self.list_ids:
                continue
            if entry.effective > as_of:
                verdict.notes.append(
                    f"{entry.name}: listed in {entry.list_title} ({entry.schedule}) from "
                    f"{entry.effective.isoformat()}, not yet in force on {as_of.isoformat()}"
                )
                continue
            reason = Reason(
                rule=entry.list_id,
                kind="precursor" if entry.kind == "precursor" else "named",
                title=entry.list_title,
                citation=entry.citation,
                effective=entry.effective,
                schedule=entry.schedule,
                substance=entry.name,
                note=entry.note,
            )
            grant(
                verdict,
                reason,
                fentanyl=entry.kind == "fentanyl",
                precursor=entry.kind == "precursor",
            )
