from __future__ import annotations

import json
from importlib import import_module

import pytest
from tests.network.conftest import SHARED_PHONE, TwoCases
from typer.testing import CliRunner

from jointprobe.cli.main import app


def _run(two_cases: TwoCases, *args: str) -> tuple[int, str]:
    settings = two_cases.node.settings
    base = ["--data-dir", str(settings.data_dir)]
    if settings.database_url:
        base += ["--database-url", settings.database_url]
    result = CliRunner().invoke(app, [*base, "network", *args], env={"COLUMNS": "250"})
    return result.exit_code, result.output


def test_expand_prints_the_network_and_the_placeholder(two_cases: TwoCases) -> None:
    code, out = _run(two_cases, "expand", SHARED_PHONE, "--hops", "2", "--as", "alice")
    assert code == 0, out
    assert "Pharma Shop Ltd" in out and "known elsewhere" in out and "Bob Officer" in out
    assert "Secret Buyer" not in out
    code, out = _run(two_cases, "expand", SHARED_PHONE, "--limit", "2", "--as", "alice")
    assert code == 0 and "stopped" in out and "hop 1" in out
    code, out = _run(two_cases, "expand", SHARED_PHONE, "--json", "--hops", "1", "--as", "alice")
    assert [n["id"] for n in json.loads(out)["nodes"]] == ["a-diana", "a-shop"]


def test_expand_refusals_have_exit_codes(two_cases: TwoCases) -> None:
    code, out = _run(two_cases, "expand", "nobody@nowhere.example", "--as", "alice")
    assert code == 3 and "network.unknown_selector" in out
    code, out = _run(two_cases, "expand", "12345", "--kind", "phone", "--as", "alice")
    assert code == 2 and "selector.invalid" in out
    code, out = _run(two_cases, "expand", "--entity", "b-secret", "--as", "alice")
    assert code == 3 and "not_found" in out


def test_links_for_a_member_and_not_for_others(two_cases: TwoCases) -> None:
    code, out = _run(two_cases, "links", "B", "--as", "bob")
    assert code == 0 and "Alice Agent" in out and "a case you may not see" in out
    code, out = _run(two_cases, "links", "B", "--as", "carol")
    assert code == 3


def test_expand_says_which_selectors_were_too_common(
    two_cases: TwoCases, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_module("jointprobe.network.expand"), "MAX_HOLDERS", 1)
    code, out = _run(two_cases, "expand", SHARED_PHONE, "--hops", "1", "--as", "alice")
    assert code == 0, out
    assert f"phone:{SHARED_PHONE}" in out and "held by more than 1 entities" in out
