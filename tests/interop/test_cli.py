"""``jointprobe export`` and ``jointprobe import stix|misp`` go through the services."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from typer.testing import CliRunner

from jointprobe.cli.main import app
from jointprobe.interop.validate import stix_problems
from jointprobe.node import Node

from .conftest import HIDDEN, PEER, SHARED_PHONE

runner = CliRunner()
MISP = Path(__file__).parent / "data" / "misp_event_fictional.json"


def jp(node: Node, *args: str) -> tuple[int, str]:
    where = ["--data-dir", str(node.settings.data_dir)]
    if node.settings.database_url:
        where += ["--database-url", node.settings.database_url]
    result = runner.invoke(app, [*where, *args])
    return result.exit_code, " ".join(result.output.split())  # whatever the terminal width


def test_export_then_import_on_the_command_line(us: Node, tmp_path: Path) -> None:
    out = tmp_path / "diana.stix.json"
    code, text = jp(us, "export", "diana", "--format", "stix", "--out", str(out), "--for", PEER,
                    "--as", "alice")  # fmt: skip
    assert code == 0, text
    assert "4 entities of diana exported" in text and "2 withheld" in text
    assert "needs the consent of mx-test" in text
    assert stix_problems(out.read_text()) == []
    code, text = jp(us, "import", "stix", str(out), "--case", "copy", "--as", "alice")
    assert code == 0 and "imported into copy" in text, text
    code, text = jp(us, "import", "misp", str(MISP), "--case", "copy", "--as", "alice")
    assert code == 0 and "TLP:RED" in text and "ip-dst" in text, text


def test_cli_refusals_name_the_problem(us: Node, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    code, text = jp(us, "export", "diana", "--format", "csv", "--out", str(out), "--as", "alice")
    assert code == 2 and "unknown export format" in text
    code, text = jp(us, "export", "diana", "--format", "ftm", "--out", str(out), "--as", "bob")
    assert code == 3 and not out.exists()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"Event": {"Attribute": "x"}}))
    code, text = jp(us, "import", "misp", str(bad), "--case", "copy", "--as", "alice")
    assert code == 2 and "interop.invalid" in text, text


def test_export_file_is_private_and_never_written_through_a_planted_symlink(
    us: Node, tmp_path: Path
) -> None:
    out = tmp_path / "diana.ftm.jsonl"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / f".{out.name}.partial").symlink_to(victim)  # the old, predictable name
    old_umask = os.umask(0o002)
    try:
        code, text = jp(us, "export", "diana", "--format", "ftm", "--out", str(out),
                        "--for", PEER, "--as", "alice")  # fmt: skip
    finally:
        os.umask(old_umask)
    assert code == 0, text
    assert victim.read_text() == "keep me"
    assert not out.is_symlink() and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(out.read_text().splitlines()) == 5
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert leftovers == [f".{out.name}.partial"]  # only the planted link, untouched
    code, text = jp(us, "export", "diana", "--format", "ftm", "--out",
                    str(tmp_path / "no-such-dir" / "x.jsonl"), "--as", "alice")  # fmt: skip
    assert code == 2 and "cannot write" in text, text


def test_export_of_an_expansion_on_the_command_line(ring: Node, tmp_path: Path) -> None:
    out = tmp_path / "net.stix.json"
    code, text = jp(ring, "export", "--expand", SHARED_PHONE, "--hops", "3", "--format", "stix",
                    "--out", str(out), "--for", PEER, "--as", "alice")  # fmt: skip
    assert code == 0, text
    assert f"3 entities of the network from phone {SHARED_PHONE} (3 hops) exported" in text
    assert "2 withheld" in text and "TLP:RED exceeds the agreement" in text
    data = out.read_text()
    assert stix_problems(data) == [] and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert not any(secret.lower() in data.lower() for secret in HIDDEN)
    public = tmp_path / "net.jsonl"
    code, text = jp(ring, "export", "--entity", "c-shop", "--hops", "1", "--format", "ftm",
                    "--out", str(public), "--as", "alice")  # fmt: skip
    assert code == 0, text
    ids = {json.loads(line)["id"] for line in public.read_text().splitlines()}
    assert ids == {"c-shop", "p-vendor", "o-shop"}


def test_expansion_export_refusals(ring: Node, tmp_path: Path) -> None:
    out = tmp_path / "x.json"
    code, text = jp(ring, "export", "ring", "--expand", SHARED_PHONE, "--format", "stix",
                    "--out", str(out), "--as", "alice")  # fmt: skip
    assert code == 2 and "Invalid value for CASE: give exactly one of CASE" in text, text
    code, text = jp(ring, "export", "--format", "stix", "--out", str(out), "--as", "alice")
    assert code == 2 and "exactly one of" in text, text
    code, text = jp(ring, "export", "--expand", "nobody@nowhere.example", "--format", "stix",
                    "--out", str(out), "--as", "alice")  # fmt: skip
    assert code == 3 and "no entity on this node holds" in text, text
    code, text = jp(ring, "export", "--entity", "p-zed", "--format", "ftm", "--out", str(out),
                    "--as", "alice")  # fmt: skip
    assert code == 3 and "no entity 'p-zed'" in text, text
    assert not out.exists()
