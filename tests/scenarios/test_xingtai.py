from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.shared_data import SEEDS
from typer.testing import CliRunner

from jointprobe.cases.summary import case_summary
from jointprobe.cli.main import app
from jointprobe.node import Node
from jointprobe.scenarios.xingtai import CASE_ID, load_facts, load_xingtai
from jointprobe.store.tables import CaseEvent, Entity


def test_every_fact_cites_a_seed_article() -> None:
    facts = load_facts()
    cited = []
    for section in ("people", "organizations", "memberships", "events"):
        for item in facts[section]:
            cited += [s.strip() for s in item["source"].split(";")]
    assert cited and set(cited) <= set(facts["sources"])
    if SEEDS.is_dir():
        assert set(facts["sources"]) <= {p.name for p in SEEDS.iterdir()}


def test_loaded_case_has_the_reported_facts(node: Node, make_user: Any) -> None:
    analyst = make_user(node, "analyst")
    with node.session() as session:
        load_xingtai(session, analyst)
    with node.session() as session:
        events = session.query(CaseEvent).filter_by(case_id=CASE_ID).all()
        sentences = Counter(e.outcome for e in events if e.kind == "court_outcome")
        seized = {e.substance: e.quantity for e in events if e.kind == "seizure"}
        fictional_people = session.query(Entity).filter_by(schema="Person", fictional=True).count()
        summary = case_summary(session, analyst, CASE_ID)
    assert sentences == {"death_with_reprieve": 1, "life": 2, "fixed_term": 6}
    assert seized == {"fentanyl": Decimal("11.9"), "other drugs": Decimal("19.1")}
    assert fictional_people > 50
    assert all(not line.fictional for line in summary.events)
    assert sum(summary.buyers_by_state.values()) > 50
    names = {n.caption for n in summary.network}
    assert {"Liu Yong", "Jiang Juhua", "Wang Fengxi", "Diana"} <= names


@pytest.mark.live  # the demo starts two `jointprobe serve` processes
def test_demo_once_prints_the_case(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "demo"), "demo", "--once"])
    assert result.exit_code == 0, result.output
    out = result.output
    for needle in ("11.9 kg fentanyl", "19.1 kg other drugs", "Liu Yong", "Sentences (9)",
                   "death with reprieve", "FICTIONAL", "002_0ea23f8eab74a5d9.txt"):  # fmt: skip
        assert needle in out, needle
