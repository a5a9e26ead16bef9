"""The OpenAPI document is the API: schemathesis with every check, in process.

The same run as ``schemathesis run … --checks all`` (the repository's
``schemathesis.toml`` is its configuration): examples, coverage, fuzzing and
the stateful phase, over a real node (SQLite, real keys, a peer, a case) served
through ASGI with an analyst's token. ``JOINTPROBE_FUZZ_EXAMPLES`` scales it:
``EXAMPLES // 2`` examples per operation (100 by default).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from jointprobe.accounts import create_token
from jointprobe.web import create_app

from ..exchange.live import case, make_node, peer

ROOT = Path(__file__).resolve().parents[2]
PER_OPERATION = max(int(os.environ.get("JOINTPROBE_FUZZ_EXAMPLES", "200")) // 2, 1)


@pytest.fixture(scope="module")
def app_and_token(tmp_path_factory: pytest.TempPathFactory) -> Any:
    base = tmp_path_factory.mktemp("api-contract")
    us = make_node(base, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(base, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    case(us)
    with us.session() as session:
        token = create_token(session, "analyst")
    yield create_app(us), token
    us.close()
    cn.close()


def run_all_checks(app: Any, token: str, examples: int) -> tuple[int, Counter[str], list[str]]:
    """Every phase and check; the number of cases, the phases' statuses, the failures."""
    config = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    config |= {
        "seed": 19,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": examples},
    }
    schema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", app, config=SchemathesisConfig.from_dict(config)
    )
    cases, phases, failures = 0, Counter[str](), []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is not None:
                        op = event.recorder.cases[case_id].value.operation
                        failures.append(f"{check.name} {op.method.upper()} {op.path}: "
                                        f"{check.failure_info.failure.title}")  # fmt: skip
        elif isinstance(event, events.PhaseFinished):
            phases[f"{event.phase.name.value}:{event.status.value}"] += 1
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"error: {event}")
    return cases, phases, failures


# A hang guard, not a time limit: ~100 examples for each of 80-odd operations take
# 2-4 minutes on a quiet 2-core machine and more than the suite's 300 s under load.
@pytest.mark.timeout(1800)
def test_every_check_passes_over_every_operation_and_the_stateful_phase(
    app_and_token: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app, token = app_and_token
    cases, phases, failures = run_all_checks(app, token, PER_OPERATION)
    with capsys.disabled():
        print(f"\nschemathesis --checks all: {cases} cases, {PER_OPERATION} examples per "
              f"operation, phases {dict(phases)}")  # fmt: skip
    assert not failures, "\n".join(sorted(set(failures)))
    assert phases["stateful:success"] == 1, phases
    assert cases >= PER_OPERATION * 20


def test_a_method_a_route_does_not_take_is_405_with_allow(app_and_token: Any) -> None:
    client = TestClient(app_and_token[0])
    response = client.request("DELETE", "/api/v1/cases")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["code"] == "request.method_not_allowed"
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_times_the_api_answers_carry_their_offset(app_and_token: Any) -> None:
    app, token = app_and_token
    client = TestClient(app)
    cases = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).json()
    assert cases and all(c["created_at"].endswith("Z") for c in cases)


def test_every_refusal_a_route_lists_has_the_one_error_body(app_and_token: Any) -> None:
    document = TestClient(app_and_token[0]).get("/api/v1/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorBody"), (method, path, status)


def test_operation_ids_are_the_route_names_and_unique(app_and_token: Any) -> None:
    document = TestClient(app_and_token[0]).get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert "cases_show" in ids


def test_the_inbox_schema_takes_the_envelope_docs_protocol_shows(app_and_token: Any) -> None:
    document = TestClient(app_and_token[0]).get("/api/v1/openapi.json").json()
    body = document["paths"]["/api/v1/exchange/inbox"]["post"]["requestBody"]
    validator = jsonschema_rs.validator_for(body["content"]["application/json"]["schema"])
    protocol = (ROOT / "docs" / "protocol.md").read_text()
    example = re.search(r"## 2\. The envelope\s+```json\n(.*?)```", protocol, re.S)
    assert example is not None
    envelope = json.loads(example.group(1).replace('"<b64, 24 bytes>"', '"' + "A" * 32 + '"'))
    envelope["keys"] = {"cn-mps-nnc": "A" * 107}
    envelope["payload"]["ciphertext"] = "AAAA"
    envelope["signature"]["value"] = "AAAA"
    assert validator.is_valid(envelope)
    assert validator.is_valid([envelope])
    assert not validator.is_valid({**envelope, "extra": 1})
    assert not validator.is_valid([])


def test_a_router_included_later_gets_405_too() -> None:
    from fastapi import APIRouter, FastAPI

    from jointprobe.web.methods import ApiMethodsMiddleware

    app = FastAPI()
    app.add_middleware(ApiMethodsMiddleware, prefix="/api/v1")
    late = APIRouter()

    @late.get("/late/{thing}")
    def read(thing: str) -> dict[str, str]:
        return {"thing": thing}

    app.include_router(late, prefix="/api/v1")
    client = TestClient(app)
    assert client.get("/api/v1/late/x").json() == {"thing": "x"}
    refused = client.post("/api/v1/late/x")
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET")
    assert client.get("/elsewhere").status_code == 404  # outside the prefix: not ours


def test_every_operation_schemathesis_toml_excuses_is_in_the_docs_table() -> None:
    config = tomllib.loads((ROOT / "schemathesis.toml").read_text())

    def shape(path: str) -> str:  # the table may name a path's parameters shorter
        return re.sub(r"\{[^}]*\}", "{}", path.removeprefix("/api/v1"))

    excused = {shape(op["include-path"]) for op in config["operations"]}
    docs = (ROOT / "docs" / "api.md").read_text()
    table = docs.split("## What the schema cannot say", 1)[1].split("\n## ", 1)[0]
    listed = {shape(p) for p in re.findall(r"`(?:GET|POST) (/[^` ]+)`", table)}
    assert excused == listed
    words = {4: "Four", 9: "Nine", 10: "Ten", 11: "Eleven", 12: "Twelve", 13: "Thirteen"}
    assert f"{words.get(len(excused), len(excused))} operations check more" in table
