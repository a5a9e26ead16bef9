"""``pen``, ``sor`` and ``incident`` commands between two real nodes (in-process delivery)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.precursors.pair import Wire, make, trust
from typer.testing import CliRunner

from jointprobe.cli.main import app
from jointprobe.scenarios.precursor_trade import incident_form, pen_form, sor_form
from jointprobe.timeutil import utcnow

runner = CliRunner()


def jp(node_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(node_dir), *args])
    return result.exit_code, result.output


def test_notify_answer_and_list_from_the_command_line(tmp_path: Path) -> None:
    cn, us = make(tmp_path, "cn-nnc", "CN"), make(tmp_path, "us-dea", "US")
    cn_dir, us_dir = tmp_path / "cn-nnc", tmp_path / "us-dea"
    try:
        trust(cn, us)
        form = tmp_path / "pen.json"
        form.write_text(json.dumps(pen_form(utcnow())))
        code, out = jp(cn_dir, "pen", "send", str(form), "--peer", "us-dea", "--as", "liaison")
        assert code == 6 and "auth.forbidden" in out, out
        code, out = jp(cn_dir, "pen", "send", str(form), "--peer", "us-dea", "--as", "reg")
        assert code == 0 and "queued pre-export notification" in out, out
        pen_id = out.split("notification ")[1].split()[0]
        wire = Wire()
        wire.carry(cn, us)
        code, out = jp(us_dir, "pen", "list", "--json", "--as", "reg")
        assert code == 0 and json.loads(out)["id"] == pen_id, out
        code, out = jp(us_dir, "pen", "answer", pen_id, "--as", "reg")
        assert code == 2 and "exactly one" in out
        code, out = jp(us_dir, "pen", "answer", pen_id, "--objection", "Importer unknown",
                       "--as", "reg")  # fmt: skip
        assert code == 0, out
        wire.carry(us, cn)
        code, out = jp(cn_dir, "pen", "list", "--json", "--as", "reg")
        listed = json.loads(out)
        assert (listed["state"], listed["decision"]) == ("answered", "objection")
        code, out = jp(cn_dir, "pen", "show", pen_id, "--as", "reg")
        assert code == 0 and "Importer unknown" in out and "TLP:AMBER" in out, out
        code, out = jp(cn_dir, "pen", "list", "--overdue", "--as", "reg")
        assert code == 0 and pen_id[:12] not in out
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps({**pen_form(utcnow()), "consignments": []}))
        code, out = jp(cn_dir, "pen", "send", str(bad), "--peer", "us-dea", "--as", "reg")
        assert code == 2 and "bad.json: consignments" in out, out
    finally:
        cn.close()
        us.close()


def test_incident_and_report_from_the_command_line(tmp_path: Path) -> None:
    cn, us = make(tmp_path, "cn-nnc", "CN"), make(tmp_path, "us-dea", "US")
    try:
        trust(cn, us)
        incident, sor = tmp_path / "incident.json", tmp_path / "sor.json"
        incident.write_text(json.dumps(incident_form(date(2026, 11, 30))))
        sor.write_text(json.dumps(sor_form(date(2026, 11, 30))))
        code, out = jp(tmp_path / "us-dea", "incident", "share", str(incident), "--as", "liaison")
        assert code == 0 and "to cn-nnc" in out, out
        code, out = jp(tmp_path / "cn-nnc", "sor", "send", str(sor), "--peers", "us-dea,mx-x",
                       "--as", "liaison")  # fmt: skip
        assert code == 0 and "not sent to mx-x: not an active peer" in out, out
        wire = Wire()
        wire.carry(us, cn)
        wire.carry(cn, us)
        code, out = jp(tmp_path / "cn-nnc", "incident", "list", "--json", "--as", "liaison")
        assert json.loads(out)["kind"] == "incident"
        code, out = jp(tmp_path / "us-dea", "sor", "list", "--as", "analyst")
        assert code == 6, out
    finally:
        cn.close()
        us.close()


def test_an_older_agreement_gains_the_precursor_kinds_by_command(tmp_path: Path) -> None:
    cn, us = make(tmp_path, "cn-nnc", "CN"), make(tmp_path, "us-dea", "US")
    try:
        trust(cn, us, kinds=["referral", "ack", "status", "outcome", "rfi", "rfi-response"])
        form = tmp_path / "pen.json"
        form.write_text(json.dumps(pen_form(utcnow())))
        code, out = jp(tmp_path / "cn-nnc", "pen", "send", str(form), "--peer", "us-dea",
                       "--as", "reg")  # fmt: skip
        assert code != 0 and "agreement.kind_not_allowed" in out, out
        code, out = jp(tmp_path / "cn-nnc", "peer", "agreement", "us-dea", "--kinds", "all")
        assert code == 0 and "pen-answer" in out and "incident" in out, out
        code, out = jp(tmp_path / "cn-nnc", "peer", "agreement", "us-dea", "--kinds", "bogus")
        assert code == 2, out
        code, out = jp(tmp_path / "cn-nnc", "pen", "send", str(form), "--peer", "us-dea",
                       "--as", "reg")  # fmt: skip
        assert code == 0, out
    finally:
        cn.close()
        us.close()
