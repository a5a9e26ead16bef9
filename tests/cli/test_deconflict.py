"""``jointprobe deconflict start/status/join/reveal/decline`` go through the services."""

from pathlib import Path

from tests.deconflict.pairs import CN, US, Carrier, case_with_phones, sessions, two_nodes
from typer.testing import CliRunner

from jointprobe.accounts import create_user
from jointprobe.cli.main import app
from jointprobe.node import Node

runner = CliRunner()


def jp(node: Node, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(node.settings.data_dir), *args])
    return result.exit_code, result.output


def test_deconflict_commands_run_a_session_to_its_reveal(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path)
    case_with_phones(us, "diana", ["+86 311 5555 0101", "+1 504 555 0100"])
    case_with_phones(cn, "xingtai", ["+86 311 5555 0101", "+86 311 5555 0199"])
    with us.write_session() as s:
        create_user(s, "eve", "analyst")
    carrier = Carrier()
    code, out = jp(us, "deconflict", "start", "--peer", CN, "--case", "diana", "--as", "eve")
    assert code == 3 and "no case 'diana'" in out, out  # need-to-know
    code, out = jp(us, "deconflict", "start", "--peer", CN, "--case", "diana", "--kinds", "email",
                   "--as", "analyst")  # fmt: skip
    assert code == 4 and "deconflict.empty" in out, out
    code, out = jp(us, "deconflict", "start", "--peer", CN, "--case", "diana", "--as", "analyst")
    assert code == 0 and "2 selectors" in out, out
    [row] = sessions(us)
    carrier.settle(us, cn)
    code, out = jp(cn, "deconflict", "status", "--as", "analyst")
    assert code == 0 and row.id in out and "invited" in out, out
    code, out = jp(cn, "deconflict", "reveal", row.id, "--as", "analyst")
    assert code == 4 and "deconflict.state" in out, out
    code, out = jp(cn, "deconflict", "join", row.id, "--case", "xingtai", "--as", "analyst")
    assert code == 0 and "joining" in out, out
    carrier.settle(us, cn)
    code, out = jp(us, "deconflict", "status", row.id, "--as", "analyst")
    assert code == 0 and "counted" in out and "shared" not in out.split("\n", 3)[-1], out
    for node in (us, cn):
        code, out = jp(node, "deconflict", "reveal", row.id, "--as", "analyst")
        assert code == 0 and "agreed" in out, out
        carrier.settle(us, cn)
    code, out = jp(us, "deconflict", "status", row.id, "--as", "analyst")
    assert code == 0 and "revealed" in out and "+8631155550101" in out and "diana-p0" in out, out
    code, out = jp(us, "deconflict", "decline", row.id, "--as", "analyst")
    assert code == 4 and "already revealed" in out, out
    assert US in jp(cn, "deconflict", "status", row.id, "--as", "analyst")[1]
