"""Sign-in and sign-out."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from jointprobe.accounts.service import authenticate_password
from jointprobe.audit import record
from jointprobe.errors import Unauthorized
from jointprobe.web.pages.deps import CsrfChecked, CsrfDep, DbDep, PageUser, WebDep
from jointprobe.web.pages.render import finish, page
from jointprobe.web.session import ANONYMOUS_SECONDS, SessionSigner, new_session

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no //host, no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _session_ref(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()[:16]


@router.get("/signin")
def signin_form(
    request: Request, web: WebDep, next: str = "/", expired: bool = False, out: bool = False
) -> Response:
    if web.user_id is not None:
        return finish(request, RedirectResponse(safe_next(next), status_code=303))
    notice = None
    if expired or web.expired:
        notice = "Your session expired. Sign in again to go on."
    elif out:
        notice = "You are signed out."
    context = {"title": "Sign in", "next": safe_next(next), "notice": notice, "error": None}
    return page(request, "signin.html", context)


@router.post("/signin", dependencies=[CsrfChecked])
def signin(
    request: Request,
    web: WebDep,
    db: DbDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = authenticate_password(db, username.strip(), password)
    except Unauthorized:
        record(db, username.strip()[:64] or "?", "signin_failed", "web_session", "-")
        context = {
            "title": "Sign in",
            "next": safe_next(next),
            "notice": None,
            "error": "Wrong user name or password.",
            "username": username,
        }
        return page(request, "signin.html", context, status=401)
    signer: SessionSigner = request.app.state.signer
    signer.revoke(web)
    fresh = new_session(user.id, request.app.state.node.settings.session_max_age_seconds)
    request.state.web = fresh
    record(db, user.username, "signin", "web_session", _session_ref(fresh.sid))
    return finish(request, RedirectResponse(safe_next(next), status_code=303))


@router.post("/signout")
def signout(request: Request, web: WebDep, db: DbDep, user: PageUser, _csrf: CsrfDep) -> Response:
    signer: SessionSigner = request.app.state.signer
    signer.revoke(web)
    record(db, user.username, "signout", "web_session", _session_ref(web.sid))
    request.state.web = new_session(None, ANONYMOUS_SECONDS)
    return finish(request, RedirectResponse("/signin?out=1", status_code=303))
