"""Notices: received ones (``workflow.visible_notices``) and ones sent from a case
(``noticedata.sent_notices``) listed; one sent from a case."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from jointprobe.cases.service import visible_case
from jointprobe.errors import InvalidInput, JointprobeError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.workflow import notice_from_case, visible_notices
from jointprobe.node import Node
from jointprobe.store.tables import User
from jointprobe.web.pages.composing import compose_page
from jointprobe.web.pages.deps import (
    AuditedDbDep,
    CsrfDep,
    DbDep,
    ListForm,
    PageUser,
    TextForm,
)
from jointprobe.web.pages.noticedata import sent_notices
from jointprobe.web.pages.render import finish, page

router = APIRouter()


@router.get("/notices")
def index(request: Request, db: AuditedDbDep, user: PageUser) -> Response:
    context = {
        "title": "Notices",
        "notices": visible_notices(db, user),
        "sent": sent_notices(db, user),
    }
    return page(request, "notices.html", context)


def _compose(request: Request, db: DbDep, user: User, case_id: str, form: dict[str, Any],
             error: JointprobeError | None = None) -> Response:  # fmt: skip
    return compose_page(request, db, user, case_id, form, error=error, title="New notice",
                        template="notice_new.html")  # fmt: skip


@router.get("/notices/new")
def compose(request: Request, db: DbDep, user: PageUser, case: str = "") -> Response:
    return _compose(request, db, user, case, {"to": [], "tlp": "GREEN"})


@router.post("/notices")
def send(
    request: Request,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    case_id: TextForm = "",
    topic: TextForm = "",
    text: TextForm = "",
    tlp: TextForm = "GREEN",
    to: ListForm = [],  # noqa: B006 (FastAPI copies form defaults)
) -> Response:
    """Tell peers something from a case (only a member of the case may)."""
    visible_case(db, user, case_id)
    form = {"to": to, "topic": topic, "text": text, "tlp": tlp}
    node: Node = request.app.state.node
    try:
        if not to:
            raise InvalidInput("choose at least one peer")
        if not topic.strip() or len(topic) > 300:
            raise InvalidInput("the topic must have 1 to 300 characters")
        if len(text) > 20_000:
            raise InvalidInput("the text is longer than 20000 characters")
        with node.write_session() as session:
            notice_from_case(
                session, session.merge(user), node_keys(node), case_id, to=to,
                topic=topic.strip(), text=text, tlp=tlp,
            )  # fmt: skip
    except JointprobeError as exc:
        return _compose(request, db, user, case_id, form, exc)
    return finish(request, RedirectResponse(f"/cases/{quote(case_id)}", status_code=303))
