from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jointprobe.cases import CaseIn, EventIn, add_event, create_case, list_events
from jointprobe.cases.lab import LabResultIn, attach_lab_result
from jointprobe.cli.main import app
from jointprobe.errors import Conflict, InvalidStructure, NotFound
from jointprobe.node import Node

ACETYLFENTANYL = "CC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"


def _seizure(node: Node, user: Any) -> tuple[int, int]:
    with node.session() as session:
        create_case(session, user, CaseIn(title="x", id="c"))
        seizure = add_event(
            session,
            user,
            "c",
            EventIn(kind="seizure", substance="white powder", quantity=Decimal("2"), unit="g"),
        )
        arrest = add_event(session, user, "c", EventIn(kind="arrest"))
        return seizure.id, arrest.id


def test_lab_result_is_classified_and_linked_to_the_seizure(node: Node, make_user: Any) -> None:
    chemist = make_user(node, "chemist", "chemist")
    seizure_id, _arrest = _seizure(node, chemist)
    with node.session() as session:
        attach_lab_result(session, chemist, "c", seizure_id, LabResultIn(structure=ACETYLFENTANYL))
    with node.session() as session:
        lab = [e for e in list_events(session, chemist, "c") if e.kind == "lab_result"]
    assert len(lab) == 1 and lab[0].related_event_id == seizure_id
    verdicts = lab[0].details["classification"]["verdicts"]
    assert verdicts["US"]["fentanyl_related"] and verdicts["CN"]["controlled"]
    assert "acetylfentanyl" in (lab[0].substance or "")


def test_bad_structure_or_wrong_event_writes_nothing(sqlite_node: Node, make_user: Any) -> None:
    chemist = make_user(sqlite_node, "chemist", "chemist")
    seizure_id, arrest_id = _seizure(sqlite_node, chemist)
    with pytest.raises(InvalidStructure), sqlite_node.session() as session:
        attach_lab_result(session, chemist, "c", seizure_id, LabResultIn(structure="C1CC(("))
    with pytest.raises(Conflict) as info, sqlite_node.session() as session:
        attach_lab_result(session, chemist, "c", arrest_id, LabResultIn(structure=ACETYLFENTANYL))
    assert "not a seizure" in info.value.message
    with pytest.raises(NotFound), sqlite_node.session() as session:
        attach_lab_result(session, chemist, "c", 10**9, LabResultIn(structure=ACETYLFENTANYL))
    with sqlite_node.session() as session:
        assert not [e for e in list_events(session, chemist, "c") if e.kind == "lab_result"]


def test_lab_result_through_the_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    d = ["--data-dir", str(tmp_path / "n")]
    runner.invoke(app, [*d, "init", "--node-id", "us-lab", "--name", "Lab", "--country", "US"])
    runner.invoke(app, [*d, "case", "create", "x", "--id", "c"])
    event = tmp_path / "seizure.json"
    event.write_text('{"kind": "seizure", "substance": "powder", "quantity": "1", "unit": "g"}')
    assert runner.invoke(app, [*d, "case", "add-event", "c", str(event)]).exit_code == 0
    result = runner.invoke(app, [*d, "case", "lab-result", "c", "1", ACETYLFENTANYL])
    assert result.exit_code == 0, result.output
    assert "US: controlled (fentanyl_related)" in result.output.replace("\n", " ")
    bad = runner.invoke(app, [*d, "case", "lab-result", "c", "1", "C1CC(("])
    assert bad.exit_code == 2 and "chem." in bad.output
