"""Instant hits: which local entities share a selector or a name with a query."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Query

from jointprobe.resolve.hits import find_hits
from jointprobe.web.api.contract import SIGNED_IN
from jointprobe.web.deps import SessionDep, UserDep

#: What ``q`` may be read as (``entities.normalise.SELECTOR_KINDS``, or a name).
HitKind = Literal[
    "phone", "email", "domain", "url", "wallet", "parcel", "passport", "company", "name"
]

router = APIRouter(prefix="/hits", tags=["resolution"], responses=SIGNED_IN)


@router.get("")
def hits(
    session: SessionDep,
    user: UserDep,
    q: str = Query(..., min_length=1, max_length=500, description="Selector or name"),
    kind: HitKind | None = Query(None, description="Selector kind; guessed when absent"),
    region: str | None = Query(None, description="Default phone region / passport country"),
    limit: int = Query(50, ge=1, le=500),
) -> list[dict[str, Any]]:
    """Each hit names the entity, the shared selector or name, the reason and a score."""
    return [
        asdict(hit) for hit in find_hits(session, user, q, kind=kind, region=region, limit=limit)
    ]
