"""The network graph pages and their JSON (Cytoscape.js elements): a case's graph, and
the expansion from a selector across the cases the user may see (``/network``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from jointprobe.cases.service import get_case
from jointprobe.entities.normalise import SELECTOR_KINDS
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.network.analysis import Analysis
from jointprobe.network.expand import DEFAULT_HOPS, DEFAULT_LIMIT, MAX_HOPS, MAX_LIMIT, expand
from jointprobe.network.service import analyse_graph
from jointprobe.store.tables import Case
from jointprobe.web.pages.deps import AuditedDbDep, PageUser
from jointprobe.web.pages.graphdata import (
    Graph,
    case_graph,
    case_schemata,
    expansion_graph,
    neighbourhood,
)
from jointprobe.web.pages.render import finish, page

router = APIRouter()
SchemaQuery = Annotated[list[str] | None, Query(alias="schema")]
#: Colours of the largest communities, 1 first (colour-blind safe, Okabe–Ito and Tol's);
#: the rest share OTHER.
COMMUNITY_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
                     "#332288", "#999933", "#882255", "#44aa99")  # fmt: skip
OTHER = "#b8c0c8"


def colour(community: int | None) -> str:
    if community is None or community > len(COMMUNITY_COLOURS):
        return OTHER
    return COMMUNITY_COLOURS[community - 1]


def elements(graph: Graph, analysis: Analysis) -> dict[str, Any]:
    """Cytoscape elements with each node's colour (community) and size (PageRank)."""
    data = graph.to_elements()
    top = max((s.pagerank for s in analysis.scores.values()), default=0.0) or 1.0
    for item in data["nodes"]:
        node = item["data"]
        node["colour"] = colour(node["community"])
        node["size"] = round(14 + 34 * node["pagerank"] / top, 1)
    return data


def legend(graph: Graph, analysis: Analysis) -> list[dict[str, Any]]:
    """One row per community: its number, colour, size and its most central members."""
    labels = {node.id: node for node in graph.nodes}
    rows = []
    for community in analysis.communities[: len(COMMUNITY_COLOURS)]:
        members = sorted(community.members, key=lambda m: -analysis.scores[m].pagerank)
        names = [labels[m].label for m in members[:3]]
        number = community.number
        rows.append(
            {"number": number, "colour": colour(number), "size": len(members), "names": names}
        )
    rest = analysis.communities[len(COMMUNITY_COLOURS) :]
    if rest:
        rows.append({"number": None, "colour": OTHER, "names": [],
                     "size": sum(len(c.members) for c in rest), "groups": len(rest)})  # fmt: skip
    return rows


def _graph(
    db: AuditedDbDep, user: PageUser, case_id: str, around: str | None, schemata: list[str]
) -> tuple[Case, Graph]:
    case = get_case(db, user, case_id)  # need-to-know, and the one audit record of this read
    if around:
        return case, neighbourhood(db, user, around, schemata or None)
    return case, case_graph(db, case, schemata or None)


@router.get("/cases/{case_id}/graph")
def graph_page(
    case_id: str,
    request: Request,
    db: AuditedDbDep,
    user: PageUser,
    around: str | None = None,
    schema: SchemaQuery = None,
) -> Response:
    chosen = schema or []
    case, graph = _graph(db, user, case_id, around, chosen)
    everything = case_schemata(db, case)
    context = {
        "title": "Network graph",
        "case_id": case_id,
        "graph": graph,
        "neighbours": graph.neighbours(),
        "around": around,
        "schemata": everything,
        "chosen": chosen,
    }
    analysis = analyse_graph(graph)
    context |= {"elements": elements(graph, analysis), "legend": legend(graph, analysis)}
    return page(request, "graph.html", context)


@router.get("/cases/{case_id}/graph.json")
def graph_json(
    case_id: str,
    request: Request,
    db: AuditedDbDep,
    user: PageUser,
    around: str | None = None,
    schema: SchemaQuery = None,
) -> Response:
    _case, graph = _graph(db, user, case_id, around, schema or [])
    return finish(request, JSONResponse(elements(graph, analyse_graph(graph))))


def _expansion(
    db: AuditedDbDep, user: PageUser, q: str | None, entity: str | None, hops: int, limit: int,
    kind: str | None = None, region: str | None = None,
) -> Graph:  # fmt: skip
    result = expand(db, user, q or None, entity_id=entity or None, hops=min(max(hops, 0), MAX_HOPS),
                    limit=min(max(limit, 1), MAX_LIMIT), kind=kind or None,
                    region=region or None)  # fmt: skip
    return expansion_graph(result)


@router.get("/network")
def network_page(
    request: Request,
    db: AuditedDbDep,
    user: PageUser,
    q: Annotated[str | None, Query(max_length=500)] = None,
    hops: int = DEFAULT_HOPS,
    limit: int = DEFAULT_LIMIT,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    region: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """A form to expand from a selector (its kind guessed unless chosen, a phone's default
    region); below it, the network found (or why not)."""
    graph, error, status = Graph(), None, 200
    if q:
        try:
            graph = _expansion(db, user, q, None, hops, limit, kind, region)
        except (InvalidInput, NotFound) as exc:  # said next to the form, with its status
            error, status = exc.message, exc.status
    context = {
        "title": "Network",
        "q": q or "",
        "kind": kind or "",
        "kinds": (*SELECTOR_KINDS, "name"),
        "region": region or "",
        "hops": hops,
        "limit": limit,
        "max_hops": MAX_HOPS,
        "max_limit": MAX_LIMIT,
        "graph": graph,
        "neighbours": graph.neighbours(),
        "error": error,
        "schemata": graph.schemata(),
    }
    return page(request, "network.html", context, status=status)


@router.get("/network.json")
def network_json(
    request: Request,
    db: AuditedDbDep,
    user: PageUser,
    q: Annotated[str | None, Query(max_length=500)] = None,
    entity: Annotated[str | None, Query(max_length=128)] = None,
    hops: int = 1,
    limit: int = DEFAULT_LIMIT,
) -> Response:
    """The expansion as Cytoscape.js elements (``entity`` + ``hops=1``: one hop in place)."""
    graph = _expansion(db, user, q, entity, hops, limit)
    return finish(request, JSONResponse(graph.to_elements()))
