"""The dashboard: the user's cases, recent outcomes, referrals and hits as they exist."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jointprobe.web.pages.dashdata import dashboard
from jointprobe.web.pages.deps import AuditedDbDep, PageUser
from jointprobe.web.pages.render import page

router = APIRouter()


@router.get("/")
def dashboard_page(request: Request, db: AuditedDbDep, user: PageUser) -> Response:
    board = dashboard(db, user)
    return page(request, "dashboard.html", {"title": "Dashboard", "board": board})
