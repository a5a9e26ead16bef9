"""Health, readiness, metrics and the log line per request (docs/operations.md)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from tests.exchange.live import analyst, keys, us_and_cn

from jointprobe.accounts import create_token
from jointprobe.exchange.identity import key_path
from jointprobe.exchange.outbox import deliver_outbox
from jointprobe.exchange.runner import log_delivery
from jointprobe.exchange.workflow.sending import send_notice
from jointprobe.logs import ROOT, configure_logging, log_event
from jointprobe.node import Node
from jointprobe.store import upgrade_to_head
from jointprobe.store.migrate import alembic_config
from jointprobe.web import create_app

LOCAL = ("127.0.0.1", 50000)
#: What every request line carries, and nothing else.
REQUEST_LINE = {"time", "level", "logger", "event", "request_id", "method", "route", "status", "ms"}


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """jointprobe's log lines as ``serve`` writes them (JSON), restored afterwards."""
    logger = logging.getLogger(ROOT)
    before = (list(logger.handlers), logger.level, logger.propagate)
    stream = io.StringIO()
    configure_logging("json", stream=stream)
    yield stream
    logger.handlers[:] = before[0]
    logger.setLevel(before[1])
    logger.propagate = before[2]


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    with us_and_cn(tmp_path) as nodes:
        yield nodes


def test_healthz_and_readyz_say_why_a_node_is_not_ready(pair: tuple[Node, Node]) -> None:
    us, _ = pair
    keys(us)  # the key file exists
    with TestClient(create_app(us)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "keys": "ok"}
        command.downgrade(alembic_config(us.engine), "0007")
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["migrations"].startswith("schema upgrade pending: 0008")
        upgrade_to_head(us.engine)
        key_path(us.settings).write_text("not a key file")
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "not ready"
        assert ready.json()["checks"]["keys"].startswith("key file unreadable")
        assert "not a key file" not in ready.text and str(us.settings.data_dir) not in ready.text
        assert client.get("/healthz").status_code == 200  # alive all the same


def _metrics(client: TestClient, **headers: str) -> tuple[int, str]:
    answer = client.get("/metrics", headers=headers)
    return answer.status_code, answer.text


def test_metrics_per_peer_for_the_node_s_own_machine_or_a_token(pair: tuple[Node, Node]) -> None:
    us, _ = pair
    with us.write_session() as session:
        send_notice(session, analyst(session), keys(us), to=["cn-mps-nnc"], topic="alert")
    app = create_app(us)
    with TestClient(app) as remote:
        assert _metrics(remote)[0] == 403  # not from this machine, no token set
    with TestClient(app, client=LOCAL) as client:
        client.get("/api/v1/cases/some-case")  # a 401: latency is recorded all the same
        status, text = _metrics(client)
    assert status == 200
    assert 'jointprobe_outbox_queued{peer="cn-mps-nnc"} 1.0' in text
    assert 'jointprobe_outbox_failed{peer="cn-mps-nnc",state="parked"} 0.0' in text
    assert 'jointprobe_inbox_held{peer="cn-mps-nnc"} 0.0' in text
    assert "jointprobe_scrape_ok 1.0" in text
    assert "jointprobe_signin_failures_recent 0.0" in text
    age = next(line for line in text.splitlines()
               if line.startswith("jointprobe_outbox_oldest_queued_age_seconds{"))  # fmt: skip
    assert float(age.split()[-1]) >= 0
    assert ('jointprobe_http_request_duration_seconds_count{method="GET",'
            'route="/api/v1/cases/{case_id}",status="4xx"} 1.0') in text  # fmt: skip
    assert "some-case" not in text
    tokened = Node(**{**us.__dict__, "settings": us.settings.model_copy(
        update={"metrics_token": "s3cret-metrics"})})  # fmt: skip
    with TestClient(create_app(tokened), client=LOCAL) as client:
        assert _metrics(client)[0] == 403  # a token is set: this machine needs it too
        assert _metrics(client, authorization="Bearer wrong")[0] == 403
        assert _metrics(client, authorization="Bearer s3cret-metrics")[0] == 200


def test_one_json_line_per_request_with_its_id_and_no_selector_or_name(
    pair: tuple[Node, Node], logs: io.StringIO
) -> None:
    us, _ = pair
    with us.session() as session:
        token = create_token(session, "analyst")
    bearer = {"authorization": f"Bearer {token}"}
    with TestClient(create_app(us)) as client:
        made = client.post("/api/v1/cases", json={"id": "diana", "title": "Vendor Diana"},
                           headers={**bearer, "x-request-id": "op-42.a_b"})  # fmt: skip
        assert made.status_code == 201 and made.headers["x-request-id"] == "op-42.a_b"
        entity = {
            "id": "p1",
            "schema": "Person",
            "properties": {"name": ["Zhang Fictional Wei"], "phone": ["+8631155550199"]},
        }
        body = {"entity": entity, "case_id": "diana", "fictional": True}
        added = client.post("/api/v1/entities", json=body, headers=bearer)
        assert added.status_code == 201, added.text
        found = client.get("/api/v1/hits", params={"q": "+86 311 5555 0199"}, headers=bearer)
        assert found.status_code == 200
        bad = client.get("/api/v1/entities/p1", headers={**bearer, "x-request-id": "a b\x7f" * 30})
        assert bad.status_code == 200
    lines = [line for line in _lines(logs) if line["event"] == "web.request"]
    assert len(lines) == 4
    assert all(set(line) == REQUEST_LINE for line in lines), lines
    assert lines[0]["request_id"] == "op-42.a_b" and lines[0]["route"] == "/api/v1/cases"
    assert (lines[0]["level"], lines[0]["method"], lines[0]["status"]) == ("info", "POST", 201)
    assert (
        lines[2]["route"] == "/api/v1/hits" and lines[3]["route"] == "/api/v1/entities/{entity_id}"
    )
    assert lines[3]["request_id"] == bad.headers["x-request-id"] != "a b"
    assert len({line["request_id"] for line in lines}) == 4
    text = logs.getvalue()
    for secret in ("5555", "0199", "Zhang", "Fictional", "diana", 'p1"'):
        assert secret not in text, secret


def test_one_line_per_delivery_with_the_id_the_receiver_logs_too(
    pair: tuple[Node, Node], logs: io.StringIO
) -> None:
    us, cn = pair
    with us.write_session() as session:
        send_notice(session, analyst(session), keys(us), to=["cn-mps-nnc"], topic="alert",
                    text="Zhang Fictional Wei, +86 311 5555 0199")  # fmt: skip
    with TestClient(create_app(cn)) as receiver:
        reports = deliver_outbox(us, keys(us), client=receiver)
    for report in reports:
        log_delivery(report)
    lines = _lines(logs)
    sent = [line for line in lines if line["event"] == "exchange.delivery"]
    received = [line for line in lines if line["event"] == "web.request"]
    assert len(sent) == 1 and len(received) == 1
    assert sent[0]["peer"] == "cn-mps-nnc" and (sent[0]["sent"], sent[0]["delivered"]) == (1, 1)
    assert sent[0]["request_id"] == received[0]["request_id"]
    assert received[0]["route"] == "/api/v1/exchange/inbox"
    assert "Zhang" not in logs.getvalue() and "5555" not in logs.getvalue()


def test_the_text_format_carries_the_same_fields(logs: io.StringIO) -> None:
    stream = io.StringIO()
    configure_logging("text", stream=stream)
    log_event(logging.getLogger("jointprobe.web"), "web.request", request_id="r-1", status=200)
    line = stream.getvalue().strip()
    assert line.endswith(" info web.request request_id=r-1 status=200"), line
    assert logs.getvalue() == ""  # the JSON handler was replaced, not doubled
