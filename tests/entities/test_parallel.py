"""Reading import lines in worker processes changes nothing but the speed."""

import json
import os
import pickle
import random
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select
from tests.templates import new_node

from jointprobe.config import Settings
from jointprobe.entities import import_ftm_lines, parallel
from jointprobe.entities.parallel import LineReader, ReaderStopped, read_lines
from jointprobe.errors import InvalidEntity
from jointprobe.node import Node
from jointprobe.store.tables import Edge, Entity, Selector


def _lines(count: int, *, flawed: bool = True) -> list[str]:
    rng = random.Random(4)
    lines = []
    for i in range(count):
        props: dict[str, Any] = {
            "name": [rng.choice(["Zheng Fujing", "郑富京", "Ann Lee", "Cheng Fu-ching"]) + f" {i}"],
            "phone": [f"+86138{rng.randint(10_000_000, 99_999_999)}"],
            "email": [f"user{i}@shop{i % 7}.example"],
        }
        lines.append(json.dumps({"id": f"p{i}", "schema": "Person", "properties": props}))
        if i % 3 == 0:
            owner = {"owner": [f"p{i}"], "asset": [f"p{i - 1}"]} if i else {"owner": ["p0"]}
            lines.append(json.dumps({"id": f"o{i}", "schema": "Ownership", "properties": owner}))
    if not flawed:
        return lines
    lines[10] = "{not json"
    lines[500] = json.dumps({"id": "bad", "schema": "Person", "properties": {"phone": ["+1202"]}})
    lines[777] = ""
    lines[900] = json.dumps({"id": "p5", "schema": "Person", "properties": {}})  # taken id
    return lines


def _store(node: Node) -> tuple[list[Any], ...]:
    with node.session() as session:
        return (
            list(session.execute(select(Entity.id, Entity.properties, Entity.caption)).all()),
            sorted(session.execute(select(Selector.kind, Selector.value, Selector.entity_id))),
            sorted(session.execute(select(Edge.schema, Edge.source_id, Edge.target_id))),
        )


def test_workers_import_exactly_what_one_process_imports(tmp_path: Path, make_user: Any) -> None:
    lines = _lines(1200)
    results = []
    for workers in (1, 2):
        node = new_node(Settings(data_dir=tmp_path / f"w{workers}"), "us-test", "Test", "US")
        make_user(node, "alice")
        report = import_ftm_lines(
            node.sessions, "alice", lines, name="in.jsonl", batch=97, workers=workers
        )
        results.append((report.imported, report.errors, _store(node)))
        node.close()
    assert results[0] == results[1]
    imported, errors, (entities, selectors, edges) = results[0]
    assert [n for n, _ in errors] == [11, 501, 901]
    assert "malformed JSON" in errors[0][1] and "invalid phone" in errors[1][1]
    assert imported == len(lines) - 4 == len(entities)
    assert len(selectors) > 3 * imported // 2 and edges


def test_a_failure_read_in_a_worker_keeps_its_code_and_place() -> None:
    [result] = read_lines("in.jsonl", [(3, "[1, 2]")])
    assert isinstance(result, InvalidEntity)
    copy = pickle.loads(pickle.dumps(result))
    assert (copy.code, copy.where, copy.message) == (result.code, "in.jsonl:3", result.message)


def test_the_reader_keeps_input_order_and_few_batches_in_flight() -> None:
    batches = [[(i, json.dumps({"id": f"e{i}", "schema": "Person"}))] for i in range(40)]
    taken = 0

    def feed() -> Any:
        nonlocal taken
        for batch in batches:
            taken += 1
            yield batch

    with LineReader("x", workers=2) as reader:
        for n, (batch, results) in enumerate(reader.read(feed())):
            assert batch == batches[n] and results[0] is not None
            assert not isinstance(results[0], Exception) and results[0].id == f"e{n}"
            assert taken <= n + 1 + 4  # at most 2 × workers batches ahead


def _die_on_boom(name: str, lines: list[tuple[int, str]]) -> list[Any]:
    """A reader that dies, as a worker killed by the OOM killer would, on a marked batch."""
    if any("BOOM" in line for _, line in lines):
        os._exit(9)
    return read_lines(name, lines)


def test_a_dead_worker_stops_the_import_with_a_clear_error_and_keeps_earlier_batches(
    tmp_path: Path, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "read_lines", _die_on_boom)
    node = new_node(Settings(data_dir=tmp_path), "us-test", "Test", "US")
    make_user(node, "alice")
    lines = _lines(1200, flawed=False)  # no failing lines: only the death
    lines[700] = json.dumps({"id": "BOOM", "schema": "Person"})
    for strict in (False, True):
        with pytest.raises(ReaderStopped) as stopped:
            import_ftm_lines(node.sessions, "alice", lines, name="in.jsonl", batch=100,
                             commit_every=100, workers=2, strict=strict)  # fmt: skip
        message = stopped.value.message
        assert "stopped unexpectedly" in message and "--workers 1" in message
        with node.session() as session:
            kept = len(session.scalars(select(Entity.id)).all())
        if strict:
            assert "nothing was imported" in message and kept == 0
            break
        assert f"{kept} entities of earlier batches (lines 1–{kept}) stay imported" in message
        assert 0 < kept <= 700  # batches before the one the dead process held
        with node.session() as session:  # empty the store for the strict run
            session.execute(delete(Selector))
            session.execute(delete(Edge))
            session.execute(delete(Entity))
            session.commit()
    node.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_an_import_streams_its_input(tmp_path: Path, make_user: Any, workers: int) -> None:
    """However long the input, only a few batches are read ahead of what is written."""
    node = new_node(Settings(data_dir=tmp_path), "us-test", "Test", "US")
    make_user(node, "alice")
    produced = 0
    ahead: list[int] = []

    def lines() -> Any:
        nonlocal produced
        for line in _lines(3000, flawed=False):
            produced += 1
            yield line

    report = import_ftm_lines(
        node.sessions, "alice", lines(), batch=100, workers=workers,
        on_line=lambda last: ahead.append(produced - last),
    )  # fmt: skip
    node.close()
    assert report.imported == produced > 3000 and not report.errors
    assert max(ahead) <= 100 * (2 * workers + 1)  # read ahead: at most 2 × workers batches


def test_json_no_entity_can_hold_is_a_bad_line_with_its_reason_not_a_crash() -> None:
    lines = [
        '{"id": ' + "9" * 5000 + "}",  # a number no double holds
        "[" * 100_000 + "]" * 100_000,  # nesting past 1,024 levels
        '{"id": "p1", "schema": "Person", "properties": {"name": ["\\ud800"]}}',  # lone surrogate
        '{"id": NaN}',
        '{"id": "p2"} trailing',
    ]
    results = read_lines("in.jsonl", list(enumerate(lines, start=1)))
    reasons = ["infinity", "depth limit", "surrogate", "expected a JSON value", "after document"]
    for number, (result, reason) in enumerate(zip(results, reasons, strict=True), start=1):
        assert isinstance(result, InvalidEntity), (number, result)
        assert result.message.startswith("malformed JSON: ") and reason in result.message
        assert " at column " in result.message and result.where == f"in.jsonl:{number}"


def _sigint_handler() -> Any:
    return signal.getsignal(signal.SIGINT)


def test_workers_leave_ctrl_c_to_the_importing_process() -> None:
    with LineReader("x", workers=2) as reader:
        assert reader._pool is not None
        assert reader._pool.submit(_sigint_handler).result() == signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) != signal.SIG_IGN  # this process still handles it


def test_an_import_commits_every_commit_every_lines_and_says_how_far(
    tmp_path: Path, make_user: Any
) -> None:
    """Commits come every ``commit_every`` lines (whole batches) and at the end; each is
    visible to others when ``on_commit`` hears of it."""
    node = new_node(Settings(data_dir=tmp_path), "us-test", "Test", "US")
    make_user(node, "alice")
    seen: list[tuple[int, int, int]] = []

    def committed(entities: int, line: int) -> None:
        with node.session() as other:  # another connection sees exactly what was committed
            stored = len(other.scalars(select(Entity.id)).all())
        seen.append((entities, line, stored))

    lines = _lines(1000, flawed=False)
    report = import_ftm_lines(node.sessions, "alice", lines, batch=100, commit_every=250,
                              on_commit=committed)  # fmt: skip
    assert report.imported == len(lines) > 1300
    assert [line for _, line, _ in seen] == [*range(300, len(lines), 300), len(lines)]  # + last
    assert all(entities == stored == line for entities, line, stored in seen)
    node.close()
