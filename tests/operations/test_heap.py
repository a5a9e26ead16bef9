"""The serving process freezes what start-up built (operations/heap.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from jointprobe.operations import heap
from jointprobe.operations.heap import settle_heap


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    gc.unfreeze()
    monkeypatch.setattr(heap, "_settled", False)  # as in a fresh process
    yield
    gc.unfreeze()  # the rest of the suite runs as it did


def test_settle_heap_freezes_what_exists_and_a_collection_then_walks_only_new_objects(
    unfrozen: None,
) -> None:
    assert gc.get_freeze_count() == 0
    kept = [[i] for i in range(10_000)]  # long-lived containers, as start-up makes
    frozen = settle_heap()
    assert frozen == gc.get_freeze_count() >= len(kept)
    assert sum(len(generation) for generation in (gc.get_objects(g) for g in range(3))) < frozen
    fresh = [[i] for i in range(10)]
    assert any(obj is fresh for obj in gc.get_objects(0))  # new objects are still collected


def test_a_second_settle_freezes_nothing_more_and_answers_the_frozen_count(
    unfrozen: None,
) -> None:
    frozen = settle_heap()
    later = [[i] for i in range(10_000)]  # what a running process made since start-up
    assert settle_heap() == frozen == gc.get_freeze_count()
    collected = (obj for g in range(3) for obj in gc.get_objects(g))
    assert any(obj is later for obj in collected)  # still the collector's, not frozen
    assert settle_heap() == frozen


def test_serve_settles_the_heap_after_building_the_app(
    unfrozen: None, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from jointprobe.cli.main import app

    calls: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append(gc.get_freeze_count()))
    runner = CliRunner()
    data = str(tmp_path)
    init = ["init", "--node-id", "us-node", "--name", "US (FICTIONAL)", "--country", "US"]
    assert runner.invoke(app, [*init, "--data-dir", data]).exit_code == 0
    result = runner.invoke(app, ["serve", "--data-dir", data])
    assert result.exit_code == 0, result.output
    assert calls and calls[0] > 0  # frozen before uvicorn started
