"""What the case page shows, read through the case service (need-to-know applies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from jointprobe.cases.events import list_events
from jointprobe.cases.summary import CaseSummary, EventLine, case_summary, fold_events
from jointprobe.entities.service import case_entities
from jointprobe.store.tables import Case, CaseEvent, Entity, User
from jointprobe.web.pages.graphdata import is_relation

SHOWN_PROPERTIES = ("description", "phone", "email", "website", "address", "country", "notes")


@dataclass
class Marking:
    tlp: str
    handling: dict[str, Any]
    grading: str | None
    fictional: bool
    source: str

    @classmethod
    def of(cls, item: Case | CaseEvent | Entity) -> Marking:
        return cls(item.tlp, item.handling, item.grading, item.fictional, item.source or "")


@dataclass
class EventView:
    line: EventLine
    marking: Marking


@dataclass
class EntityView:
    id: str
    schema: str
    caption: str
    details: list[tuple[str, str]]
    marking: Marking


@dataclass
class CaseView:
    summary: CaseSummary
    marking: Marking
    status: str
    events: list[EventView] = field(default_factory=list)
    entities: dict[str, list[EntityView]] = field(default_factory=dict)
    relations: int = 0


def _details(row: Entity) -> list[tuple[str, str]]:
    out = []
    for prop in SHOWN_PROPERTIES:
        values = row.properties.get(prop) or []
        if values:
            out.append((prop, "; ".join(str(v) for v in values)))
    return out


def case_view(session: Session, user: User, case_id: str) -> CaseView:
    """The case, its timeline and entities; ``NotFound`` for a case the user may not see."""
    summary = case_summary(session, user, case_id)
    case = session.get(Case, summary.id)
    assert case is not None
    raw = {event.id: event for event in list_events(session, user, case_id)}
    view = CaseView(summary, Marking.of(case), case.status)
    for line in fold_events(summary.events):  # markings are equal within a folded line
        view.events.append(EventView(line, Marking.of(raw[line.id])))
    for row in sorted(case_entities(session, case.id), key=lambda r: (r.schema, r.caption)):
        if is_relation(row.schema):
            view.relations += 1
            continue
        entity = EntityView(row.id, row.schema, row.caption, _details(row), Marking.of(row))
        view.entities.setdefault(row.schema, []).append(entity)
    return view
