"""Lab results: a chemist's structure for a seizure, classified and kept on the case."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jointprobe.cases.events import EventIn, add_event
from jointprobe.cases.service import visible_case
from jointprobe.chem import classify
from jointprobe.errors import Conflict, NotFound
from jointprobe.store.tables import CaseEvent, User


class LabResultIn(BaseModel):
    structure: str = Field(min_length=1, max_length=100_000, description="SMILES, InChI or MOL")
    as_of: date | None = Field(default=None, description="Classify under the law of this date")
    lab: str | None = Field(default=None, max_length=200, description="Laboratory")
    tlp: str = "AMBER"
    grading: str | None = None


def _summary(verdicts: dict[str, Any]) -> str:
    parts = []
    for code, verdict in verdicts.items():
        flags = [k for k in ("fentanyl_related", "precursor") if verdict.get(k)]
        state = "controlled" if verdict.get("controlled") else "not controlled"
        parts.append(f"{code}: {state}" + (f" ({', '.join(flags)})" if flags else ""))
    return "; ".join(parts)


def attach_lab_result(
    session: Session, actor: User, case_id: str, seizure_id: int, data: LabResultIn
) -> CaseEvent:
    """Classify ``data.structure`` and record it as a lab result of seizure ``seizure_id``.

    Raises ``NotFound`` when the event is not one of this case, ``Conflict`` when it
    is not a seizure, and the
    chemistry errors (``chem.*``) when the structure cannot be classified; nothing
    is written in either case.
    """
    case = visible_case(session, actor, case_id)
    seizure = session.get(CaseEvent, seizure_id)
    if seizure is None or seizure.case_id != case.id:
        raise NotFound(f"no event {seizure_id} in case {case.id}")
    if seizure.kind != "seizure":
        raise Conflict(f"event {seizure_id} is a {seizure.kind}, not a seizure")
    result = classify(data.structure, data.as_of).to_dict()
    names = sorted(
        {
            r["substance"]
            for v in result["verdicts"].values()
            for r in v["reasons"]
            if r.get("substance")
        }
    )
    event = EventIn(
        kind="lab_result",
        title=f"Lab result for seizure {seizure_id}: {_summary(result['verdicts'])}"[:500],
        occurred_on=data.as_of,
        substance=(", ".join(names) or result["standardized_smiles"])[:200],
        related_event_id=seizure_id,
        details={"lab": data.lab, "classification": result},
        tlp=data.tlp,
        grading=data.grading,
        source=data.lab,
    )
    return add_event(session, actor, case.id, event)
