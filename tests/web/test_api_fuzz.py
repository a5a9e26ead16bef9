"""schemathesis over the API's own OpenAPI schema, in process: no request gets a 5xx.

A real node (SQLite, real keys, a peer it trusts, a case) serves the app
through ASGI; every operation of ``/api/v1/openapi.json`` gets valid and
invalid requests with an analyst's bearer token. ``JOINTPROBE_FUZZ_EXAMPLES``
scales the count: ``EXAMPLES // 10`` cases per operation and mode (20 by
default), e.g. ``JOINTPROBE_FUZZ_EXAMPLES=1000`` for 100.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from jointprobe.accounts import create_token
from jointprobe.node import Node
from jointprobe.web import create_app

from ..exchange.fuzzing import FUZZ, encode, json_values
from ..exchange.live import case, make_node, peer

PER_OPERATION = max(int(os.environ.get("JOINTPROBE_FUZZ_EXAMPLES", "200")) // 10, 1)


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Any, dict[str, str], FastAPI]]:
    base: Path = tmp_path_factory.mktemp("api-fuzz")
    us: Node = make_node(base, "us-hsi-nola", "HSI New Orleans", "US")
    cn: Node = make_node(base, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    case(us)
    with us.session() as session:
        token = create_token(session, "analyst")
    app = create_app(us)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    yield schema, {"Authorization": f"Bearer {token}"}, app
    us.close()
    cn.close()


def run_operation(
    operation: Any, mode: GenerationMode, headers: dict[str, str], statuses: Counter[int]
) -> int:
    """Send ``PER_OPERATION`` generated requests; fail on the first 5xx. Returns the count."""
    sent = 0

    @settings(
        max_examples=PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def fuzz(generated: Any) -> None:
        nonlocal sent
        sent += 1
        # a copy: the call adds its own headers to the dict it is given
        response = generated.call_and_validate(headers=dict(headers), checks=[not_a_server_error])
        statuses[response.status_code] += 1

    try:
        fuzz()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE and sent == 0
    return sent


def test_no_api_operation_answers_with_a_server_error(
    served: tuple[Any, dict[str, str], FastAPI], capsys: pytest.CaptureFixture[str]
) -> None:
    schema, headers, _ = served
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, "the schema lost its operations"
    statuses: Counter[int] = Counter()
    counts = {
        f"{op.method.upper()} {op.path} {mode.value}": run_operation(op, mode, headers, statuses)
        for op in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    }
    with capsys.disabled():
        print(
            f"\nschemathesis: {sum(counts.values())} cases over {len(operations)} operations, "
            f"statuses {dict(sorted(statuses.items()))}"
        )
    assert sum(counts.values()) >= len(operations)
    assert statuses[401] < sum(statuses.values()) / 2, "the token was not accepted"


# The inbox reads raw bytes: any bytes (not only what its schema describes) fuzzed here.
INBOX = "/api/v1/exchange/inbox"


@FUZZ
@given(raw=st.binary(max_size=1000) | json_values.map(encode))
@example(raw=b"")
@example(raw=b"[]")
def test_the_inbox_answers_any_body_without_a_server_error(
    served: tuple[Any, dict[str, str], FastAPI], raw: bytes
) -> None:
    client = TestClient(served[2], raise_server_exceptions=False)
    response = client.post(INBOX, content=raw)
    assert response.status_code < 500, (raw, response.text)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"[" * 1000 + b"]" * 1000, id="nested-1000"),
        pytest.param(b'{"id":"\\ud800"}', id="lone-surrogate-id"),
    ],
)
def test_the_inbox_refuses_known_bad_bodies_without_a_server_error(
    served: tuple[Any, dict[str, str], FastAPI], raw: bytes
) -> None:
    client = TestClient(served[2], raise_server_exceptions=False)
    assert client.post(INBOX, content=raw).status_code < 500
