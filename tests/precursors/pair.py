"""Two real nodes (SQLite, real keys), trusting each other, and in-process delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tests.exchange.live import HANDLERS

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.exchange.identity import node_keys, own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.peers import add_peer
from jointprobe.exchange.tables import OutboxEntry
from jointprobe.node import Node, init_node
from jointprobe.store.tables import User

USERS = {"reg": "regulator", "liaison": "liaison", "analyst": "analyst", "chem": "chemist"}


def user(session: Any, name: str) -> User:
    found = session.scalar(select(User).where(User.username == name))
    assert isinstance(found, User)
    return found


def make(base: Path, node_id: str, country: str, url: str | None = None) -> Node:
    node = init_node(Settings(data_dir=base / node_id, database_url=url), node_id, node_id, country)
    with node.session() as session:
        for name, role in USERS.items():
            create_user(session, name, role)
    return node


def trust(a: Node, b: Node, **agreement: Any) -> None:
    for me, other in ((a, b), (b, a)):
        card = own_card(other)
        with me.write_session() as session:
            add_peer(session, card.to_dict(), card.fingerprint, **agreement)


@dataclass
class Wire:
    """Carries what a node queued to another through the real inbox, each message once."""

    done: set[str] = field(default_factory=set)

    def carry(self, sender: Node, recipient: Node) -> list[tuple[str, str | None]]:
        """(status, code) of each message newly carried from ``sender`` to ``recipient``."""
        with sender.session() as session:
            query = select(OutboxEntry.message_id, OutboxEntry.envelope).where(
                OutboxEntry.peer_id == node_keys(recipient).node_id
            )
            rows = list(session.execute(query.order_by(OutboxEntry.seq)))
        out = []
        for message_id, raw in rows:
            if message_id in self.done:
                continue
            answer, _ = receive(recipient, node_keys(recipient), raw.encode(), handlers=HANDLERS)
            self.done.add(message_id)
            out.append((answer.results[0].status, answer.results[0].code))
        return out


def keys(node: Node) -> NodeKeys:
    return node_keys(node)


def inbox_state(node: Node, message_id: str) -> tuple[str, str | None]:
    """How ``node``'s inbox recorded a message: its state and error code."""
    from jointprobe.exchange.tables import InboxEntry

    with node.session() as session:
        entry = session.scalar(select(InboxEntry).where(InboxEntry.message_id == message_id))
        assert entry is not None
        return entry.state, entry.error_code
