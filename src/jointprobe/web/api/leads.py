"""Leads from a seized customer list: the list and its mapping in, the routing report out."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from jointprobe.cases.marking import TlpLabel
from jointprobe.exchange.identity import node_keys
from jointprobe.leads.fromlist import ListRequest, from_list
from jointprobe.leads.listmap import read_list_mapping
from jointprobe.leads.listread import check_size, read_list
from jointprobe.node import NodeIdText
from jointprobe.store.tables import User
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.deps import NodeDep, UserDep

router = APIRouter(prefix="/cases", tags=["leads"], responses=SIGNED_IN)

Kind = Literal["office", "queue", "peer", "unsent"]


class LeadListRequest(BaseModel):
    """A customer list (CSV with a header, or JSON lines) and its mapping (YAML text)."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(description="The list itself; at most JOINTPROBE_LEADS_LIST_MAX_BYTES")
    format: Literal["csv", "jsonl"] = "csv"
    mapping: str = Field(min_length=1, max_length=50_000, description="The mapping, as YAML")
    name: str = Field(default="customer list", min_length=1, max_length=200)
    tlp: TlpLabel = "AMBER"
    use: Literal["intelligence", "evidential"] = "intelligence"
    peers: dict[str, NodeIdText] = Field(
        default_factory=dict, max_length=64, description="country -> peer, where several cover it"
    )
    title: str | None = Field(default=None, min_length=1, max_length=300)
    narrative: str = Field(default="", max_length=20_000)
    requested_action: str = Field(
        default="Identify the people and open investigations where warranted; report outcomes.",
        min_length=1,
        max_length=20_000,
    )
    due_days: int = Field(default=30, ge=1, le=365)
    dry_run: bool = False


class BadRowOut(BaseModel):
    line: int
    reason: str


class RouteOut(BaseModel):
    jurisdiction: str
    kind: Kind
    to: str | None
    name: str | None
    count: int
    refs: list[str]
    note: str | None


class PersonOut(BaseModel):
    line: int
    row_id: str
    name: str
    entity_id: str
    fictional: bool
    jurisdiction: str
    rule: str
    kind: Kind
    to: str | None
    matched: str | None
    also_held: list[str]
    possible: list[str]
    note: str | None


class LeadListOut(BaseModel):
    import_id: str
    case_id: str
    dry_run: bool
    rows: int
    imported: int
    linked: int
    bad: list[BadRowOut]
    routes: list[RouteOut]
    people: list[PersonOut]


@router.post(
    "/{case_id}/leads/from-list",
    response_model=LeadListOut,
    responses=answers(400, 403, 404, 413),
)
def leads_from_list(
    case_id: str, body: LeadListRequest, node: NodeDep, user: UserDep
) -> LeadListOut:
    """Import a list into the case, link people it already holds, route the rest by jurisdiction."""
    check_size(len(body.content.encode()), node.settings.leads_list_max_bytes, where="content")
    spec = read_list_mapping(body.mapping, where="mapping")
    read = read_list(body.content, body.format, spec, where="content")
    req = ListRequest(
        case_id=case_id, name=body.name, tlp=body.tlp, use=body.use,
        peers={k.lower(): v for k, v in body.peers.items()}, title=body.title,
        narrative=body.narrative, requested_action=body.requested_action,
        due_days=body.due_days, dry_run=body.dry_run,
    )  # fmt: skip
    with node.write_session() as session:
        actor: User = session.merge(user)
        report = from_list(
            session,
            actor,
            node_keys(node),
            read,
            spec,
            req,
            routing_file=node.settings.leads_routing_file,
        )
    data = asdict(report)
    data["bad"] = [{"line": line, "reason": reason} for line, reason in report.bad]
    return LeadListOut.model_validate(data)
