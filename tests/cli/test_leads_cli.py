"""``jointprobe leads from-list`` (the people are FICTIONAL, made up for the test)."""

import json
from pathlib import Path

from typer.testing import CliRunner

from jointprobe.cli.main import app

runner = CliRunner()
MAPPING = "id: ref\nproperties: {name: name, phone: phone}\njurisdiction: {state: state}\n"
LIST = "ref,name,phone,state\nb1,Ann Example,+1 212 555 0101,NY\nb2,,+1 503 555 0102,OR\n"


def jp(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_from_list_prints_the_routing_table_and_the_bad_lines(tmp_path: Path) -> None:
    d = tmp_path / "node"
    assert jp(d, "init", "--node-id", "us-test", "--name", "T", "--country", "US")[0] == 0
    assert jp(d, "user", "add", "alice", "--role", "analyst")[0] == 0
    assert jp(d, "case", "create", "Seized list", "--id", "seized", "--as", "alice")[0] == 0
    (tmp_path / "map.yaml").write_text(MAPPING)
    (tmp_path / "buyers.csv").write_text(LIST)
    args = ["leads", "from-list", str(tmp_path / "buyers.csv"), "--case", "seized",
            "--mapping", str(tmp_path / "map.yaml"), "--as", "alice"]  # fmt: skip
    code, out = jp(d, *args, "--dry-run")
    assert code == 0, out
    assert "DRY RUN" in out and "US-NY" in out and "HSI New York" in out
    flat = "".join(out.split())  # Rich wraps long lines (and long paths) at the terminal's width
    assert "buyers.csv:3noname" in flat
    code, out = jp(d, *args, "--json")
    body = json.loads(out)
    assert code == 0 and body["imported"] == 1 and body["bad"] == [[3, "no name"]]
    assert body["routes"][0]["to"] == "hsi-new-york" and body["routes"][0]["refs"]
    code, out = jp(d, "audit", "verify")
    assert code == 0 and "intact" in out


def test_from_list_refuses_a_mapping_naming_a_missing_column(tmp_path: Path) -> None:
    d = tmp_path / "node"
    assert jp(d, "init", "--node-id", "us-test", "--name", "T", "--country", "US")[0] == 0
    assert jp(d, "case", "create", "Seized list", "--id", "seized")[0] == 0
    (tmp_path / "map.yaml").write_text(MAPPING.replace("phone: phone", "phone: tel"))
    (tmp_path / "buyers.csv").write_text(LIST)
    code, out = jp(d, "leads", "from-list", str(tmp_path / "buyers.csv"), "--case", "seized",
                   "--mapping", str(tmp_path / "map.yaml"))  # fmt: skip
    assert code == 2 and "no column 'tel'" in out


def test_from_list_shows_the_operator_the_bad_routing_file_and_key(tmp_path: Path) -> None:
    d = tmp_path / "node"
    assert jp(d, "init", "--node-id", "us-test", "--name", "T", "--country", "US")[0] == 0
    assert jp(d, "case", "create", "Seized list", "--id", "seized")[0] == 0
    (tmp_path / "map.yaml").write_text(MAPPING)
    (tmp_path / "buyers.csv").write_text(LIST)
    offices = tmp_path / "offices.yaml"
    offices.write_text("default: {id: q, name: Q, note: held}\noffices: {a: {name: A}}\n")
    result = runner.invoke(app, ["--data-dir", str(d), "leads", "from-list",
                                 str(tmp_path / "buyers.csv"), "--case", "seized",
                                 "--mapping", str(tmp_path / "map.yaml")],
                           env={"JOINTPROBE_LEADS_ROUTING_FILE": str(offices)})  # fmt: skip
    flat = " ".join(result.output.split())
    assert result.exit_code == 7 and "leads.routing_table_invalid" in flat
    assert "offices.yaml: offices.a: give either regions or states" in flat
