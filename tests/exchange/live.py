"""Real nodes for tests: own database, own keys, a real uvicorn server on a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from tests.templates import new_node

from jointprobe.accounts import create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.config import Settings
from jointprobe.exchange.identity import node_keys, own_card
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.peers import add_peer
from jointprobe.node import Node
from jointprobe.store.tables import User
from jointprobe.web import create_app
from jointprobe.wiring import default_wiring

#: What the inbox applies, as the app factory wires it.
HANDLERS = default_wiring().inbox_handlers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_node(
    base: Path, node_id: str, name: str, country: str, *, database_url: str | None = None, **kw: Any
) -> Node:
    port = free_port()
    settings = Settings(
        data_dir=base / node_id,
        database_url=database_url,
        port=port,
        endpoint=f"http://127.0.0.1:{port}",
        delivery_interval_seconds=0.2,
        **kw,
    )
    node = new_node(settings, node_id, name, country)
    with node.session() as session:
        create_user(session, "analyst", "analyst")
    return node


def keys(node: Node) -> NodeKeys:
    return node_keys(node)


def peer(a: Node, b: Node, **agreement: Any) -> None:
    """Make ``a`` and ``b`` trust each other, fingerprints checked as an operator would."""
    for me, other in ((a, b), (b, a)):
        card = own_card(other)
        with me.write_session() as session:
            add_peer(session, card.to_dict(), card.fingerprint, **agreement)


@contextmanager
def us_and_cn(base: Path) -> Iterator[tuple[Node, Node]]:
    """The US and Chinese nodes most tests use, trusting each other; closed afterwards."""
    us = make_node(base, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(base, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    try:
        yield us, cn
    finally:
        us.close()
        cn.close()


def analyst(session: Any) -> User:
    user: User = session.query(User).filter_by(username="analyst").one()
    return user


def case(node: Node, case_id: str = "diana-2017") -> str:
    with node.write_session() as session:
        create_case(session, analyst(session), CaseIn(id=case_id, title="Vendor Diana"))
    return case_id


class Served:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.server = uvicorn.Server(
            uvicorn.Config(
                create_app(node), host="127.0.0.1", port=node.settings.port, log_level="warning"
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        wait_for(lambda: self.server.started, timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def wait_for(check: Callable[[], Any], *, timeout: float = 15.0, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {check}")
        time.sleep(every)


@dataclass
class Pair:
    us: Node
    cn: Node
