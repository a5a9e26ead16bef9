"""What of a case may leave in an export file, decided by the one release rule.

Each entity goes out under the stricter of its own marking and its case's
(as referrals do), and only if :func:`jointprobe.exchange.markings.may_release`
allows it for the export's recipient: a named peer under its agreement, or
nobody (a public file: TLP:CLEAR only). A file leaves the exchange's
encryption, receipts and named recipients, so an export never carries more
than TLP:AMBER+STRICT (:data:`EXPORT_MAX_TLP`): TLP:RED is never exported.
Items of another originator go only where it consented (``may_release``'s
onward-disclosure rule). An edge goes out when its relation and both its ends do.

A case (:func:`release_case`) or a network expansion (:func:`release_expansion`:
the entities it reached, each under its own case's marking, never a placeholder)
go through the same rule (``_Rule.decide``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from jointprobe.cases.service import can_see_case_id, visible_case
from jointprobe.errors import Conflict
from jointprobe.exchange.markings import Channel, Marking, Tlp, marking_from_store, may_release
from jointprobe.exchange.peers import get_peer, trusted
from jointprobe.network.result import Expansion
from jointprobe.store.tables import Case, Edge, Entity, Selector, User

#: The most an export file may carry, whoever it is for (RED never leaves in a file).
EXPORT_MAX_TLP = Tlp.AMBER_STRICT
#: The selector kinds an export turns into indicators.
EXPORTED_KINDS = ("phone", "email", "domain", "url", "wallet")
#: Why an expansion's relation stays home although its own marking may allow it.
RELATION_END_WITHHELD = "an end of the relation is withheld"
#: Ids per ``IN`` list (an expansion reaches up to ``network.expand.MAX_LIMIT`` entities).
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Released:
    entity: Entity
    marking: Marking


@dataclass
class Release:
    """Entities, edges and selectors that may leave, and what was withheld why."""

    recipient: str | None
    entities: dict[str, Released] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    selectors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    withheld: Counter[str] = field(default_factory=Counter)

    @property
    def withheld_total(self) -> int:
        return sum(self.withheld.values())


@dataclass(kw_only=True)
class CaseRelease(Release):
    """A case's part that may leave."""

    case: Case


@dataclass(frozen=True, slots=True)
class _Rule:
    """The release rule's terms for one export: who holds, for whom, how high, when."""

    holder: str
    recipient: str | None
    ceiling: Tlp
    now: datetime

    def decide(self, out: Release, row: Entity, case_marking: Marking | None) -> bool:
        """Release ``row`` under its own marking tightened by its case's, or count why not."""
        marking = marking_from_store(row.tlp, row.handling, row.grading, originator=self.holder)
        if case_marking is not None:
            marking = marking.stricter(case_marking)
        channel = Channel.PEER if self.recipient else Channel.PUBLIC
        decision = may_release(marking, self.recipient, holder=self.holder, now=self.now,
                               max_tlp=self.ceiling, channel=channel)  # fmt: skip
        if decision:
            out.entities[row.id] = Released(row, marking)
        else:
            out.withheld[decision.reason] += 1
        return bool(decision)


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


def _case_marking(case: Case, holder: str) -> Marking:
    return marking_from_store(case.tlp, case.handling, case.grading, originator=holder)


def _add_selectors(session: Session, out: Release, where: ColumnElement[bool]) -> None:
    """The exported kinds of selectors (matching ``where``) of the released entities."""
    kinds = select(Selector.entity_id, Selector.kind, Selector.value).where(
        where, Selector.kind.in_(EXPORTED_KINDS)
    )
    for entity_id, kind, value in session.execute(kinds.order_by(Selector.entity_id)):
        if entity_id in out.entities:
            out.selectors.setdefault(entity_id, []).append((kind, value))


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
    rule = _Rule(holder, recipient, export_ceiling(session, recipient), now)
    case_marking = _case_marking(case, holder)
    out = CaseRelease(recipient, case=case)
    rows = session.scalars(select(Entity).where(Entity.case_id == case.id).order_by(Entity.id))
    for row in rows:
        rule.decide(out, row, case_marking)
    for edge in session.scalars(select(Edge).where(Edge.case_id == case.id).order_by(Edge.id)):
        ends = (edge.relation_id, edge.source_id, edge.target_id)
        if all(end in out.entities for end in ends):
            out.edges.append(edge)
    _add_selectors(session, out, Selector.case_id == case.id)
    return out


def _chunks(ids: Collection[str]) -> Iterator[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _seen_rows(session: Session, actor: User, ids: Collection[str]) -> dict[str, Entity]:
    """The entities of ``ids`` in cases ``actor`` may see (need-to-know asked again, per
    case: the expansion decided it, the export does not take its word for it)."""
    rows = [row for chunk in _chunks(ids)
            for row in session.scalars(select(Entity).where(Entity.id.in_(chunk)))]  # fmt: skip
    cases = {row.case_id for row in rows}
    seen = {case_id for case_id in cases if can_see_case_id(session, actor, case_id)}
    return {row.id: row for row in rows if row.case_id in seen}


def release_expansion(
    session: Session,
    actor: User,
    expansion: Expansion,
    *,
    holder: str,
    recipient: str | None,
    now: datetime,
) -> Release:
    """The part of an expansion that may be exported for ``recipient``.

    Only its nodes (entities ``actor`` may see) and the relations between them
    are read: a placeholder (a case ``actor`` may not see) has no part in it,
    not even in the counts. Each entity goes under its own marking tightened by
    its own case's, as in a case export. A relation goes when its own marking
    allows it and both its ends went; one with an end withheld is counted under
    :data:`RELATION_END_WITHHELD`.
    """
    rule = _Rule(holder, recipient, export_ceiling(session, recipient), now)
    out = Release(recipient)
    node_ids = {node.id for node in expansion.nodes}
    walked = {edge.evidence for edge in expansion.edges if edge.kind == "relation"}
    edges = [edge for chunk in _chunks(walked)
             for edge in session.scalars(select(Edge).where(Edge.relation_id.in_(chunk)))
             if edge.source_id in node_ids and edge.target_id in node_ids]  # fmt: skip
    rows = _seen_rows(session, actor, node_ids | {edge.relation_id for edge in edges})
    markings = {case_id: _case_marking(case, holder)
                for case_id in {row.case_id for row in rows.values()} if case_id is not None
                if (case := session.get(Case, case_id)) is not None}  # fmt: skip
    for node in expansion.nodes:
        if (row := rows.get(node.id)) is not None:
            rule.decide(out, row, markings.get(row.case_id or ""))
    by_relation: dict[str, list[Edge]] = {}
    for edge in sorted(edges, key=lambda edge: edge.id):
        if edge.relation_id in rows:
            by_relation.setdefault(edge.relation_id, []).append(edge)
    for relation_id, its_edges in sorted(by_relation.items()):
        kept = [e for e in its_edges if e.source_id in out.entities and e.target_id in out.entities]
        if relation_id in node_ids:  # an entity with an edge property (a wallet's holder)
            out.edges += kept if relation_id in out.entities else []
        elif not kept:
            out.withheld[RELATION_END_WITHHELD] += 1
        elif rule.decide(out, rows[relation_id], markings.get(rows[relation_id].case_id or "")):
            out.edges += kept
    for chunk in _chunks([row_id for row_id in out.entities if row_id in node_ids]):
        _add_selectors(session, out, Selector.entity_id.in_(chunk))
    return out


__all__ = [
    "EXPORTED_KINDS",
    "EXPORT_MAX_TLP",
    "RELATION_END_WITHHELD",
    "CaseRelease",
    "Release",
    "Released",
    "release_case",
    "release_expansion",
]
