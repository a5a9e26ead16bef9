"""Page dependencies: the browser session, the signed-in user, the CSRF check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from jointprobe.store.tables import User
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


def web_session(request: Request) -> WebSession:
    """This browser's session; a fresh anonymous one when it has none (or a dead one)."""
    cached: WebSession | None = getattr(request.state, "web", None)
    if cached is not None:
        return cached
    signer: SessionSigner = request.app.state.signer
    found = signer.read(request.cookies.get(COOKIE_NAME))
    if found is None or found.expired:
        session = new_session(None, ANONYMOUS_SECONDS)
        session.expired = found is not None and found.user_id is not None
    else:
        session = found
    request.state.web = session
    return session


WebDep = Annotated[WebSession, Depends(web_session)]
DbDep = Annotated[Session, Depends(get_session)]
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
CsrfChecked = Depends(csrf_checked)
CsrfDep = Annotated[None, Depends(csrf_checked)]
