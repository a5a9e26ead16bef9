"""``jointprobe rfi send/answer`` and ``jointprobe notice send`` go through the services."""

from pathlib import Path

from tests.exchange.live import case, make_node, peer
from typer.testing import CliRunner

from jointprobe.accounts import create_user
from jointprobe.cli.main import app
from jointprobe.exchange.tables import OutboxEntry, Referral
from jointprobe.node import Node

runner = CliRunner()


def jp(node: Node, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(node.settings.data_dir), *args])
    return result.exit_code, result.output


def test_rfi_and_notice_commands_queue_messages_and_refuse_bad_markings(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn)
        case(us, "diana")
        with us.session() as s:
            create_user(s, "bob", "analyst")
        ask = ("rfi", "send", "--to", "cn-mps-nnc", "--question", "Who?", "--case", "diana")
        code, out = jp(us, *ask, "--due-days", "7", "--as", "analyst")
        assert code == 0 and "queued" in out, out
        code, out = jp(us, *ask, "--as", "bob")
        assert code == 3 and "no case 'diana'" in out  # need-to-know
        code, out = jp(us, *ask, "--tlp", "RED", "--as", "analyst")
        assert code != 0 and "marking.forbidden" in out
        code, out = jp(us, "notice", "send", "--to", "cn-mps-nnc", "--topic", "alert",
                       "--text", "New alias", "--as", "analyst")  # fmt: skip
        assert code == 0 and "queued" in out, out
        code, out = jp(us, "notice", "send", "--to", "cn-mps-nnc", "--topic", "alert",
                       "--tlp", "MAUVE")  # fmt: skip
        assert code == 2 and "input.invalid" in out
        code, out = jp(us, "rfi", "answer", "nope", "--answer", "x", "--as", "analyst")
        assert code == 3
        with us.session() as s:
            assert sorted(e.kind for e in s.query(OutboxEntry)) == ["notice", "rfi"]
            rfi = s.query(Referral).filter_by(type="rfi").one()
            assert rfi.case_id == "diana" and rfi.due is not None
    finally:
        us.close()
        cn.close()
