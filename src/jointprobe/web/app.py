"""The app factory: ``create_app(node) -> FastAPI``. Routers only connect input to services."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

from jointprobe import __version__
from jointprobe.node import Node
from jointprobe.operations.metrics import NodeMetrics
from jointprobe.timeutil import Clock, utcnow
from jointprobe.web.api import (
    cases,
    deconflict,
    entities,
    hits,
    interop,
    leads,
    network,
    network_analysis,
    precursors,
    screening,
    screening_names,
)
from jointprobe.web.api import exchange as exchange_api
from jointprobe.web.api import node as node_api
from jointprobe.web.errors import install_error_handlers
from jointprobe.web.limits import BodyLimitMiddleware
from jointprobe.web.methods import ApiMethodsMiddleware, warm_routes
from jointprobe.web.observe import RequestObserver, health_router
from jointprobe.web.pages import build_pages
from jointprobe.wiring import Wiring, default_wiring

API_PREFIX = "/api/v1"


def operation_id(route: APIRoute) -> str:
    return route.name


def create_app(node: Node, *, clock: Clock = utcnow, wiring: Wiring | None = None) -> FastAPI:
    """The node's API and web pages; ``clock`` is "now" for sessions and sign-in limits.

    ``wiring`` connects the capabilities (inbox handlers, membership hooks);
    default: :func:`~jointprobe.wiring.default_wiring`.
    """
    app = FastAPI(
        title=f"jointprobe node {node.identity.id}",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        # operationId = the route function's name: short names in generated
        # clients, and what OpenAPI links name (web/api/contract.links)
        generate_unique_id_function=operation_id,
    )
    app.state.node = node
    app.state.wiring = wiring or default_wiring(node.settings)
    install_error_handlers(app)
    for module in (
        node_api,
        cases,
        entities,
        hits,
        leads,
        network,
        screening_names,
        screening,
        precursors,
        deconflict,
        interop,
        network_analysis,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    exchange_api.install(app, node)
    deconflict.install_worker(app, node)
    app.add_middleware(BodyLimitMiddleware, max_bytes=node.settings.max_body_bytes)
    app.add_middleware(ApiMethodsMiddleware, prefix=API_PREFIX)
    metrics = NodeMetrics(node)
    app.state.metrics = metrics
    app.include_router(health_router(metrics, node.settings.metrics_token))
    app.add_middleware(RequestObserver, metrics=metrics)  # outermost: sees every answer
    app.mount("/", build_pages(node, clock))  # web pages: matched after every API route
    app.router.add_event_handler("startup", lambda: warm_routes(app, API_PREFIX))
    return app
