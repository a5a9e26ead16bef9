"""Request ids, latency and one log line per request; ``/healthz``, ``/readyz``, ``/metrics``.

:class:`RequestObserver` (pure ASGI) takes the caller's ``X-Request-ID`` when
it is a plain token (letters, digits, ``._-``, at most 64) or draws one, hands
it to the app (``request.state.request_id``) and back in the answer, measures
the request and writes one ``web.request`` line: method, route template,
status, milliseconds, request id. Never the raw path or query (they can hold a
selector or a name).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jointprobe.logs import log_event
from jointprobe.operations.health import readiness
from jointprobe.operations.metrics import NodeMetrics

HEADER = "x-request-id"
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}\Z")
#: Who may scrape /metrics without a token: the node's own machine.
LOOPBACK = frozenset({"127.0.0.1", "::1"})
log = logging.getLogger("jointprobe.web")


def request_id(given: str | None) -> str:
    """The caller's id when it is a plain token, else a new one."""
    if given and _TOKEN.match(given):
        return given
    return secrets.token_hex(8)


class RequestObserver:
    def __init__(self, app: ASGIApp, *, metrics: NodeMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(HEADER.encode())
        rid = request_id(given.decode("latin-1") if given else None)
        scope.setdefault("state", {})["request_id"] = rid
        status = 500
        started = time.perf_counter()

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER.encode(), rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            seconds = time.perf_counter() - started
            route = _route(scope)
            self.metrics.observe_request(scope["method"], route, status, seconds)
            log_event(log, "web.request", request_id=rid, method=scope["method"], route=route,
                      status=status, ms=round(seconds * 1000, 1))  # fmt: skip


def _route(scope: Scope) -> str:
    """The matched route's template, with the prefix it was included under; never the
    path as sent (its parameters can be a case id or a selector)."""
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None)
    if not isinstance(template, str) or not template:
        return "(unmatched)"
    params = scope.get("path_params") or {}
    try:
        rendered = template.format(**{k: str(v) for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return template
    path = str(scope.get("path", ""))
    if path.endswith(rendered):
        prefix = path[: len(path) - len(rendered)]
        if not set(prefix.strip("/").split("/")) & {str(v) for v in params.values()}:
            return prefix + template
    return template


def health_router(metrics: NodeMetrics, token: str | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz(request: Request) -> JSONResponse:
        """Database reachable, schema at head, keys readable: 200, else 503 with reasons."""
        report = readiness(request.app.state.node)
        return JSONResponse(report.to_dict(), status_code=200 if report.ready else 503)

    @router.get("/metrics")
    def metrics_page(request: Request) -> Response:
        if not _may_scrape(request, token):
            return PlainTextResponse("metrics: forbidden", status_code=403)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


def _may_scrape(request: Request, token: str | None) -> bool:
    """With a token set, the bearer must hold it; without, only the node's own machine."""
    if token:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {token}"
        return hmac.compare_digest(given.encode(), expected.encode())
    return request.client is not None and request.client.host in LOOPBACK


__all__ = ["HEADER", "RequestObserver", "health_router", "request_id"]
