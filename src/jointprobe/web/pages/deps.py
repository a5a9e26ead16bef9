"""Page dependencies: the browser session, the signed-in user, the CSRF check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Form, Request
from sqlalchemy.orm import Session

from jointprobe.accounts.web_sessions import session_is_live
from jointprobe.store.tables import User
from jointprobe.timeutil import Clock
from jointprobe.web.deps import get_session, get_write_session
from jointprobe.web.pages.errors import CsrfRejected, SignInRequired
from jointprobe.web.session import (
    ANONYMOUS_SECONDS,
    COOKIE_NAME,
    SessionSigner,
    WebSession,
    csrf_matches,
    new_session,
)


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as templates see it (outlives the database session)."""

    id: int
    username: str
    display_name: str
    role: str


DbDep = Annotated[Session, Depends(get_session)]


def clock(request: Request) -> Clock:
    """The app's clock (``create_app(node, clock=...)``; tests pass a fake one)."""
    now: Clock = request.app.state.clock
    return now


def web_session(request: Request, db: DbDep) -> WebSession:
    """This browser's session; a fresh anonymous one when it has none (or a dead one).

    A signed-in session counts only while the node store has it live (not
    signed out, user active): one indexed lookup per request, only for
    signed-in cookies.
    """
    cached: WebSession | None = getattr(request.state, "web", None)
    if cached is not None:
        return cached
    signer: SessionSigner = request.app.state.signer
    now = clock(request)().timestamp()
    found = signer.read(request.cookies.get(COOKIE_NAME), now=now)
    if found is not None and found.user_id is not None and not found.expired:
        if not session_is_live(db, found.sid, found.user_id):
            found = None  # signed out, disabled or superseded: anonymous, no "expired" note
    if found is None or found.expired:
        session = new_session(None, ANONYMOUS_SECONDS, now=now)
        session.expired = found is not None and found.user_id is not None
    else:
        session = found
    request.state.web = session
    return session


WebDep = Annotated[WebSession, Depends(web_session)]
# For pages that record what was read (case, graph, dashboard): the audit row is
# a write, so the transaction takes the write lock first (see web.deps).
AuditedDbDep = Annotated[Session, Depends(get_write_session)]


def page_user(request: Request, web: WebDep, db: DbDep) -> User:
    """The signed-in user, or ``SignInRequired`` (a redirect to the sign-in page)."""
    if web.user_id is None:
        raise SignInRequired(expired=web.expired)
    user = db.get(User, web.user_id)
    if user is None or not user.active:
        raise SignInRequired("this account is disabled or gone")
    request.state.user = Viewer(user.id, user.username, user.display_name, user.role)
    return user


async def csrf_checked(request: Request, web: WebDep) -> None:
    """Refuse a form POST whose ``csrf_token`` does not match the session's."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise CsrfRejected("the form was sent from another site")
    form = await request.form()
    token = form.get("csrf_token")
    if not isinstance(token, str) or not csrf_matches(web, token):
        raise CsrfRejected(
            "the form's security token is missing or stale; reload the page and submit again"
        )


PageUser = Annotated[User, Depends(page_user)]
TextForm = Annotated[str, Form()]
ListForm = Annotated[list[str], Form()]
CsrfChecked = Depends(csrf_checked)
CsrfDep = Annotated[None, Depends(csrf_checked)]
