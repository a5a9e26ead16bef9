"""Cooperation: referrals and response times per partner, the referral → conviction funnel."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jointprobe.web.pages.coopdata import funnel
from jointprobe.web.pages.deps import AuditedDbDep, PageUser
from jointprobe.web.pages.refdata import partner_figures
from jointprobe.web.pages.render import page

router = APIRouter()


@router.get("/cooperation")
def cooperation_page(request: Request, db: AuditedDbDep, user: PageUser) -> Response:
    figures = funnel(db, user)
    top = max(figures.counts.values(), default=0) or 1
    partners = partner_figures(db, user)
    context = {"title": "Cooperation", "funnel": figures, "top": top, "partners": partners}
    return page(request, "cooperation.html", context)
