"""A case read as one structure: timeline, network, seizures, sentences, with sources."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.cases.events import event_people
from jointprobe.cases.fold import fold_numbered
from jointprobe.cases.marking import describe
from jointprobe.cases.service import get_case, members
from jointprobe.store.tables import CaseEvent, Edge, Entity, User

NETWORK_SCHEMATA = ("Person", "Organization", "Company", "LegalEntity", "UserAccount")
BUYER_ROLE = "tried to buy from"  # the role of an UnknownLink from a customer to a seller


@dataclass
class EventLine:
    id: int
    kind: str
    when: str
    title: str
    place: str
    amount: str
    people: list[str]
    marking: str
    source: str
    fictional: bool


@dataclass
class NetworkLine:
    id: str
    schema: str
    caption: str
    detail: str
    fictional: bool
    source: str


@dataclass
class CaseSummary:
    id: str
    title: str
    summary: str
    marking: str
    members: list[str]
    events: list[EventLine] = field(default_factory=list)
    network: list[NetworkLine] = field(default_factory=list)
    edges: int = 0
    buyers_by_state: dict[str, int] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> list[EventLine]:
        return [e for e in self.events if e.kind in kinds]


def fold_events(events: list[EventLine]) -> list[EventLine]:
    """Adjacent events that differ only in a numbered unnamed person, as one line each
    (``Defendants 4–9 (not named in the reporting)``); see :mod:`jointprobe.cases.fold`."""
    folded = fold_numbered(
        events,
        lambda e: (e.title, *e.people),
        lambda e: (e.kind, e.when, e.place, e.amount, e.marking, e.source, e.fictional),
    )
    return [replace(f.first, title=f.cells[0], people=list(f.cells[1:])) for f in folded]


def _when(event: CaseEvent) -> str:
    precision = event.details.get("date_precision", "day")
    if event.occurred_on is None or precision == "unknown":
        return "date not reported"
    if precision == "month":
        return event.occurred_on.strftime("%Y-%m")
    if precision == "year":
        return event.occurred_on.strftime("%Y")
    return event.occurred_on.isoformat()


def _amount(event: CaseEvent) -> str:
    if event.quantity is not None:
        return f"{event.quantity.normalize():f} {event.unit} {event.substance or ''}".strip()
    if event.outcome == "fixed_term":
        span = event.details.get("term_range_months")
        if event.term_months is not None:
            return f"{event.term_months} months"
        if span:
            return f"{span[0]}-{span[1]} months (range)"
    return (event.outcome or "").replace("_", " ")


def case_summary(session: Session, user: User, case_id: str) -> CaseSummary:
    case = get_case(session, user, case_id)
    out = CaseSummary(
        id=case.id,
        title=case.title,
        summary=case.summary,
        marking=describe(case.tlp, case.handling, case.grading),
        members=members(session, case.id),
    )
    query = select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    dated = sorted(
        session.scalars(query),
        key=lambda e: (e.occurred_on is None, e.occurred_on or date.min, e.id),
    )
    for event in dated:
        people = event_people(session, event.id)
        out.events.append(
            EventLine(
                id=event.id,
                kind=event.kind,
                when=_when(event),
                title=event.title,
                place=event.place or "",
                amount=_amount(event),
                people=[p.caption + (" (fictional)" if p.fictional else "") for p in people],
                marking=describe(event.tlp, event.handling, event.grading),
                source=event.source or "",
                fictional=event.fictional,
            )
        )
    states: Counter[str] = Counter()
    rows = list(
        session.scalars(select(Entity).where(Entity.case_id == case.id).order_by(Entity.id))
    )
    buyers = {
        subject
        for row in rows
        if row.schema == "UnknownLink" and BUYER_ROLE in row.properties.get("role", [])
        for subject in row.properties.get("subject", [])
    }
    for row in rows:
        if row.schema not in NETWORK_SCHEMATA:
            continue
        if row.id in buyers:
            states[str(row.properties.get("address", ["?"])[0]).split(",")[0]] += 1
            continue
        detail = "; ".join(row.properties.get("description", []) + row.properties.get("phone", []))
        out.network.append(
            NetworkLine(row.id, row.schema, row.caption, detail, row.fictional, row.source or "")
        )
    out.buyers_by_state = dict(sorted(states.items(), key=lambda kv: (-kv[1], kv[0])))
    out.edges = len(list(session.scalars(select(Edge.id).where(Edge.case_id == case.id))))
    return out
