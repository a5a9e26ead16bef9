"""Under ``/api/v1`` a known path asked with another method is 405 (with ``Allow``), an
unknown path a JSON 404: the web pages, mounted at ``/``, would otherwise answer both
with an HTML 404.

The routes are looked up when a request comes, so a router included at any
point of ``create_app`` is covered without registering anything here. FastAPI
builds each included route's matching context on the first request that
reaches it (about 50 ms for this app, several times that on a loaded machine);
:func:`warm_routes`, run at startup, has that done before any caller waits.
"""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class ApiMethodsMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        allowed = allowed_methods(scope)
        if allowed is None:
            await self.app(scope, receive, send)
        elif allowed:
            message = f"{scope['method']} is not allowed here; allowed: {', '.join(allowed)}"
            headers = [(b"allow", ", ".join(allowed).encode())]
            await _refuse(send, 405, "request.method_not_allowed", message, headers)
        else:
            await _refuse(send, 404, "not_found", f"no API route {path}", [])


def allowed_methods(scope: Scope) -> list[str] | None:
    """``None`` when a route takes this request; else the methods the path takes (maybe none).

    Asks the routes themselves, method by method (routers may nest, so their
    ``methods`` are not all in one list).
    """
    if _taken(scope):
        return None
    return [m for m in METHODS if m != scope["method"] and _taken({**scope, "method": m})]


def warm_routes(app: Starlette, prefix: str) -> None:
    """Match a path no route takes against every route once, so that the lazy parts of
    routing are built now (at startup) rather than in a caller's first request."""
    scope: Scope = {"type": "http", "method": "GET", "path": f"{prefix}/", "root_path": "",
                    "headers": [], "query_string": b"", "app": app}  # fmt: skip
    allowed_methods(scope)


def _taken(scope: Scope) -> bool:
    routes = scope["app"].router.routes
    # the web pages, mounted at "/", take every path
    return any(
        route.matches(scope)[0] is Match.FULL for route in routes if not isinstance(route, Mount)
    )


async def _refuse(
    send: Send, status: int, code: str, message: str, headers: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps({"code": code, "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})
