"""Analysts' decisions on screening matches, remembered per (query as normalised, list entry).

An analyst who has looked at ``Cishun Fine Chem (Shanghai) Co Ltd`` against
``ofac-sdn-29897`` and said *match* (or *false positive*) is not asked again:
the next screening of the same name — however it is spelt, as long as it
normalises alike (``SHANGHAI CISHUN FINE CHEMICAL CO LTD``) — shows the
decision, who made it and when, and its ``match`` follows the decision. The
latest decision on a pair wins; each is in the audit log.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.entities.names.company_parse import parse_company
from jointprobe.errors import Forbidden, InvalidInput, InvalidSelector, NotFound
from jointprobe.screening.list_tables import ListEntry, ScreeningDecision
from jointprobe.store.tables import User

if TYPE_CHECKING:
    from jointprobe.screening.matching import ListMatch

DECISIONS = ("match", "false_positive")
DECIDING_ROLES = frozenset({"analyst", "supervisor"})


def query_key(query: str) -> str:
    """The query as normalised for decisions: words folded, abbreviations and places read,
    distinctive words run together (``cishun|chemical fine|shanghai``)."""
    try:
        parsed = parse_company(query)
    except InvalidSelector:
        return query.strip().casefold()[:300]
    key = (
        f"{parsed.sorted_joined}|{' '.join(sorted(parsed.trade))}|{' '.join(sorted(parsed.places))}"
    )
    return key[:300]


def decide(
    session: Session, actor: User, query: str, entity_id: str, decision: str, note: str = ""
) -> ScreeningDecision:
    """Record ``decision`` (match / false_positive) on (``query``, list entry ``entity_id``)."""
    if actor.role not in DECIDING_ROLES:
        raise Forbidden(f"{actor.username} ({actor.role}) may not decide on screening matches")
    if decision not in DECISIONS:
        raise InvalidInput(f"decision {decision!r}: one of {', '.join(DECISIONS)}")
    if not query.strip():
        raise InvalidInput("the decision needs the screened name", where="query")
    if session.scalar(select(ListEntry.entity_id).where(ListEntry.entity_id == entity_id)) is None:
        raise NotFound(f"no list entry {entity_id!r}")
    row = ScreeningDecision(query_key=query_key(query), entity_id=entity_id, decision=decision,
                            user=actor.username, note=note[:2000])  # fmt: skip
    session.add(row)
    session.flush()
    record(session, actor.username, "decide", "screening_match", entity_id,
           {"query": query.strip(), "query_key": row.query_key, "decision": decision,
            "note": note[:2000]})  # fmt: skip
    return row


def apply_decisions(session: Session, key: str, found: list[ListMatch]) -> list[ListMatch]:
    """``found`` with the latest decision on each (``key``, entry) applied."""
    ids = [m.entry_id for m in found]
    if not ids:
        return found
    latest: dict[str, ScreeningDecision] = {}
    rows = session.scalars(
        select(ScreeningDecision)
        .where(ScreeningDecision.query_key == key, ScreeningDecision.entity_id.in_(ids))
        .order_by(ScreeningDecision.id)
    )
    for row in rows:
        latest[row.entity_id] = row
    out: list[ListMatch] = []
    for match in found:
        said = latest.get(match.entry_id)
        if said is None:
            out.append(match)
            continue
        word = "true match" if said.decision == "match" else "false positive"
        reason = f"analyst decision: {word} ({said.user}, {said.created_at:%Y-%m-%d})"
        out.append(replace(match, match=said.decision == "match", reasons=(reason, *match.reasons)))
    return out
