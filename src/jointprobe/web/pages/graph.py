"""The network graph page and its JSON (Cytoscape.js elements)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from jointprobe.cases.service import get_case
from jointprobe.store.tables import Case
from jointprobe.web.pages.deps import AuditedDbDep, PageUser
from jointprobe.web.pages.graphdata import Graph, case_graph, case_schemata, neighbourhood
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
