"""The web pages (C9): server-rendered with Jinja2, mounted by ``create_app``.

``build_pages(node, clock)`` returns a sub-application with its own error
pages (HTML, or JSON under ``/api``), the session signer, the sign-in limits,
the clock and ``/static``. The API routers in ``web/api`` are matched first;
everything else comes here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from jointprobe.accounts.throttle import ThrottlePolicy
from jointprobe.node import Node
from jointprobe.timeutil import Clock, utcnow
from jointprobe.web.pages import (
    account,
    auth,
    cases,
    chemistry,
    cooperation,
    dashboard,
    deconfliction,
    graph,
    money,
    notices,
    outcomes,
    precursors,
    referrals,
    report,
    rfis,
    screening,
)
from jointprobe.web.pages.errors import install_page_errors
from jointprobe.web.session import SessionSigner, load_secret

ROUTERS = (
    auth, account, dashboard, cases, graph, money, chemistry, cooperation, report, referrals,
    outcomes, rfis, notices, precursors, screening,
    deconfliction,
)  # fmt: skip


def static_dir() -> Path:
    return Path(str(resources.files("jointprobe.web") / "static"))


def build_pages(node: Node, clock: Clock = utcnow) -> FastAPI:
    pages = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    pages.state.node = node
    pages.state.clock = clock
    pages.state.signer = SessionSigner(load_secret(node.settings))
    pages.state.throttle = ThrottlePolicy.from_settings(node.settings)
    install_page_errors(pages)
    for module in ROUTERS:
        pages.include_router(module.router)
    pages.mount("/static", StaticFiles(directory=static_dir()), name="static")
    return pages


__all__ = ["build_pages"]
