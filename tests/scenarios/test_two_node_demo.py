"""The two-node demo end to end: real server processes, stopped afterwards, no orphans."""

import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from jointprobe.scenarios.xingtai.twonode import two_nodes

pytestmark = pytest.mark.live

DEMO = [sys.executable, "-m", "jointprobe.cli"]
ENV = {k: v for k, v in os.environ.items() if not k.startswith("JOINTPROBE_")}
ENV["COLUMNS"] = "160"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _processes_using(path: Path) -> list[int]:
    """Processes whose command line names ``path`` (the demo's data dir)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if str(path).encode() in cmdline:
                found.append(int(entry.name))
    return found


def _pids(out: str) -> list[int]:
    match = re.search(r"server processes: (\d+), (\d+)", out)
    assert match, out[-2000:]
    return [int(match.group(1)), int(match.group(2))]


def test_demo_once_runs_the_round_trip_between_two_processes(tmp_path: Path) -> None:
    base = tmp_path / "demo"
    # a hang guard, not a timing: how long the demo takes is measured in bench/, not here
    result = subprocess.run(
        [*DEMO, "--data-dir", str(base), "demo", "--once", "--port", "0"],
        env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    for needle in (
        "us-hsi-nola", "cn-mps-nnb", "fingerprint checked", "11.9 kg fentanyl",
        "19.1 kg other drugs", "Sentences (9)", "death with reprieve", "Liu Yong",
        "Jiang Juhua", "Wang Fengxi", "FICTIONAL", "002_0ea23f8eab74a5d9.txt",
        "leads-hsi-new-york", "leads-hsi-portland", "52 buyer leads",
        "26 domestic investigations opened, 3 major arrests",
        "Outcome from us-hsi-nola", "sign in as analyst", "both nodes stopped",
        "pre-export notification", "CAS 50-98-6", "answered no-objection",
        "holds it as answered", "(fictional)",
        "hold and report", "payment in virtual currency",
        "us-hsi-nola ⇄ cn-mps-nnb", "only the count (1)", "← us-diana-phone",
        "← xt-diana-phone",
        f"data kept in {base}",
    ):  # fmt: skip
        assert needle in out, needle
    # the six unnamed defendants: one line each in the network, the Chinese side's
    # timeline and sentences, and the US case (never six lines of the same sentence)
    assert out.count("Defendants 4–9 (not named in the reporting)") == 4, out
    assert "Defendant 5 (" not in out
    for pid in _pids(out):
        assert _gone(pid), pid
    assert _processes_using(base) == []
    for node_id in ("us-hsi-nola", "cn-mps-nnb"):
        data = base / node_id
        assert (data / "node.db").is_file() and (data / "serve.log").is_file()
        assert stat.S_IMODE((data / "node.key").stat().st_mode) == 0o600


def test_demo_without_data_dir_removes_its_temporary_folders(tmp_path: Path) -> None:
    env = {**ENV, "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        [*DEMO, "demo", "--once", "--port", "0"], env=env, capture_output=True, text=True,
        timeout=300,  # a hang guard, as above: the story takes minutes on a loaded machine
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "both nodes stopped" in result.stdout and "data kept" not in result.stdout
    assert list(tmp_path.glob("jointprobe-demo-*")) == []


def test_ctrl_c_stops_both_nodes(tmp_path: Path) -> None:
    base = tmp_path / "demo"
    proc = subprocess.Popen(
        [*DEMO, "--data-dir", str(base), "demo", "--port", "0"],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C stops them" in line:
                break
        out = "".join(lines)
        pids = _pids(out)
        assert all(not _gone(pid) for pid in pids)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, rest
    assert "both nodes stopped" in rest
    for pid in pids:
        assert _gone(pid), pid
    assert _processes_using(base) == []


def test_servers_are_stopped_when_the_story_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        with two_nodes(tmp_path / "demo", 0) as (story, servers):
            pids = servers.pids()
            assert len(pids) == 2 and servers.alive()
            assert story.peering["us-hsi-nola"]["node_id"] == "cn-mps-nnb"
            raise RuntimeError("boom")
    for pid in pids:
        assert _gone(pid), pid
    assert _processes_using(tmp_path / "demo") == []
