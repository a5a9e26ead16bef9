"""A case's network: key players and groups, shortest paths with evidence, money.

Need-to-know and the audit record are ``network.service``'s: a case the user
may not see, or an entity not in the case's graph, is 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from jointprobe.network.graph import GraphNode
from jointprobe.network.money import Party
from jointprobe.network.paths import Evidence
from jointprobe.network.service import (
    DEFAULT_TOP,
    MAX_TOP,
    analyse_case,
    case_paths,
    money_of_case,
)
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.deps import UserDep, WriteSessionDep

router = APIRouter(prefix="/cases", tags=["network"], responses=SIGNED_IN)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NetworkEntity(Strict):
    id: str
    caption: str
    schema_name: str
    tlp: str
    grading: str | None
    fictional: bool


class KeyPlayer(Strict):
    entity: NetworkEntity
    community: int
    degree: int
    betweenness: float = Field(description="Share of shortest paths between others, 0..1")
    pagerank: float
    why: list[str]


class Group(Strict):
    number: int = Field(description="Leiden community, 1 = the largest")
    size: int
    members: list[NetworkEntity] = Field(description="Most central (PageRank) first")


class NetworkAnalysis(Strict):
    case_id: str
    entities: int
    ties: int
    modularity: float
    truncated: bool = Field(description="The case graph was cut off at its size limit")
    top: list[KeyPlayer]
    groups: list[Group]


class EvidenceOut(Strict):
    relation_id: str
    schema_name: str
    label: str
    caption: str
    source_id: str = Field(description="Where the relation points from")
    target_id: str
    properties: dict[str, Any]
    dates: dict[str, list[str]]
    source: str | None
    tlp: str
    grading: str | None
    fictional: bool


class PathStep(Strict):
    source: str
    target: str
    evidence: list[EvidenceOut]


class NetworkPath(Strict):
    case_id: str
    source: NetworkEntity
    target: NetworkEntity
    connected: bool
    hops: int | None
    paths: list[list[PathStep]]
    more: bool = Field(description="More shortest paths than returned")
    truncated: bool
    message: str


class MoneyParty(Strict):
    id: str
    caption: str
    schema_name: str | None = Field(description="None: not an entity of this case")
    holders: list[str]
    fictional: bool


class MoneyFlow(Strict):
    payer: MoneyParty
    beneficiary: MoneyParty
    kind: Literal["payment", "crypto"]
    currency: str
    total: str = Field(description="Exact decimal sum of the amounts, in this currency only")
    payments: list[str]
    without_amount: int
    first: str | None
    last: str | None
    tlp: str = Field(description="The strictest TLP of the payments summed")


class MoneyPartyTotal(Strict):
    party: MoneyParty
    currency: str
    sent: str
    received: str
    counterparties: int
    payments: int


class CaseMoney(Strict):
    case_id: str
    payments: int
    currencies: list[str]
    flows: list[MoneyFlow]
    parties: list[MoneyPartyTotal]
    message: str


def _entity(node: GraphNode) -> NetworkEntity:
    return NetworkEntity(id=node.id, caption=node.label, schema_name=node.schema, tlp=node.tlp,
                         grading=node.grading, fictional=node.fictional)  # fmt: skip


def _evidence(ev: Evidence) -> EvidenceOut:
    return EvidenceOut(
        relation_id=ev.relation_id, schema_name=ev.schema, label=ev.label, caption=ev.caption,
        source_id=ev.source_id, target_id=ev.target_id, properties=ev.properties, dates=ev.dates,
        source=ev.source, tlp=ev.tlp, grading=ev.grading, fictional=ev.fictional,
    )  # fmt: skip


def _party(party: Party) -> MoneyParty:
    return MoneyParty(id=party.id, caption=party.caption, schema_name=party.schema,
                      holders=list(party.holders), fictional=party.fictional)  # fmt: skip


@router.get("/{case_id}/network/analysis", response_model=NetworkAnalysis, responses=answers(404))
def network_analysis(
    case_id: str,
    session: WriteSessionDep,
    user: UserDep,
    top: Annotated[int, Query(ge=1, le=MAX_TOP)] = DEFAULT_TOP,
) -> NetworkAnalysis:
    """Key players (degree, betweenness, PageRank, and why) and Leiden groups of a case."""
    result = analyse_case(session, user, case_id, top)
    return NetworkAnalysis(
        case_id=result.case.id,
        entities=len(result.graph.nodes),
        ties=result.analysis.edges,
        modularity=result.analysis.modularity,
        truncated=result.graph.truncated,
        top=[KeyPlayer(entity=_entity(p.node), community=p.score.community,
                       degree=p.score.degree, betweenness=p.score.betweenness,
                       pagerank=p.score.pagerank, why=p.why) for p in result.top],
        groups=[Group(number=g.number, size=len(g.members),
                      members=[_entity(n) for n in g.members]) for g in result.groups],
    )  # fmt: skip


@router.get("/{case_id}/network/path", response_model=NetworkPath, responses=answers(404))
def network_path(
    case_id: str,
    session: WriteSessionDep,
    user: UserDep,
    source: Annotated[str, Query(alias="from", min_length=1, max_length=128)],
    target: Annotated[str, Query(alias="to", min_length=1, max_length=128)],
) -> NetworkPath:
    """Shortest paths between two entities of a case, each step with its evidence."""
    found = case_paths(session, user, case_id, source, target)
    if found.connected:
        message = f"{len(found.paths)} shortest path(s) of {found.hops} step(s)"
    else:
        message = f"{found.source.label} and {found.target.label} are not connected in this case"
    return NetworkPath(
        case_id=case_id, source=_entity(found.source), target=_entity(found.target),
        connected=found.connected, hops=found.hops, more=found.more, truncated=found.truncated,
        paths=[[PathStep(source=s.source.id, target=s.target.id,
                         evidence=[_evidence(ev) for ev in s.evidence]) for s in path]
               for path in found.paths],
        message=message,
    )  # fmt: skip


@router.get("/{case_id}/network/money", response_model=CaseMoney, responses=answers(404))
def network_money(case_id: str, session: WriteSessionDep, user: UserDep) -> CaseMoney:
    """Payments and crypto-wallet transfers, summed by counterparty and currency."""
    money = money_of_case(session, user, case_id)
    message = (f"{money.payments} payment(s); amounts are never added across currencies"
               if money.flows else "This case has no payments or wallet transfers.")  # fmt: skip
    return CaseMoney(
        case_id=case_id, payments=money.payments, currencies=money.currencies(), message=message,
        flows=[MoneyFlow(payer=_party(f.payer), beneficiary=_party(f.beneficiary),
                         kind="crypto" if f.kind == "crypto" else "payment",
                         currency=f.currency, total=str(f.total), payments=f.payments,
                         without_amount=f.without_amount, first=f.first, last=f.last,
                         tlp=f.tlp)
               for f in money.flows],
        parties=[MoneyPartyTotal(party=_party(t.party), currency=t.currency, sent=str(t.sent),
                                 received=str(t.received), counterparties=t.counterparties,
                                 payments=t.payments) for t in money.parties],
    )  # fmt: skip
