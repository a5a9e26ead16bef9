"""Screening of names and selectors against the node's lists; the lists; analysts' decisions.

Screening is for the roles in ``SCREENING_ROLES`` (others get 403); each
screening is in the audit log, as is each decision.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from jointprobe.screening.decisions import decide
from jointprobe.screening.lists import lists
from jointprobe.screening.matching import screen_name_as, screen_selector_as
from jointprobe.web.deps import NodeDep, SessionDep, UserDep, WriteSessionDep

router = APIRouter(prefix="/screening", tags=["screening"])


@router.get("/names")
def screen_names(
    session: WriteSessionDep,
    user: UserDep,
    node: NodeDep,
    q: str = Query(..., min_length=1, max_length=300, description="Name to screen"),
    schema: str | None = Query(None, description="Person, Company, Organization…"),
    country: str | None = Query(None, min_length=2, max_length=2, description="ISO country"),
    limit: int = Query(10, ge=1, le=100),
) -> list[dict[str, Any]]:
    """List entries ranked by score, each with its ``match`` verdict and reasons."""
    found = screen_name_as(session, user, q, schema=schema, country=country, limit=limit,
                           threshold=node.settings.screening_threshold)  # fmt: skip
    return [asdict(m) for m in found]


@router.get("/selectors")
def screen_selectors(
    session: WriteSessionDep,
    user: UserDep,
    kind: str = Query(..., max_length=32, description="phone, email, wallet, domain, url…"),
    value: str = Query(..., min_length=1, max_length=500),
) -> list[dict[str, Any]]:
    """List entries holding the selector, exact after normalisation."""
    return [asdict(m) for m in screen_selector_as(session, user, kind, value)]


@router.get("/lists")
def screening_lists(session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    """Every list with its format, date, entry count and last import."""
    return [
        {
            "name": r.name,
            "format": r.format,
            "source": r.source,
            "list_date": r.list_date.isoformat() if r.list_date else None,
            "imported_at": r.imported_at.isoformat(),
            "imported_by": r.imported_by,
            "entries": r.entries,
        }  # fmt: skip
        for r in lists(session)
    ]


class DecisionIn(BaseModel):
    query: str = Field(min_length=1, max_length=300)
    entry_id: str = Field(min_length=1, max_length=128)
    decision: Literal["match", "false_positive"]
    note: str = Field(default="", max_length=2000)


@router.post("/decisions", status_code=201)
def screening_decision(body: DecisionIn, session: WriteSessionDep, user: UserDep) -> dict[str, Any]:
    """Remember an analyst's decision on (screened name, list entry)."""
    row = decide(session, user, body.query, body.entry_id, body.decision, body.note)
    return {"query_key": row.query_key, "entry_id": row.entity_id, "decision": row.decision}
