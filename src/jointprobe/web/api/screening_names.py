"""Screening of names and selectors against the node's lists; the lists; analysts' decisions.

Screening is for the roles in ``SCREENING_ROLES`` (others get 403); each
screening is in the audit log, as is each decision.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from jointprobe.screening.decisions import decide
from jointprobe.screening.lists import lists
from jointprobe.screening.matching import screen_name_as, screen_selector_as
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.api.patterns import HAS_LETTER_OR_DIGIT, NOT_BLANK
from jointprobe.web.api.schemas import SelectorKind
from jointprobe.web.api.screening_models import DecisionOut, ListOut, MatchOut
from jointprobe.web.deps import NodeDep, SessionDep, UserDep, WriteSessionDep

router = APIRouter(prefix="/screening", tags=["screening"], responses=SIGNED_IN)

#: The list schemas a name is screened as (``matching.PERSON_SCHEMAS + COMPANY_SCHEMAS``).
ScreenSchema = Literal[
    "Person", "Company", "Organization", "LegalEntity", "PublicBody", "Vessel", "Airplane"
]


@router.get("/names", response_model=list[MatchOut], responses=answers(403))
def screen_names(
    session: WriteSessionDep,
    user: UserDep,
    node: NodeDep,
    q: str = Query(
        ...,
        min_length=1,
        max_length=300,
        pattern=HAS_LETTER_OR_DIGIT,
        description="Name to screen (with at least one letter or digit)",
    ),
    schema: ScreenSchema | None = Query(None, description="The kind of list entry"),
    country: str | None = Query(None, pattern="^[A-Za-z]{2}$", description="ISO country"),
    limit: int = Query(10, ge=1, le=100),
) -> list[dict[str, Any]]:
    """List entries ranked by score, each with its ``match`` verdict and reasons."""
    found = screen_name_as(session, user, q, schema=schema, country=country, limit=limit,
                           threshold=node.settings.screening_threshold)  # fmt: skip
    return [asdict(m) for m in found]


@router.get("/selectors", response_model=list[MatchOut], responses=answers(403))
def screen_selectors(
    session: WriteSessionDep,
    user: UserDep,
    kind: SelectorKind = Query(..., description="What the value is"),
    value: str = Query(..., min_length=1, max_length=500, pattern=NOT_BLANK),
) -> list[dict[str, Any]]:
    """List entries holding the selector, exact after normalisation."""
    return [asdict(m) for m in screen_selector_as(session, user, kind, value)]


@router.get("/lists", response_model=list[ListOut])
def screening_lists(session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    """Every list with its format, date, entry count and last import."""
    return [
        {
            "name": r.name,
            "format": r.format,
            "source": r.source,
            "list_date": r.list_date,
            "imported_at": r.imported_at,
            "imported_by": r.imported_by,
            "entries": r.entries,
        }  # fmt: skip
        for r in lists(session)
    ]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=300, pattern=NOT_BLANK)
    entry_id: str = Field(min_length=1, max_length=128)
    decision: Literal["match", "false_positive"]
    note: str = Field(default="", max_length=2000)


@router.post(
    "/decisions",
    status_code=201,
    response_model=DecisionOut,
    responses=answers(400, 403, 404, 413),
)
def screening_decision(body: DecisionIn, session: WriteSessionDep, user: UserDep) -> dict[str, Any]:
    """Remember an analyst's decision on (screened name, list entry)."""
    row = decide(session, user, body.query, body.entry_id, body.decision, body.note)
    return {"query_key": row.query_key, "entry_id": row.entity_id, "decision": row.decision}
