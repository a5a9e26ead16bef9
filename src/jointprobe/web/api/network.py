"""Network expansion from a selector (and its export), and cross-case link suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from jointprobe.interop.export import ExportFormat, export_expansion
from jointprobe.network.crosscase import DEFAULT_LIMIT as LINKS_LIMIT
from jointprobe.network.crosscase import MAX_LIMIT as LINKS_MAX
from jointprobe.network.crosscase import cross_case_links
from jointprobe.network.expand import DEFAULT_HOPS, DEFAULT_LIMIT, MAX_HOPS, MAX_LIMIT, expand
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.api.hits import HitKind
from jointprobe.web.api.interop import ExportedOut, exported_fields
from jointprobe.web.deps import NodeDep, UserDep, WriteSessionDep

router = APIRouter(prefix="/network", tags=["network"], responses=SIGNED_IN)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NodeOut(_Out):
    id: str
    schema_name: str
    caption: str
    case_id: str | None
    hop: int
    via: str
    tlp: str
    fictional: bool


class PlaceholderOut(_Out):
    marker: str
    hop: int
    via: str
    owner: str | None
    note: str


class EdgeOut(_Out):
    source: str
    target: str
    kind: str
    evidence: str
    schema_name: str | None


class StopOut(_Out):
    hop: int
    entity_id: str
    reason: str


class CappedOut(_Out):
    selector: str
    hop: int
    note: str


class CappedEntityOut(_Out):
    entity_id: str
    hop: int
    note: str


@dataclass(frozen=True, slots=True)
class ExpandQuery:
    """Where an expansion starts and how far it goes (``/expand`` and ``/expand/export``)."""

    q: str | None
    entity: str | None
    kind: str | None
    region: str | None
    hops: int
    limit: int

    def walk(self) -> dict[str, Any]:
        """``network.expand``'s keyword arguments (the selector is ``q``)."""
        return {"entity_id": self.entity, "kind": self.kind, "region": self.region,
                "hops": self.hops, "limit": self.limit}  # fmt: skip


def expand_query(
    q: str | None = Query(None, min_length=1, max_length=500, description="Start selector or name"),
    entity: str | None = Query(None, min_length=1, max_length=128, description="Start entity id"),
    kind: HitKind | None = Query(None, description="Selector kind of q; guessed when absent"),
    region: str | None = Query(None, max_length=8, description="Default phone region"),
    hops: int = Query(DEFAULT_HOPS, ge=0, le=MAX_HOPS),
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Nodes and placeholders"),
) -> ExpandQuery:
    return ExpandQuery(q, entity, kind, region, hops, limit)


ExpandDep = Annotated[ExpandQuery, Depends(expand_query)]


class ExpansionOut(_Out):
    start: str
    kind: str
    hops: int
    limit: int
    nodes: list[NodeOut]
    placeholders: list[PlaceholderOut]
    edges: list[EdgeOut]
    stopped: StopOut | None
    capped: list[CappedOut]
    capped_entities: list[CappedEntityOut]


class LinkOut(_Out):
    kind: str
    value: str
    entity_ids: list[str]
    other_owner: str | None
    other_visible: bool
    other_case_id: str | None
    other_title: str | None
    other_entity_ids: list[str]
    more: bool = Field(description="A side holds more entities than are listed")
    common: bool = Field(
        description="The selector is held by too many entities to list every case holding it"
    )


@router.get("/expand", response_model=ExpansionOut, responses=answers(404))
def network_expand(
    session: WriteSessionDep,
    user: UserDep,
    start: ExpandDep,
) -> ExpansionOut:
    """The network around a selector (or entity) across the cases the user may see.

    Give ``q`` or ``entity``. Entities of a case the user may not see are one
    placeholder per case ("known elsewhere — ask the case owner"), never
    followed. ``stopped`` says where the size limit cut the walk; ``capped`` lists the
    selectors held by too many entities to follow (usually noise), ``capped_entities``
    the entities with too many relations to follow all (hubs).
    """
    result = expand(session, user, start.q, **start.walk())
    return ExpansionOut(
        start=result.start,
        kind=result.kind,
        hops=result.hops,
        limit=result.limit,
        nodes=[
            NodeOut(
                id=n.id,
                schema_name=n.schema,
                caption=n.caption,
                case_id=n.case_id,
                hop=n.hop,
                via=n.via,
                tlp=n.tlp,
                fictional=n.fictional,
            )
            for n in result.nodes
        ],  # fmt: skip
        placeholders=[
            PlaceholderOut(marker=p.marker, hop=p.hop, via=p.via, owner=p.owner, note=p.note)
            for p in result.placeholders
        ],  # fmt: skip
        edges=[
            EdgeOut(
                source=e.source,
                target=e.target,
                kind=e.kind,
                evidence=e.evidence,
                schema_name=e.schema,
            )
            for e in result.edges
        ],  # fmt: skip
        stopped=None
        if result.stopped is None
        else StopOut(
            hop=result.stopped.hop, entity_id=result.stopped.entity_id, reason=result.stopped.reason
        ),  # fmt: skip
        capped=[CappedOut(selector=c.selector, hop=c.hop, note=c.note) for c in result.capped],
        capped_entities=[
            CappedEntityOut(entity_id=c.entity_id, hop=c.hop, note=c.note)
            for c in result.capped_entities
        ],  # fmt: skip
    )


class ExpansionExportOut(ExportedOut):
    """The export of an expansion: where it started, how far it went."""

    start: str
    kind: str
    hops: int
    stopped: bool = Field(description="The size limit cut the expansion short.")


@router.get("/expand/export", response_model=ExpansionExportOut, responses=answers(404, 409))
def network_expand_export(
    session: WriteSessionDep,
    user: UserDep,
    node: NodeDep,
    start: ExpandDep,
    format: Literal["stix", "ftm"] = Query("stix"),  # noqa: A002 - the API's word
    peer: str | None = Query(None, max_length=64, description="Peer it is for; absent: public"),
) -> ExpansionExportOut:
    """The expansion ``/network/expand`` answers, exported as a case is (``/cases/{id}/export``).

    The entities reached and the relations between them, each under its own
    case's marking, as far as the release rule allows for ``peer`` (public:
    TLP:CLEAR only; TLP:RED never). Placeholders (cases you may not see) are
    never exported, nor counted.
    """
    result = export_expansion(session, user, node.identity, ExportFormat(format), start.q,
                              recipient=peer, max_nodes=node.settings.interop_max_export_nodes,
                              **start.walk())  # fmt: skip
    return ExpansionExportOut(start=result.start, kind=result.kind, hops=result.hops,
                              stopped=result.stopped, peer=peer,
                              **exported_fields(result))  # fmt: skip


@router.get("/cases/{case_id}/links", response_model=list[LinkOut], responses=answers(404))
def network_links(
    case_id: str,
    session: WriteSessionDep,
    user: UserDep,
    limit: int = Query(LINKS_LIMIT, ge=1, le=LINKS_MAX),
) -> list[LinkOut]:
    """Other cases of this node holding a selector of this case: a visible one by id and
    entities, a hidden one only by its owner, to ask."""
    return [LinkOut(**vars(link)) for link in cross_case_links(session, user, case_id, limit=limit)]
