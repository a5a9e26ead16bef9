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
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from jointprobe.accounts import create_token
from jointprobe.node import Node
from jointprobe.web import create_app

from ..exchange.live import case, make_node, peer

PER_OPERATION = max(int(os.environ.get("JOINTPROBE_FUZZ_EXAMPLES", "200")) // 10, 1)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    base: Path = tmp_path_factory.mktemp("api-fuzz")
    us: Node = make_node(base, "us-hsi-nola", "HSI New Orleans", "US")
    cn: Node = make_node(base, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    case(us)
    with us.session() as session:
        token = create_token(session, "analyst")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(us))
    yield schema, {"Authorization": f"Bearer {token}"}
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
    served: tuple[Any, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    schema, headers = served
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
