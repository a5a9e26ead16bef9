"""Sign-in and sign-out: throttled, recorded in the node store and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from jointprobe.accounts.service import authenticate_password
from jointprobe.accounts.throttle import (
    SignInThrottled,
    ThrottlePolicy,
    check_signin_allowed,
    clear_failures,
    record_failure,
    withdraw_failure,
)
from jointprobe.accounts.web_sessions import end_session, session_ref, start_session
from jointprobe.audit import record
from jointprobe.errors import Unauthorized
from jointprobe.node import Node
from jointprobe.web.pages.deps import CsrfChecked, CsrfDep, DbDep, PageUser, WebDep, clock
from jointprobe.web.pages.render import finish, page
from jointprobe.web.session import ANONYMOUS_SECONDS, WebSession, new_session

router = APIRouter()
WRONG = "Wrong user name or password."


def renew_session(
    w: Session, node: Node, web: WebSession, user_id: int, reason: str, now: datetime
) -> WebSession:
    """Record a new session for ``user_id`` in place of this browser's (ended, with
    ``reason``, when it was signed in); the caller puts it on ``request.state.web``."""
    fresh = new_session(user_id, node.settings.session_max_age_seconds, now=now.timestamp())
    if web.user_id is not None:
        end_session(w, web.sid, reason, now)
    start_session(w, fresh.sid, user_id, datetime.fromtimestamp(fresh.exp, UTC), now)
    return fresh


def safe_next(target: str | None) -> str:
    """Only a local path may be a redirect target (no //host, no scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def client_address(request: Request) -> str:
    """The peer address as the server saw it (behind a proxy: see docs/operations.md)."""
    return request.client.host if request.client else "unknown"


def _audit_ref(sid: str) -> str:
    """The audit log's name for a session: the start of its key in ``web_sessions``."""
    return session_ref(sid)[:16]


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


def _form_again(request: Request, next: str, username: str, error: str, status: int) -> Response:
    context = {
        "title": "Sign in",
        "next": safe_next(next),
        "notice": None,
        "error": error,
        "username": username,
    }
    return page(request, "signin.html", context, status=status)


def audit_failure(
    request: Request, name: str, address: str, locked: list[str], action: str = "signin_failed"
) -> None:
    """Audit a failed sign-in (counted already) and the lockout it started.

    A wrong current password on the password form counts the same way and is
    audited with ``action="password_change_failed"``.
    """
    node: Node = request.app.state.node
    policy: ThrottlePolicy = request.app.state.throttle
    actor = name[:64] or "?"
    with node.write_session() as db:
        record(db, actor, action, "web_session", "-", {"address": address})
        for scope in locked:
            limit = policy.max_failures if scope == "account" else policy.max_failures_per_address
            detail = {
                "scope": scope,
                "address": address,
                "failures": limit,
                "window_seconds": int(policy.window.total_seconds()),
            }
            record(db, actor, "signin_locked", "web_session", "-", detail)


@router.post("/signin", dependencies=[CsrfChecked])
def signin(
    request: Request,
    web: WebDep,
    db: DbDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    node: Node = request.app.state.node
    now = clock(request)()
    name, address = username.strip(), client_address(request)
    policy: ThrottlePolicy = request.app.state.throttle
    try:
        # Check the limit and count this attempt as a failure in one write transaction,
        # before the password is checked: simultaneous guesses queue here, so no more
        # than the limit get through however many arrive at once.
        with node.write_session() as w:
            check_signin_allowed(w, policy, name, address, now)
            locked = record_failure(w, policy, name, address, now)
        user = authenticate_password(db, name, password)
    except SignInThrottled as exc:
        refused = _form_again(request, next, username, exc.message, exc.status)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except Unauthorized:
        audit_failure(request, name, address, locked)
        return _form_again(request, next, username, WRONG, 401)
    with node.write_session() as w:
        clear_failures(w, name)
        withdraw_failure(w, policy, address, now)
        fresh = renew_session(w, node, web, user.id, "signed_in_again", now)
        ref = _audit_ref(fresh.sid)
        record(w, user.username, "signin", "web_session", ref, {"address": address})
    request.state.web = fresh
    return finish(request, RedirectResponse(safe_next(next), status_code=303))


@router.post("/signout")
def signout(request: Request, web: WebDep, user: PageUser, _csrf: CsrfDep) -> Response:
    node: Node = request.app.state.node
    now = clock(request)()
    with node.write_session() as db:
        end_session(db, web.sid, "signout", now)
        record(db, user.username, "signout", "web_session", _audit_ref(web.sid))
    request.state.web = new_session(None, ANONYMOUS_SECONDS, now=now.timestamp())
    return finish(request, RedirectResponse("/signin?out=1", status_code=303))
