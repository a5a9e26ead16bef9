"""Response models of the API (pydantic at the boundary)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from followthemoney import model as ftm_model
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from jointprobe.cases.marking import AdmiraltyGrade, Handling, TlpLabel
from jointprobe.timeutil import UtcDatetime


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
    related_event_id: int | None
    details: dict[str, Any]
    people: list[str] = []


class EntityOut(Marked):
    id: str
    schema_name: str
    caption: str
    properties: dict[str, Any]
    case_id: str | None


#: The concrete FollowTheMoney schemata an entity may have.
FTM_SCHEMATA = tuple(sorted(s.name for s in ftm_model.schemata.values() if not s.abstract))


class FtmEntity(BaseModel):
    """An entity as FollowTheMoney JSON. Which properties a schema has and the
    format of their values (dates, IBANs, phone numbers…) are FollowTheMoney's
    rules, checked on arrival (422 ``entity.invalid``)."""

    model_config = ConfigDict(extra="allow")  # FtM exports carry more (caption, datasets…)

    id: str = Field(min_length=1, max_length=128, pattern=r"\S")
    schema_: Literal[FTM_SCHEMATA] = Field(alias="schema")  # type: ignore[valid-type]
    properties: dict[str, str | list[str]] = Field(default_factory=dict)


class EntityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: FtmEntity
    case_id: str | None = Field(default=None, min_length=1, max_length=64)
    tlp: TlpLabel = "AMBER"
    handling: Handling = Field(default_factory=dict)
    grading: AdmiraltyGrade | None = None
    fictional: StrictBool = False
    source: str | None = Field(default=None, max_length=2000)


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
