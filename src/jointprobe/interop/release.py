"""What of a case may leave in an export file, decided by the one release rule.

Each entity goes out under the stricter of its own marking and its case's
(as referrals do), and only if :func:`jointprobe.exchange.markings.may_release`
allows it for the export's recipient: a named peer under its agreement, or
nobody (a public file: TLP:CLEAR only). A file leaves the exchange's
encryption, receipts and named recipients, so an export never carries more
than TLP:AMBER+STRICT (:data:`EXPORT_MAX_TLP`): TLP:RED is never exported.
Items of another originator go only where it consented (``may_release``'s
onward-disclosure rule). An edge goes out when its relation and both its ends do.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.cases.service import visible_case
from jointprobe.errors import Conflict
from jointprobe.exchange.markings import Channel, Marking, Tlp, marking_from_store, may_release
from jointprobe.exchange.peers import get_peer, trusted
from jointprobe.store.tables import Case, Edge, Entity, Selector, User

#: The most an export file may carry, whoever it is for (RED never leaves in a file).
EXPORT_MAX_TLP = Tlp.AMBER_STRICT
#: The selector kinds an export turns into indicators.
EXPORTED_KINDS = ("phone", "email", "domain", "url", "wallet")


@dataclass(frozen=True, slots=True)
class Released:
    entity: Entity
    marking: Marking


@dataclass
class CaseRelease:
    """A case's entities, edges and selectors that may leave, and what was withheld why."""

    case: Case
    recipient: str | None
    entities: dict[str, Released] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    selectors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    withheld: Counter[str] = field(default_factory=Counter)

    @property
    def withheld_total(self) -> int:
        return sum(self.withheld.values())


def export_ceiling(session: Session, recipient: str | None) -> Tlp:
    """The highest TLP an export for ``recipient`` may hold: the agreement's, at most
    :data:`EXPORT_MAX_TLP`; a public export (``None``) is held to CLEAR by ``may_release``."""
    if recipient is None:
        return Tlp.CLEAR
    # The exchange's own rule for "may we send to this peer": ``trusted`` is what
    # the outbox seals for (active, its card on file parses). Old fingerprints in
    # ``peer.revoked`` after a key rotation do not stop a trusted, active peer.
    peer = trusted(get_peer(session, recipient))  # NotFound for an unknown peer
    if peer is None:
        raise Conflict(f"peer {recipient!r} is not active; nothing is exported to it")
    return min(peer.agreement.max_tlp, EXPORT_MAX_TLP, key=lambda tlp: tlp.rank)


def release_case(
    session: Session,
    actor: User,
    case_id: str,
    *,
    holder: str,
    recipient: str | None,
    now: datetime,
) -> CaseRelease:
    """The part of case ``case_id`` that may be exported for ``recipient``.

    Need-to-know first: a case ``actor`` may not see is :class:`NotFound`.
    """
    case = visible_case(session, actor, case_id)
    ceiling = export_ceiling(session, recipient)
    channel = Channel.PEER if recipient else Channel.PUBLIC
    case_marking = marking_from_store(case.tlp, case.handling, case.grading, originator=holder)
    out = CaseRelease(case, recipient)
    rows = session.scalars(select(Entity).where(Entity.case_id == case.id).order_by(Entity.id))
    for row in rows:
        own = marking_from_store(row.tlp, row.handling, row.grading, originator=holder)
        marking = own.stricter(case_marking)
        decision = may_release(
            marking, recipient, holder=holder, now=now, max_tlp=ceiling, channel=channel
        )
        if decision:
            out.entities[row.id] = Released(row, marking)
        else:
            out.withheld[decision.reason] += 1
    for edge in session.scalars(select(Edge).where(Edge.case_id == case.id).order_by(Edge.id)):
        ends = (edge.relation_id, edge.source_id, edge.target_id)
        if all(end in out.entities for end in ends):
            out.edges.append(edge)
    kinds = select(Selector.entity_id, Selector.kind, Selector.value).where(
        Selector.case_id == case.id, Selector.kind.in_(EXPORTED_KINDS)
    )
    for entity_id, kind, value in session.execute(kinds.order_by(Selector.entity_id)):
        if entity_id in out.entities:
            out.selectors.setdefault(entity_id, []).append((kind, value))
    return out


__all__ = ["EXPORTED_KINDS", "EXPORT_MAX_TLP", "CaseRelease", "Released", "release_case"]
