"""``jointprobe network analyse|path|money`` as an analyst types them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from jointprobe.cli.main import app
from jointprobe.node import Node

from .fixtures import load

runner = CliRunner()


def jp(node: Node, *args: str) -> tuple[int, str]:
    data_dir: Path = node.settings.data_dir
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args], env={"COLUMNS": "200"})
    return result.exit_code, " ".join(result.output.split())


def test_analyse_prints_key_players_with_why_and_the_groups(
    sqlite_node: Node, make_user: Any
) -> None:
    load(sqlite_node, make_user(sqlite_node, "alice"), make_user(sqlite_node, "bob"))
    code, out = jp(sqlite_node, "network", "analyse", "ring", "--top", "3", "--as", "alice")
    assert code == 0, out
    assert "11 entities, 22 ties, 2 groups" in out
    assert "Bridge Trading (fictional)" in out and "highest betweenness (0.556): bridges" in out
    assert "Groups (Leiden communities)" in out and "FICTIONAL" in out
    code, out = jp(sqlite_node, "network", "analyse", "ring", "--as", "bob")
    assert code == 3 and "no case 'ring'" in out


def test_path_prints_each_step_with_its_evidence_or_says_not_connected(
    sqlite_node: Node, make_user: Any
) -> None:
    load(sqlite_node, make_user(sqlite_node, "alice"), make_user(sqlite_node, "bob"))
    code, out = jp(sqlite_node, "network", "path", "ring", "a3", "b4", "--as", "alice")
    assert code == 0, out
    assert "1 shortest path(s) of 4 step(s)" in out
    assert "→ Ownership (own-a1)" in out and "startDate 2017-03-01" in out
    assert "← Ownership (own-b1)" in out and "TLP:AMBER" in out
    code, out = jp(sqlite_node, "network", "path", "cash", "ca1", "cb3", "--as", "alice")
    assert code == 0 and "not connected" in out, out
    code, out = jp(sqlite_node, "network", "path", "ring", "a1", "h1", "--as", "alice")
    assert code == 3 and "no entity 'h1' in the graph of case 'ring'" in out, out


def test_money_prints_totals_per_currency_and_says_when_there_are_none(
    sqlite_node: Node, make_user: Any
) -> None:
    load(sqlite_node, make_user(sqlite_node, "alice"), make_user(sqlite_node, "bob"))
    code, out = jp(sqlite_node, "network", "money", "cash", "--as", "alice")
    assert code == 0, out
    assert "6 payment(s) in BTC, EUR, USD" in out and "1,500.50" in out
    assert "(held by Fictional A3)" in out
    assert "crypto" in out and "1 without amount" in out
    code, out = jp(sqlite_node, "network", "money", "ring", "--as", "alice")
    assert code == 0 and "Case ring has no payments or wallet transfers." in out
