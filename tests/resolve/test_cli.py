from pathlib import Path

import typer
from typer.testing import CliRunner

from jointprobe.accounts import create_user
from jointprobe.cli import resolve as resolve_cli
from jointprobe.cli.main import root
from jointprobe.config import Settings
from jointprobe.node import init_node, open_node
from jointprobe.screening.lists import lists
from jointprobe.screening.matching import screen_selector


def _app() -> typer.Typer:
    app = typer.Typer()
    app.callback()(root)
    resolve_cli.register(app)
    return app


def test_import_then_hits_from_the_command_line(tmp_path: Path, ofac_slice: Path) -> None:
    node = init_node(Settings(data_dir=tmp_path), "us-test", "Test node", "US")
    with node.session() as session:
        create_user(session, "alice", "analyst")
    node.close()
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    imported = runner.invoke(
        _app(), [*base, "import", "ofac-sdn", str(ofac_slice), "--as", "alice"]
    )
    assert imported.exit_code == 0, imported.output
    assert "9 list entries" in imported.output
    found = runner.invoke(_app(), [*base, "hits", "goldenchemical@live.com", "--as", "alice"])
    assert found.exit_code == 0, found.output
    assert "ZHENG, Fujing" in found.output and "same e-mail" in found.output


def test_resolve_writes_candidates(tmp_path: Path) -> None:
    csv = tmp_path / "buyers.csv"
    rows = [
        "no,full name,born,tel",
        "1,郑富京,1983-06-11,+8613812345678",
        "2,Cheng Fu-ching,1983-06-11,+8613812345678",
        "3,Zhang Fujing,1990-01-02,+8613999999999",
        "4,Li Wei,1970-03-04,",
        "5,李伟,1970-03-04,",
    ]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "columns:\n  unique_id: 'no'\n  name: full name\n  dob: born\n  phone: tel\n",
        encoding="utf-8",
    )
    out = tmp_path / "pairs.csv"
    result = CliRunner().invoke(
        _app(),
        [
            "--data-dir",
            str(tmp_path),
            "resolve",
            str(csv),
            "--mapping",
            str(mapping),
            "--threshold",
            "0.5",
            "--out",
            str(out),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    assert out.exists()
    header = out.read_text().splitlines()[0]
    assert header.startswith("unique_id_l,unique_id_r,match_probability")


def test_import_by_an_admin_registers_the_screening_list(tmp_path: Path, ofac_slice: Path) -> None:
    node = init_node(Settings(data_dir=tmp_path), "us-test", "Test node", "US")
    with node.session() as session:
        create_user(session, "sam", "admin")
        create_user(session, "alice", "analyst")
    node.close()
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path)]
    by_analyst = runner.invoke(
        _app(), [*base, "import", "ofac-sdn", str(ofac_slice), "--as", "alice"]
    )
    assert by_analyst.exit_code == 0, by_analyst.output
    assert "not registered as the screening list 'ofac-sdn'" in by_analyst.output
    node = open_node(Settings(data_dir=tmp_path))
    with node.session() as session:
        assert lists(session) == []
    node.close()
    by_admin = runner.invoke(_app(), [*base, "import", "ofac-sdn", str(ofac_slice), "--as", "sam"])
    assert by_admin.exit_code == 0, by_admin.output
    assert "screening list ofac-sdn" in by_admin.output
    node = open_node(Settings(data_dir=tmp_path))
    with node.session() as session:
        (row,) = lists(session)
        assert (row.name, row.format) == ("ofac-sdn", "ofac") and row.entries > 0
        found = screen_selector(session, "email", "goldenchemical@live.com")
    node.close()
    assert any(m.list_name == "ofac-sdn" and m.match for m in found)
