"""The signed-in user's own account: changing their password.

A wrong current password counts against the sign-in limit (per name and per
address, ``accounts.throttle``) exactly like a failed sign-in, so a stolen
session cannot be used to guess the password; over the limit the form answers
429. A right one clears the name's count. The change ends every other web
session of the user; this one stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jointprobe.accounts.service import change_password
from jointprobe.accounts.throttle import (
    SignInThrottled,
    ThrottlePolicy,
    check_signin_allowed,
    clear_failures,
    record_failure,
    withdraw_failure,
)
from jointprobe.errors import InvalidInput, Unauthorized
from jointprobe.node import Node
from jointprobe.web.pages.auth import audit_failure, client_address, renew_session
from jointprobe.web.pages.deps import CsrfDep, PageUser, TextForm, WebDep, clock
from jointprobe.web.pages.render import page

router = APIRouter()
PATH = "/account/password"


def _form(
    request: Request, *, error: str | None = None, done: str | None = None, status: int = 200
) -> Response:
    context: dict[str, Any] = {"title": "Change password", "error": error, "done": done}
    return page(request, "password.html", context, status=status)


def _sentence(message: str) -> str:
    return f"{message[:1].upper()}{message[1:]}."


@router.get(PATH)
def password_form(request: Request, user: PageUser) -> Response:
    return _form(request)


@router.post(PATH)
def password_change(
    request: Request,
    web: WebDep,
    user: PageUser,
    _csrf: CsrfDep,
    current: TextForm = "",
    new: TextForm = "",
    again: TextForm = "",
) -> Response:
    if new != again:
        return _form(request, error="The two new passwords differ.", status=422)
    node: Node = request.app.state.node
    policy: ThrottlePolicy = request.app.state.throttle
    now = clock(request)()
    name, address = user.username, client_address(request)
    try:
        # As at sign-in: check the limit and count the attempt as a failure first,
        # in its own transaction, so concurrent guesses queue and the count stays.
        with node.write_session() as w:
            check_signin_allowed(w, policy, name, address, now)
            locked = record_failure(w, policy, name, address, now)
        with node.write_session() as w:
            ended = change_password(w, name, current, new, keep_sid=web.sid, now=now)
            # This browser goes on under a new session id (and CSRF token): a copy of
            # the old cookie, the reason one changes a password, is signed out too.
            fresh = renew_session(w, node, web, user.id, "password_changed", now)
    except SignInThrottled as exc:
        refused = _form(request, error=exc.message, status=exc.status)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except Unauthorized as exc:
        audit_failure(request, name, address, locked, action="password_change_failed")
        return _form(request, error=_sentence(exc.message), status=422)
    except InvalidInput as exc:
        # The current password was right (it is checked first): not a failure.
        _forgive(node, policy, name, address, now)
        return _form(request, error=_sentence(exc.message), status=422)
    _forgive(node, policy, name, address, now)
    request.state.web = fresh
    others = "no other session" if ended == 0 else f"{ended} other session(s) signed out"
    return _form(request, done=f"Your password is changed; {others}.")


def _forgive(node: Node, policy: ThrottlePolicy, name: str, address: str, now: datetime) -> None:
    with node.write_session() as w:
        clear_failures(w, name)
        withdraw_failure(w, policy, address, now)
