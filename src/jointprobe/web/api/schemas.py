"""Response models of the API (pydantic at the boundary)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


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
    created_at: datetime


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


class EntityIn(BaseModel):
    entity: dict[str, Any]
    case_id: str | None = None
    tlp: str = "AMBER"
    handling: dict[str, Any] = {}
    grading: str | None = None
    fictional: bool = False
    source: str | None = None


class MemberIn(BaseModel):
    username: str


class NodeOut(BaseModel):
    id: str
    name: str
    country: str
    version: str


class AuditOut(BaseModel):
    ok: bool
    checked: int
    problems: list[str]
