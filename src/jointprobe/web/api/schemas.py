"""Request and response models of the API (pydantic at the boundary).

A request model here is the service's own input model (``CaseIn``, ``EventIn``…)
made as strict as its OpenAPI schema says: markings as the schema's patterns
spell them, numbers as JSON numbers, booleans ``true``/``false``, no unknown
fields. The CLI and the pages keep the lenient models (spaces around a label
or a grading, numbers written as text are read there).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from followthemoney import model as ftm_model
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, WithJsonSchema

from jointprobe.cases import CaseIn, EventIn
from jointprobe.cases.lab import LabResultIn
from jointprobe.cases.marking import AdmiraltyGrade, Handling, TlpLabel
from jointprobe.timeutil import Day, UtcDatetime
from jointprobe.web.api.patterns import NOT_BLANK

#: A selector's kind (``entities.normalise.SELECTOR_KINDS``); a name is screened on its own.
SelectorKind = Literal["phone", "email", "domain", "url", "wallet", "parcel", "passport", "company"]


class Marked(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    tlp: str
    handling: dict[str, Any]
    grading: str | None
    fictional: bool
    source: str | None


class CaseOut(Marked):
    id: str
    title: str
    summary: str
    status: str
    created_at: UtcDatetime


class CaseDetail(CaseOut):
    members: list[str]


class EventOut(Marked):
    id: int
    case_id: str
    kind: str
    title: str
    occurred_on: date | None
    place: str | None
    substance: str | None
    quantity: Decimal | None
    unit: str | None
    outcome: str | None
    term_months: int | None
    origin_country: str | None = None
    transit_countries: list[str] | None = None
    destination_country: str | None = None
    route: str | None = None
    concealment: str | None = None
    related_event_id: int | None
    details: dict[str, Any]
    people: list[str] = []


class EntityOut(Marked):
    id: str
    schema_name: str
    caption: str
    properties: dict[str, Any]
    case_id: str | None


def _not_text(value: Any) -> Any:
    if isinstance(value, str | bool):
        raise ValueError("a number is written as a JSON number, not as text or true/false")
    return value


#: A quantity seized, as a JSON number (kept exact as a Decimal).
Quantity = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("999999999999")),
    BeforeValidator(_not_text),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 999_999_999_999}),
]


class MarkedIn(BaseModel):
    """The marking of what a request writes, as the schema spells it; no unknown fields."""

    model_config = ConfigDict(extra="forbid")

    tlp: TlpLabel = "AMBER"
    handling: Handling = Field(default_factory=dict)
    grading: AdmiraltyGrade | None = None
    fictional: StrictBool = False
    source: str | None = Field(default=None, max_length=2000)


class CaseRequest(MarkedIn, CaseIn):
    summary: str = Field(default="", max_length=20_000)


class EventRequest(MarkedIn, EventIn):
    occurred_on: Day | None = None
    quantity: Quantity | None = None
    term_months: Annotated[int, Field(ge=0, le=1200), BeforeValidator(_not_text)] | None = None
    related_event_id: (
        Annotated[int, Field(ge=1, le=2**63 - 1), BeforeValidator(_not_text)] | None
    ) = None
    people: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=1000
    )


class LabResultRequest(LabResultIn):
    model_config = ConfigDict(extra="forbid")

    as_of: Day | None = Field(default=None, description="Classify under the law of this date")
    tlp: TlpLabel = "AMBER"
    grading: AdmiraltyGrade | None = None


#: The concrete FollowTheMoney schemata an entity may have.
FTM_SCHEMATA = tuple(sorted(s.name for s in ftm_model.schemata.values() if not s.abstract))


class FtmEntity(BaseModel):
    """An entity as FollowTheMoney JSON. Which properties a schema has and the
    format of their values (dates, IBANs, phone numbers…) are FollowTheMoney's
    rules, checked on arrival (422 ``entity.invalid``)."""

    model_config = ConfigDict(extra="allow")  # FtM exports carry more (caption, datasets…)

    id: str = Field(min_length=1, max_length=128, pattern=NOT_BLANK)
    schema_: Literal[FTM_SCHEMATA] = Field(alias="schema")  # type: ignore[valid-type]
    properties: dict[str, str | list[str]] = Field(default_factory=dict)


class EntityIn(MarkedIn):
    entity: FtmEntity
    case_id: str | None = Field(default=None, min_length=1, max_length=64)


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")


class NodeOut(BaseModel):
    id: str
    name: str
    country: str
    version: str


class AuditOut(BaseModel):
    ok: bool
    checked: int
    problems: list[str]
