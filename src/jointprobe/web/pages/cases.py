"""The case page: timeline, members, entities, each with its marking."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jointprobe.network.crosscase import cross_case_links
from jointprobe.web.pages.caseview import case_view
from jointprobe.web.pages.deps import AuditedDbDep, PageUser
from jointprobe.web.pages.render import page

router = APIRouter()


@router.get("/cases/{case_id}")
def case_page(case_id: str, request: Request, db: AuditedDbDep, user: PageUser) -> Response:
    view = case_view(db, user, case_id)
    links = cross_case_links(db, user, case_id)  # need-to-know: other cases by owner only
    return page(request, "case.html", {"title": view.summary.title, "view": view, "links": links})
