"""The network graph pages and their JSON (Cytoscape.js elements): a case's graph, and
the expansion from a selector across the cases the user may see (``/network``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from jointprobe.cases.service import get_case
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.network.expand import DEFAULT_HOPS, DEFAULT_LIMIT, MAX_HOPS, MAX_LIMIT, expand
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
    return finish(request, JSONResponse(graph.to_elements()))


def _expansion(
    db: AuditedDbDep, user: PageUser, q: str | None, entity: str | None, hops: int, limit: int
) -> Graph:
    result = expand(db, user, q or None, entity_id=entity or None, hops=min(max(hops, 0), MAX_HOPS),
                    limit=min(max(limit, 1), MAX_LIMIT))  # fmt: skip
    return expansion_graph(result)


@router.get("/network")
def network_page(
    request: Request,
    db: AuditedDbDep,
    user: PageUser,
    q: Annotated[str | None, Query(max_length=500)] = None,
    hops: int = DEFAULT_HOPS,
    limit: int = DEFAULT_LIMIT,
) -> Response:
    """A form to expand from a selector; below it, the network found (or why not)."""
    graph, error, status = Graph(), None, 200
    if q:
        try:
            graph = _expansion(db, user, q, None, hops, limit)
        except (InvalidInput, NotFound) as exc:  # said next to the form, with its status
            error, status = exc.message, exc.status
    context = {
        "title": "Network",
        "q": q or "",
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
