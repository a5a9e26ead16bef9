"""Cooperation: the referral → conviction funnel and, with the exchange, partner figures."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jointprobe.web.pages.coopdata import funnel
from jointprobe.web.pages.deps import DbDep, PageUser
from jointprobe.web.pages.render import page

router = APIRouter()


@router.get("/cooperation")
def cooperation_page(request: Request, db: DbDep, user: PageUser) -> Response:
    figures = funnel(db, user)
    top = max(figures.counts.values(), default=0) or 1
    context = {"title": "Cooperation", "funnel": figures, "top": top}
    return page(request, "cooperation.html", context)
