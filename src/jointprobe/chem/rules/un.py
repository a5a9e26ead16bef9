"""United Nations: 1961 Single Convention schedules and 1988 Convention Table I.

The conventions have no analogue or class rule: a substance is under
international control only when named.
"""

from __future__ import annotations

from datetime import date

from jointprobe.chem.model import Verdict
from jointprobe.chem.rules.base import Jurisdiction, Rule, Subject, register
from jointprobe.chem.rules.named import NamedListRule


class NoClassRule(Rule):
    """Explain why a fentanyl-like structure that is not named is not controlled."""

    rule_id = "UN.NO_CLASS"

    def apply(self, subject: Subject, as_of: date, verdict: Verdict) -> None:
        if not verdict.controlled and subject.cores():
            verdict.notes.append(
                "the UN conventions control fentanyl analogues only by name; this structure "
                "is not named (parties may control it under national class rules)"
            )


UN = register(
    Jurisdiction(
        "UN",
        "United Nations drug control conventions",
        [NamedListRule("UN.1961", "UN.1988"), NoClassRule()],
    )
)
