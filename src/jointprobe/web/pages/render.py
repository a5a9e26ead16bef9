"""Jinja2 rendering of pages, the session cookie and the security headers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from jointprobe.cases.marking import describe
from jointprobe.precursors import can_see_register
from jointprobe.web.session import COOKIE_NAME, SessionSigner, WebSession

TLP_CLASSES = {
    "CLEAR": "tlp-clear",
    "GREEN": "tlp-green",
    "AMBER": "tlp-amber",
    "AMBER+STRICT": "tlp-amber-strict",
    "RED": "tlp-red",
}
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _tlp_class(label: str) -> str:
    return TLP_CLASSES.get(label, "tlp-unknown")


def _handling(handling: dict[str, Any]) -> str:
    text = describe("X", handling, None)
    return text.partition(" · ")[2]


environment = Environment(
    loader=PackageLoader("jointprobe.web", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["tlp_class"] = _tlp_class
environment.filters["handling_text"] = _handling
environment.globals["sees_precursors"] = can_see_register


def set_session_cookie(request: Request, response: Response, session: WebSession) -> None:
    signer: SessionSigner = request.app.state.signer
    now = int(request.app.state.clock().timestamp())
    response.set_cookie(
        COOKIE_NAME,
        signer.sign(session),
        max_age=max(session.exp - now, 0),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def finish(request: Request, response: Response) -> Response:
    """Add security headers and (re)send the session cookie when it is new."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    session: WebSession | None = getattr(request.state, "web", None)
    if session is not None and session.fresh:
        set_session_cookie(request, response, session)
    return response


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render a template with the common context: node, user, session (for CSRF)."""
    base = {
        "request": request,
        "node": request.app.state.node.identity,
        "user": getattr(request.state, "user", None),
        "web": getattr(request.state, "web", None),
    }
    html = environment.get_template(template).render(**base, **context)
    return finish(request, HTMLResponse(html, status_code=status))
