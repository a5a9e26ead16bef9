"""Deconfliction pages: sessions this user may see, one session, and its actions.

Each action is a form posted with the CSRF token; the services decide need-to-know
and who may consent, as for the API and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from jointprobe import deconflict
from jointprobe.cases import list_cases
from jointprobe.errors import JointprobeError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.peers import list_peers
from jointprobe.node import Node
from jointprobe.store.tables import User
from jointprobe.web.pages.deps import CsrfDep, DbDep, PageUser, TextForm
from jointprobe.web.pages.render import finish, page

router = APIRouter()


def _index(request: Request, user: User, error: JointprobeError | None = None) -> Response:
    node: Node = request.app.state.node
    with node.write_session() as db:
        deconflict.expire_stalled(db, node_keys(node))
        actor = db.merge(user)
        context = {
            "title": "Deconfliction",
            "sessions": deconflict.list_sessions(db, actor),
            "cases": list_cases(db, actor),
            "peers": [p.node_id for p in list_peers(db) if p.active],
            "kinds": ",".join(deconflict.DEFAULT_KINDS),
            "error": error,
        }
    return page(request, "deconflict.html", context, status=422 if error else 200)


@router.get("/deconflict")
def index(request: Request, user: PageUser) -> Response:
    return _index(request, user)


@router.get("/deconflict/{session_id}")
def show(request: Request, db: DbDep, user: PageUser, session_id: str) -> Response:
    view = deconflict.view(db, user, session_id)
    context = {"title": f"Deconfliction {session_id[:8]}", "s": view,
               "cases": list_cases(db, user)}  # fmt: skip
    return page(request, "deconflict_session.html", context)


def _act(request: Request, user: User, act: Callable[[Session, User, NodeKeys, Node], Any]) -> str:
    node: Node = request.app.state.node
    with node.write_session() as db:
        row = act(db, db.merge(user), node_keys(node), node)
        return str(row.id)


@router.post("/deconflict")
def start(
    request: Request,
    user: PageUser,
    _csrf: CsrfDep,
    peer: TextForm = "",
    case_id: TextForm = "",
    kinds: TextForm = "",
    by_kind: TextForm = "",
) -> Response:
    """Offer a case's selectors to a peer (a member of the case)."""
    chosen = [k for k in kinds.split(",") if k.strip()] or None
    try:
        sid = _act(request, user, lambda db, u, k, n: deconflict.start(
            db, u, k, n.settings, peer=peer, case_id=case_id, kinds=chosen,
            by_kind=bool(by_kind)))  # fmt: skip
    except JointprobeError as exc:
        return _index(request, user, exc)
    return finish(request, RedirectResponse(f"/deconflict/{quote(sid)}", status_code=303))


@router.post("/deconflict/{session_id}/{action}")
def act(
    request: Request,
    user: PageUser,
    _csrf: CsrfDep,
    session_id: str,
    action: str,
    case_id: TextForm = "",
    by_kind: TextForm = "",
) -> Response:
    """Join (a member of the chosen case), consent or decline (the case owner)."""
    actions: dict[str, Callable[[Session, User, NodeKeys, Node], Any]] = {
        "join": lambda db, u, k, n: deconflict.join(
            db, u, k, n.settings, session_id, case_id=case_id, by_kind=bool(by_kind)),
        "consent": lambda db, u, k, n: deconflict.consent(db, u, k, session_id),
        "decline": lambda db, u, k, n: deconflict.decline(db, u, k, session_id),
    }  # fmt: skip
    if action not in actions:
        return _index(request, user, JointprobeError(f"no action {action!r}"))
    try:
        _act(request, user, actions[action])
    except JointprobeError as exc:
        return _index(request, user, exc)
    return finish(request, RedirectResponse(f"/deconflict/{quote(session_id)}", status_code=303))
