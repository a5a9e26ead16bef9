"""Requests for information: ask a peer from a case or about a referral, answer one received.

An RFI is shown on the referral page (``/referrals/{id}``, ``/rfis/{id}`` leads
there); RFIs about a referral are listed on the referral's page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from jointprobe.cases.service import visible_case
from jointprobe.errors import InvalidInput, JointprobeError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.workflow import answer_rfi, ask_about, send_rfi
from jointprobe.node import Node
from jointprobe.store.tables import User
from jointprobe.web.pages.composing import compose_page
from jointprobe.web.pages.deps import CsrfDep, DbDep, PageUser, TextForm
from jointprobe.web.pages.refdata import referral_detail
from jointprobe.web.pages.referrals import show_referral
from jointprobe.web.pages.render import finish

router = APIRouter()
MAX_TEXT = 20_000


def _due(text: str) -> datetime | None:
    """An optional due date (the end of that day, UTC)."""
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("due date must read YYYY-MM-DD") from None
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


def _text(value: str, what: str) -> str:
    if not value.strip():
        raise InvalidInput(f"write the {what}")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"the {what} is longer than {MAX_TEXT} characters")
    return value.strip()


def _compose(request: Request, db: DbDep, user: User, case_id: str, form: dict[str, Any],
             error: JointprobeError | None = None) -> Response:  # fmt: skip
    title = "New request for information"
    return compose_page(request, db, user, case_id, form, error=error, title=title,
                        template="rfi_new.html")  # fmt: skip


@router.get("/rfis/new")
def compose(request: Request, db: DbDep, user: PageUser, case: str = "") -> Response:
    return _compose(request, db, user, case, {"to": "", "tlp": "AMBER"})


@router.post("/rfis")
def send(
    request: Request,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    case_id: TextForm = "",
    to: TextForm = "",
    question: TextForm = "",
    due: TextForm = "",
    tlp: TextForm = "AMBER",
) -> Response:
    """Ask a peer a question from a case (only a member of the case may)."""
    visible_case(db, user, case_id)
    form = {"to": to, "question": question, "due": due, "tlp": tlp}
    node: Node = request.app.state.node
    try:
        if not to:
            raise InvalidInput("choose the peer to ask")
        text, when = _text(question, "question"), _due(due)
        with node.write_session() as session:
            rfi_id = send_rfi(
                session, session.merge(user), node_keys(node), to=to, question=text,
                case_id=case_id, due=when, tlp=tlp,
            )  # fmt: skip
    except JointprobeError as exc:
        return _compose(request, db, user, case_id, form, exc)
    return finish(request, RedirectResponse(f"/referrals/{rfi_id}", status_code=303))


@router.post("/referrals/{referral_id}/rfi")
def ask(
    referral_id: str,
    request: Request,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    peer_id: TextForm = "",
    question: TextForm = "",
    due: TextForm = "",
    tlp: TextForm = "AMBER",
) -> Response:
    """Ask a counterpart of a referral a question about it."""
    referral_detail(db, user, referral_id)
    form = {"peer_id": peer_id, "question": question, "due": due, "tlp": tlp}
    node: Node = request.app.state.node
    try:
        if not peer_id:
            raise InvalidInput("choose the peer to ask")
        text, when = _text(question, "question"), _due(due)
        with node.write_session() as session:
            ask_about(
                session, session.merge(user), node_keys(node), referral_id, peer_id=peer_id,
                question=text, due=when, tlp=tlp,
            )  # fmt: skip
    except JointprobeError as exc:
        return show_referral(request, db, user, referral_id, error=exc, error_for="rfi", form=form)
    return finish(request, RedirectResponse(f"/referrals/{referral_id}#rfis", status_code=303))


@router.get("/rfis/{rfi_id}")
def show(rfi_id: str, request: Request, db: DbDep, user: PageUser) -> Response:
    referral_detail(db, user, rfi_id)
    return finish(request, RedirectResponse(f"/referrals/{rfi_id}", status_code=303))


@router.post("/rfis/{rfi_id}/answer")
def answer(
    rfi_id: str,
    request: Request,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    answer: TextForm = "",
    tlp: TextForm = "AMBER",
    peer_id: TextForm = "",
) -> Response:
    """Answer a request for information received from a peer."""
    referral_detail(db, user, rfi_id)
    form = {"answer": answer, "tlp": tlp}
    node: Node = request.app.state.node
    try:
        text = _text(answer, "answer")
        with node.write_session() as session:
            answer_rfi(
                session, session.merge(user), node_keys(node), rfi_id, answer=text, tlp=tlp,
                peer_id=peer_id or None,
            )  # fmt: skip
    except JointprobeError as exc:
        return show_referral(request, db, user, rfi_id, error=exc, error_for="answer", form=form)
    return finish(request, RedirectResponse(f"/referrals/{rfi_id}", status_code=303))
