"""Screening through the API and the command line."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jointprobe.accounts import create_token, create_user
from jointprobe.cli.main import app
from jointprobe.config import Settings
from jointprobe.node import Node, init_node
from jointprobe.web import create_app


def test_the_api_screens_names_for_screening_roles_only(screening_node: Node) -> None:
    with screening_node.session() as session:
        tokens = {u: create_token(session, u) for u in ("ana", "lee")}
    with TestClient(create_app(screening_node)) as client:
        ok = client.get(
            "/api/v1/screening/names",
            params={"q": "Cishun Fine Chem (Shanghai) Co Ltd", "country": "CN"},
            headers={"Authorization": f"Bearer {tokens['ana']}"},
        )
        assert ok.status_code == 200, ok.text
        top = ok.json()[0]
        assert (top["entry_id"], top["match"], top["list_name"]) == (
            "ofac-sdn-29897",
            True,
            "ofac-sdn",
        )
        assert top["schema"] == "Organization" and top["reasons"] and 0 < top["score"] <= 1
        refused = client.get(
            "/api/v1/screening/names",
            params={"q": "Acme"},
            headers={"Authorization": f"Bearer {tokens['lee']}"},
        )
        assert refused.status_code == 403
        too_long = client.get(
            "/api/v1/screening/names",
            params={"q": "A" * 301},
            headers={"Authorization": f"Bearer {tokens['ana']}"},
        )
        assert too_long.status_code == 422
        decided = client.post(
            "/api/v1/screening/decisions",
            json={"query": "Cishun Fine Chem", "entry_id": "ofac-sdn-29897", "decision": "match"},
            headers={"Authorization": f"Bearer {tokens['ana']}"},
        )
        assert decided.status_code == 201, decided.text
        assert decided.json()["decision"] == "match"
        listed = client.get(
            "/api/v1/screening/lists", headers={"Authorization": f"Bearer {tokens['ana']}"}
        )
        (row,) = listed.json()
        assert row["name"] == "ofac-sdn" and row["list_date"] == "2024-05-03"
        assert row["imported_at"].endswith("Z")


def test_the_command_line_imports_a_list_and_screens(tmp_path: Path, ofac_file: Path) -> None:
    node = init_node(Settings(data_dir=tmp_path / "n"), "us-test", "Test node", "US")
    with node.session() as session:
        create_user(session, "ana", "analyst")
    node.close()
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "n")]
    done = runner.invoke(
        app, [*base, "screen", "list", "import", str(ofac_file), "--name", "ofac-sdn",
              "--format", "ofac"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "added" in done.output
    found = runner.invoke(
        app, [*base, "screen", "name", "HEBEI HUANHAO BIOTECH CO LTD", "--json", "--as", "ana"]
    )
    assert found.exit_code == 0, found.output
    assert json.loads(found.output)[0]["entry_id"] == "ofac-sdn-32312"
    refused = runner.invoke(app, [*base, "screen", "name", "Acme"])  # as the operator
    assert refused.exit_code != 0 and "may not screen" in refused.output
