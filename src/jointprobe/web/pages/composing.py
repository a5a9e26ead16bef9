"""What every "send to a peer from a case" form shows: cases, the chosen case, peers, TLPs."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from jointprobe.cases.marking import TLP_LABELS
from jointprobe.cases.service import list_cases, visible_case
from jointprobe.errors import JointprobeError
from jointprobe.exchange.peers import list_peers
from jointprobe.store.tables import User
from jointprobe.web.pages.render import page


def compose_context(
    db: Session, user: User, case_id: str, form: dict[str, Any], *, title: str
) -> dict[str, Any]:
    """The template context of a compose form; an invisible case is a 404 (``visible_case``)."""
    return {
        "title": title,
        "cases": list_cases(db, user),
        "case": visible_case(db, user, case_id) if case_id else None,
        "peers": [p for p in list_peers(db) if p.active],
        "tlps": TLP_LABELS,
        "form": form,
        "error": None,
    }


def compose_page(
    request: Request,
    db: Session,
    user: User,
    case_id: str,
    form: dict[str, Any],
    *,
    title: str,
    template: str,
    error: JointprobeError | None = None,
) -> Response:
    """A compose form, again with ``error`` (and its status) when sending failed."""
    context = compose_context(db, user, case_id, form, title=title)
    context["error"] = str(error) if error else None
    return page(request, template, context, status=error.status if error else 200)
