"""Case events: seizures, arrests, charges, court outcomes, lab results, notes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.marking import check_marking
from jointprobe.cases.service import visible_case
from jointprobe.errors import NotFound
from jointprobe.store.tables import CaseEvent, Entity, EventPerson, User

EventKind = Literal[
    "referral",
    "investigation",
    "arrest",
    "seizure",
    "charge",
    "court_outcome",
    "lab_result",
    "note",
]
Outcome = Literal["death_with_reprieve", "death", "life", "fixed_term", "suspended", "acquitted"]
Unit = Literal["mg", "g", "kg", "t", "ml", "l", "tablets", "units"]
Route = Literal["air", "sea", "land", "post", "express"]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
UNITS: tuple[str, ...] = get_args(Unit)
ROUTES: tuple[str, ...] = get_args(Route)
MAX_TRANSIT = 10
#: an ISO 3166-1 alpha-2 code, in either case (stored upper case)
COUNTRY_PATTERN = "^[A-Za-z]{2}$"
Country = Annotated[str, Field(pattern=COUNTRY_PATTERN)]

#: What ``_consistent`` checks, as JSON Schema, so that the API's document says it too.
_RULES: list[Any] = [
    {  # a seizure needs a quantity and a unit
        "if": {"properties": {"kind": {"const": "seizure"}}, "required": ["kind"]},
        "then": {
            "required": ["quantity", "unit"],
            "properties": {"quantity": {"not": {"type": "null"}}, "unit": {"type": "string"}},
        },
    },
    {  # a quantity needs a unit
        "if": {"properties": {"quantity": {"not": {"type": "null"}}}, "required": ["quantity"]},
        "then": {"required": ["unit"], "properties": {"unit": {"type": "string"}}},
    },
    {  # a court outcome needs an outcome
        "if": {"properties": {"kind": {"const": "court_outcome"}}, "required": ["kind"]},
        "then": {"required": ["outcome"], "properties": {"outcome": {"type": "string"}}},
    },
    {  # a fixed or suspended term needs term_months (or details.term_range_months)
        "if": {
            "properties": {"outcome": {"enum": ["fixed_term", "suspended"]}},
            "required": ["outcome"],
        },
        "then": {
            "anyOf": [
                {"required": ["term_months"], "properties": {"term_months": {"type": "integer"}}},
                {
                    "required": ["details"],
                    "properties": {"details": {"required": ["term_range_months"]}},
                },
            ]
        },
    },
]


class EventIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"allOf": _RULES})

    kind: EventKind
    title: str = Field(default="", max_length=500)
    occurred_on: date | None = None
    place: str | None = Field(default=None, max_length=300)
    substance: str | None = Field(default=None, max_length=200)
    quantity: Decimal | None = Field(default=None, ge=0)
    unit: Unit | None = None
    outcome: Outcome | None = None
    term_months: int | None = Field(default=None, ge=0, le=1200)
    origin_country: Country | None = None
    transit_countries: list[Country] = Field(default_factory=list, max_length=MAX_TRANSIT)
    destination_country: Country | None = None
    route: Route | None = None
    concealment: str | None = Field(default=None, max_length=200)
    related_event_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    people: list[str] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    tlp: str = "AMBER"
    handling: dict[str, Any] = Field(default_factory=dict)
    grading: str | None = None
    fictional: bool = False
    source: str | None = None

    @field_validator("origin_country", "destination_country")
    @classmethod
    def _countries(cls, value: str | None) -> str | None:
        return None if value is None else value.upper()

    @field_validator("transit_countries")
    @classmethod
    def _transit(cls, value: list[str]) -> list[str]:
        return [code.upper() for code in value]

    @model_validator(mode="after")
    def _consistent(self) -> EventIn:
        if self.kind == "seizure" and (self.quantity is None or not self.unit):
            raise ValueError("a seizure needs a quantity and a unit")
        if self.quantity is not None and not self.unit:
            raise ValueError("a quantity needs a unit")
        if self.kind == "court_outcome" and not self.outcome:
            raise ValueError("a court outcome needs an outcome")
        if self.outcome in ("fixed_term", "suspended") and self.term_months is None:
            if "term_range_months" not in self.details:
                raise ValueError("a fixed or suspended term needs term_months")
        return self


def add_event(session: Session, actor: User, case_id: str, data: EventIn) -> CaseEvent:
    case = visible_case(session, actor, case_id)
    tlp, handling, grading = check_marking(data.tlp, data.handling, data.grading)
    for entity_id in data.people:
        # only entities of this case or of the node's open holdings; an entity of
        # another case is reported exactly like a missing one (no existence oracle)
        entity = session.get(Entity, entity_id)
        if entity is None or entity.case_id not in (None, case.id):
            raise NotFound(f"event names unknown entity {entity_id!r}", where="people")
    if data.related_event_id is not None:
        related = session.get(CaseEvent, data.related_event_id)
        if related is None or related.case_id != case.id:
            raise NotFound(
                f"no event {data.related_event_id} in case {case.id}", where="related_event_id"
            )
    event = CaseEvent(
        case_id=case.id,
        kind=data.kind,
        title=data.title,
        occurred_on=data.occurred_on,
        place=data.place,
        substance=data.substance,
        quantity=data.quantity,
        unit=data.unit,
        outcome=data.outcome,
        term_months=data.term_months,
        origin_country=data.origin_country,
        transit_countries=data.transit_countries or None,
        destination_country=data.destination_country,
        route=data.route,
        concealment=data.concealment,
        related_event_id=data.related_event_id,
        details=data.details,
        created_by=actor.id,
        tlp=tlp,
        handling=handling,
        grading=grading,
        fictional=data.fictional,
        source=data.source,
    )
    session.add(event)
    session.flush()
    for entity_id in data.people:
        session.add(EventPerson(event_id=event.id, entity_id=entity_id))
    record(session, actor.username, "create", "event", str(event.id), {"case": case.id})
    return event


def list_events(session: Session, actor: User, case_id: str) -> list[CaseEvent]:
    """A case's events (need-to-know enforced); the read is recorded in the audit log."""
    case = visible_case(session, actor, case_id)
    record(session, actor.username, "read", "case", case.id, {"part": "events"})
    query = select(CaseEvent).where(CaseEvent.case_id == case.id)
    return list(session.scalars(query.order_by(CaseEvent.occurred_on.nulls_last(), CaseEvent.id)))


def event_people(session: Session, event_id: int) -> list[Entity]:
    query = (
        select(Entity)
        .join(EventPerson, EventPerson.entity_id == Entity.id)
        .where(EventPerson.event_id == event_id)
    )
    return list(session.scalars(query))
