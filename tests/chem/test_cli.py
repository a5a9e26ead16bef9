"""The ``jointprobe chem`` sub-app, driven through Typer's runner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jointprobe.cli.chem import app

runner = CliRunner()
FENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"


def test_classify_json_prints_one_object() -> None:
    result = runner.invoke(app, ["classify", "--json", "--as-of", "2025-01-01", FENTANYL])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["verdicts"]["US"]["fentanyl_related"] is True
    assert body["as_of"] == "2025-01-01"


def test_classify_table_names_the_rule_and_modification() -> None:
    analogue = "O=C(C1CCCCC1)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"
    result = runner.invoke(app, ["classify", analogue], terminal_width=200)
    assert result.exit_code == 0
    assert "(E) N-propionyl replaced" in result.stdout
    assert "(1) N-propionyl replaced" in result.stdout


def test_classify_writes_svg(tmp_path: Path) -> None:
    out = tmp_path / "f.svg"
    result = runner.invoke(app, ["classify", FENTANYL, "--svg", str(out)])
    assert result.exit_code == 0
    assert out.read_text().lstrip().startswith("<?xml") and "<svg" in out.read_text()


def test_classify_bad_smiles_exits_non_zero_with_position() -> None:
    result = runner.invoke(app, ["classify", "CC(C"])
    assert result.exit_code == 2
    assert "position 3" in result.output and "chem.unparseable" in result.output


def test_classify_reads_a_mol_file(tmp_path: Path) -> None:
    from rdkit import Chem

    path = tmp_path / "x.mol"
    path.write_text(Chem.MolToMolBlock(Chem.MolFromSmiles(FENTANYL)))
    result = runner.invoke(app, ["classify", "--json", str(path)])
    assert result.exit_code == 0 and json.loads(result.stdout)["verdicts"]["CN"]["controlled"]


def test_batch_reports_bad_rows_by_line_and_classifies_the_rest(tmp_file) -> None:
    path = tmp_file("in.smi", f"{FENTANYL} fentanyl\nCC(C broken\n\nCCO ethanol\n[Na+].[Cl-]\n")
    result = runner.invoke(app, ["batch", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["line"] for r in rows] == [1, 2, 4, 5]
    assert rows[0]["verdicts"]["US"]["controlled"] is True
    assert rows[1]["error"]["where"].startswith("line 2, position")
    assert rows[2]["verdicts"]["US"]["controlled"] is False
    assert rows[3]["error"]["code"] == "chem.unsupported"
    assert "line 2" in result.stderr


def test_batch_csv_output_file(tmp_file, tmp_path: Path) -> None:
    path = tmp_file("in.csv", f"name,smiles\nfentanyl,{FENTANYL}\nbad,C1CC\n")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["batch", str(path), "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("line,input")
    assert lines[1].startswith("2,") and "controlled (fentanyl)" in lines[1]
    assert lines[2].startswith("3,") and "unclosed ring" in lines[2]


def test_batch_sdf_with_a_bad_record(tmp_file) -> None:
    from rdkit import Chem

    good = Chem.MolToMolBlock(Chem.MolFromSmiles(FENTANYL))
    bad = "broken\n\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\nM  END\n"
    path = tmp_file("in.sdf", good + "$$$$\n" + bad + "$$$$\n")
    result = runner.invoke(app, ["batch", str(path)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert "verdicts" in rows[0] and "error" in rows[1]
    assert rows[1]["line"] == good.count("\n") + 2


def test_batch_exits_non_zero_only_when_nothing_classified(tmp_file) -> None:
    path = tmp_file("bad.smi", "CC(C\nC1CC\n")
    result = runner.invoke(app, ["batch", str(path)])
    assert result.exit_code == 2


def test_similar_lists_nearest_controlled_substances() -> None:
    homologue = "CCC(=O)N(c1ccccc1)C1CCN(CCCCc2ccccc2)CC1"
    result = runner.invoke(app, ["similar", "--json", "--top", "3", homologue])
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert len(hits) == 3 and hits[0]["name"] == "fentanyl" and hits[0]["similarity"] > 0.7
