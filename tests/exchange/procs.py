"""Nodes as real ``jointprobe serve`` processes, for kill tests and benchmarks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from jointprobe.node import Node

JOINTPROBE = str(Path(sys.executable).with_name("jointprobe"))


class Process:
    def __init__(
        self, node: Node, env: dict[str, str] | None = None, *, log: Path | None = None,
        startup_seconds: float = 60.0,  # a loaded 2-core machine starts a node slowly
    ) -> None:  # fmt: skip
        self.node = node
        self.env = env or {}
        self.log = log
        self.startup_seconds = startup_seconds
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.node.settings.port}"

    def start(self) -> Process:
        env = {
            **os.environ,
            "JOINTPROBE_ENDPOINT": self.url,
            "JOINTPROBE_DELIVERY_INTERVAL_SECONDS": "0.1",
            **self.env,
        }
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [JOINTPROBE, "--data-dir", str(self.node.settings.data_dir), "serve",
             "--port", str(self.node.settings.port)],
            env=env, stdout=out, stderr=out,
        )  # fmt: skip
        if self.log:
            out.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"node did not come up within {self.startup_seconds} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush; what a power cut does."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
            self.proc = None
