"""Real nodes for the browser tests: own data dir, real keys, `jointprobe serve` processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.peers import add_peer
from jointprobe.node import Node, init_node
from jointprobe.scenarios.xingtai import load_xingtai

SECRET = "e2e-session-secret-of-enough-length"
JOINTPROBE = Path(sys.executable).with_name("jointprobe")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveNode:
    node_id: str
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JOINTPROBE_")}
        env.update(
            JOINTPROBE_DATA_DIR=str(self.data_dir),
            JOINTPROBE_ENDPOINT=self.url,
            JOINTPROBE_SESSION_SECRET=SECRET,
            JOINTPROBE_DELIVERY_INTERVAL_SECONDS="0.2",
        )
        return env

    def start(self, log: Path) -> None:
        command = [str(JOINTPROBE), "serve", "--port", str(self.port)]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command, env=self.environment(), stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.node_id} exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.node_id} did not come up: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def prepare(base: Path, node_id: str, name: str, country: str) -> tuple[LiveNode, Node]:
    port = free_port()
    live = LiveNode(node_id, base / node_id, port)
    settings = Settings(data_dir=live.data_dir, port=port, endpoint=live.url)
    return live, init_node(settings, node_id, name, country)


def add_users(node: Node, passwords: dict[str, tuple[str, str]], xingtai_for: str = "") -> None:
    with node.session() as session:
        for username, (role, password) in passwords.items():
            user = create_user(session, username, role, password=password)
            if username == xingtai_for:
                load_xingtai(session, user)


def trust_each_other(a: Node, b: Node) -> None:
    for me, other in ((a, b), (b, a)):
        card = own_card(other)
        with me.write_session() as session:
            add_peer(session, card.to_dict(), card.fingerprint)
