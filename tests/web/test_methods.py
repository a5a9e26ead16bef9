"""The API's method and path answers (web/methods.py), and routing built at startup."""

from __future__ import annotations

from typing import Any

import fastapi.routing
import pytest
from fastapi.testclient import TestClient

from jointprobe.node import Node
from jointprobe.web import create_app


def test_routing_is_built_at_startup_not_in_the_first_request(
    node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Any] = []
    real = fastapi.routing._IncludedRouter._build_effective_context

    def counting(self: Any, route: Any) -> Any:
        built.append(route)
        return real(self, route)

    monkeypatch.setattr(fastapi.routing._IncludedRouter, "_build_effective_context", counting)
    with TestClient(create_app(node)) as client:
        assert built  # the startup matched every route once
        built.clear()
        assert client.get("/api/v1/deconflict/none").status_code == 401
        assert client.delete("/api/v1/deconflict").status_code == 405
        assert client.get("/api/v1/no-such-thing").status_code == 404
    assert built == []  # no request paid for it
