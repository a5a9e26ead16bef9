"""Screen a name or a selector against the node's lists.

STAND-IN (branch i14b): the name matching of issue 14 (branch i14) replaces
this module at merge. It answers with the signatures the order screening
relies on, on top of the instant-hits index (exact names and selectors).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from jointprobe.errors import InvalidSelector
from jointprobe.resolve.hits import find_hits

_THRESHOLD = 0.9


@dataclass(frozen=True, slots=True)
class ListMatch:
    list_name: str
    entry_id: str
    caption: str
    schema: str
    score: float  # 0..1
    match: bool  # at the node threshold
    reasons: tuple[str, ...]
    fictional: bool = False


def _list_of(entity_id: str) -> str:
    return "OFAC SDN" if entity_id.startswith("ofac-sdn-") else "watch list"


def _matches(session: Session, query: str, kind: str, limit: int) -> list[ListMatch]:
    try:
        found = find_hits(session, None, query, kind=kind, limit=limit)
    except InvalidSelector:
        return []
    return [
        ListMatch(
            _list_of(h.entity_id),
            h.entity_id,
            h.caption,
            h.schema,
            h.score,
            h.score >= _THRESHOLD,
            (h.reason,),
            h.fictional,
        )
        for h in found
        if h.case_id is None
    ]


def screen_name(
    session: Session,
    query: str,
    *,
    schema: str | None = None,
    country: str | None = None,
    limit: int = 10,
) -> list[ListMatch]:
    """List entries whose name matches ``query``, best first."""
    found = _matches(session, query, "name", limit)
    return [m for m in found if schema is None or m.schema == schema]


def screen_selector(session: Session, kind: str, value: str) -> list[ListMatch]:
    """List entries holding the phone / e-mail / wallet / domain / URL ``value``."""
    return _matches(session, value, kind, 10)
