import json
from pathlib import Path

from typer.testing import CliRunner

from jointprobe.cli.main import app

runner = CliRunner()


def jp(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


ORDERS = [
    {"order_id": "PO-1", "customer_id": "C-1", "order_date": "2025-06-01",
     "buyer": {"name": "Northwind Fine Chemicals S.A.", "country": "MX"},
     "substance": {"name": "4-AP"}, "quantity": "25", "unit": "kg",
     "payment_method": "virtual_currency", "payment_wallet": "bc1qexample",
     "consignee": {"name": "Rapido Freight Forwarding", "country": "US"}},
    {"order_id": "PO-2", "order_date": "2025-06-02", "buyer": {"name": "X"}},
]  # fmt: skip


def test_screen_order_prints_verdicts_stores_them_and_names_bad_lines(tmp_path: Path) -> None:
    d = tmp_path / "node"
    assert jp(d, "init", "--node-id", "mx-test", "--name", "T", "--country", "MX")[0] == 0
    assert jp(d, "user", "add", "carla", "--role", "analyst")[0] == 0
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(json.dumps(o) for o in ORDERS) + "\n")
    code, out = jp(d, "screen", "order", str(path), "--as", "carla")
    assert code == 0, out
    assert "Northwind" in out and "hold" in out
    assert "orders.jsonl:2" in out and "substance: Field required" in out
    assert "1 orders screened (0 clear, 0 review, 1 hold and report); 1 lines left out" in out
    code, out = jp(d, "screen", "order", str(path), "--json", "--as", "carla")
    body = json.loads(out)
    assert code == 0 and body["screenings"][0]["verdict"] == "hold_and_report"
    texts = [r["text"] for r in body["screenings"][0]["reasons"]]
    assert "payment in virtual currency" in texts
    assert body["errors"][0]["line"] == 2 and body["errors"][0]["where"] == "line 2"
    code, out = jp(d, "audit", "verify")
    assert code == 0 and "intact" in out


def test_screen_order_refuses_a_file_of_another_kind_and_an_admin(tmp_path: Path) -> None:
    d = tmp_path / "node"
    assert jp(d, "init", "--node-id", "mx-test", "--name", "T", "--country", "MX")[0] == 0
    sheet = tmp_path / "orders.xlsx"
    sheet.write_bytes(b"PK")
    code, out = jp(d, "screen", "order", str(sheet))
    assert code == 2 and "give a .csv or a .jsonl file" in out
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(ORDERS[0]) + "\n")
    code, out = jp(d, "screen", "order", str(path))  # the operator is an admin
    assert code != 0 and "may not screen orders" in out
