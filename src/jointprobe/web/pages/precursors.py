"""The precursor register page: notifications with their deadlines and answers, reports,
incidents; a regulator answers a received notification here."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from jointprobe.errors import JointprobeError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.workflow import is_overdue
from jointprobe.node import Node
from jointprobe.precursors import DECIDE_ROLES, answer_pen, list_register
from jointprobe.store.tables import User
from jointprobe.timeutil import utcnow
from jointprobe.web.pages.deps import CsrfDep, DbDep, PageUser, TextForm
from jointprobe.web.pages.render import finish, page

router = APIRouter()


def _page(request: Request, db: DbDep, user: User, error: JointprobeError | None = None,
          status: int = 200) -> Response:  # fmt: skip
    now = utcnow()
    pens = list_register(db, user, kind="pen")
    context = {
        "title": "Precursor register",
        "pens": pens,
        "overdue": {(r.id, r.peer_id): is_overdue(r, now) for r in pens},
        "reports": list_register(db, user, kind="sor", limit=50),
        "incidents": list_register(db, user, kind="incident", limit=50),
        "may_answer": user.role in DECIDE_ROLES,
        "error": error,
    }
    return page(request, "precursors.html", context, status=status)


@router.get("/precursors")
def index(request: Request, db: DbDep, user: PageUser) -> Response:
    return _page(request, db, user)


@router.post("/precursors/{pen_id}/answer")
def answer(
    request: Request,
    pen_id: str,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    peer_id: TextForm = "",
    decision: TextForm = "",
    reason: TextForm = "",
) -> Response:
    """Answer a received notification (regulators, supervisors)."""
    node: Node = request.app.state.node
    try:
        with node.write_session() as session:
            answer_pen(
                session, session.merge(user), node_keys(node), pen_id, decision=decision,
                reason=reason.strip(), peer_id=peer_id or None,
            )  # fmt: skip
    except JointprobeError as exc:
        return _page(request, db, user, exc, status=exc.status)
    return finish(request, RedirectResponse("/precursors", status_code=303))
