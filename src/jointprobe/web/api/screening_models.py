"""What the screening routes answer: the response models of ``/screening/...``.

The routes build these from the screening package's own records
(``ListMatch``, ``Screening``, ``ScreenedOrder``, ``ScreeningList``), so the
OpenAPI document says what a client gets and the contract test checks it.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from jointprobe.timeutil import UtcDatetime
from jointprobe.web.api.contract import ErrorBody

Verdict = Literal["clear", "review", "hold_and_report"]


class MatchOut(BaseModel):
    """One list entry that may be the name or selector screened."""

    list_name: str = Field(description="e.g. `ofac-sdn`, `watchlist` or an FtM dataset name")
    entry_id: str = Field(description="The list entry's entity id in the node store")
    caption: str
    schema_: str = Field(alias="schema", description="Person, Company, Organization…")
    score: float = Field(ge=0, le=1)
    match: bool = Field(description="Score at or above the node's threshold, after decisions")
    reasons: list[str]
    fictional: bool


class ListOut(BaseModel):
    """One screening list with its date and last import."""

    name: str
    format: str
    source: str
    list_date: date | None
    imported_at: UtcDatetime
    imported_by: str
    entries: int


class DecisionOut(BaseModel):
    """An analyst's decision on (screened name, list entry), as kept."""

    query_key: str
    entry_id: str
    decision: Literal["match", "false_positive"]


class ReasonOut(BaseModel):
    """Why an order got its verdict: a list match, a red flag or the substance's control."""

    kind: str
    code: str
    text: str
    source: str
    points: int
    data: dict[str, Any]


class SubstanceOut(BaseModel):
    given: str
    name: str | None
    cas: str | None
    smiles: str | None
    controlled: list[str]
    precursor: bool
    drug: bool


class ScreeningOut(BaseModel):
    """One order as just screened."""

    id: str | None
    line: int | None
    order_id: str | None
    customer_id: str | None
    order_date: date
    buyer: str
    verdict: Verdict
    points: int
    substance: SubstanceOut
    reasons: list[ReasonOut]


class ScreeningBatchOut(BaseModel):
    """The orders screened and stored, the ones refused (named) and the verdict counts."""

    screenings: list[ScreeningOut]
    errors: list[ErrorBody]
    counts: dict[str, int]


class StoredScreeningOut(BaseModel):
    """A stored screening: the order as given, its verdict, reasons and markings."""

    id: str
    order_id: str | None
    customer_id: str | None
    order_date: date
    verdict: Verdict
    points: int
    reasons: list[dict[str, Any]]
    order: dict[str, Any]
    case_id: str | None
    tlp: str
    handling: dict[str, Any]
    fictional: bool
    screened_at: UtcDatetime
