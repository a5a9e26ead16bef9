"""Two real nodes that deconflict, with messages carried by hand (no HTTP) or tampered with."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from jointprobe.accounts import create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.deconflict.worker import run_pending
from jointprobe.entities import add_entity
from jointprobe.exchange.envelope import envelope_from_dict, open_envelope
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.tables import InboxEntry, OutboxEntry
from jointprobe.node import Node
from jointprobe.store.tables import User

from ..exchange.live import HANDLERS, make_node, peer

US, CN = "us-hsi-nola", "cn-mps-nnc"


def two_nodes(base: Path, us_database: str | None = None, **settings: Any) -> tuple[Node, Node]:
    us = make_node(base, US, "HSI New Orleans", "US", database_url=us_database, **settings)
    cn = make_node(base, CN, "MPS Narcotics Control", "CN", **settings)
    peer(us, cn)
    return us, cn


def user(node: Node, name: str = "analyst") -> User:
    with node.session() as s:
        found: User = s.scalars(select(User).where(User.username == name)).one()
        s.expunge(found)
        return found


def case_with_phones(
    node: Node, case_id: str, phones: Iterable[str], owner: str = "analyst"
) -> None:
    """A case whose people hold ``phones`` (fictional), opened by ``owner``."""
    with node.write_session() as s:
        actor = s.scalars(select(User).where(User.username == owner)).one()
        create_case(s, actor, CaseIn(id=case_id, title=f"Case {case_id}", fictional=True))
        for index, phone in enumerate(phones):
            add_entity(
                s, actor,
                {"id": f"{case_id}-p{index}", "schema": "Person",
                 "properties": {"name": [f"Person {index}"], "phone": [phone]}},
                case_id=case_id, fictional=True,
            )  # fmt: skip


def add_member(node: Node, name: str, role: str, case_id: str) -> None:
    from jointprobe.cases import add_member as add

    with node.write_session() as s:
        create_user(s, name, role)
        owner = s.scalars(select(User).where(User.username == "analyst")).one()
        add(s, owner, case_id, name)


class Carrier:
    """Carries queued messages from one node to another, once each, in order."""

    def __init__(self) -> None:
        self.sent: set[tuple[str, int]] = set()

    def pending(self, a: Node, b: Node) -> list[str]:
        with a.session() as s:
            rows = s.scalars(
                select(OutboxEntry)
                .where(OutboxEntry.peer_id == b.identity.id)
                .order_by(OutboxEntry.seq)
            ).all()
            fresh = [r for r in rows if (a.identity.id, r.id) not in self.sent]
            for r in fresh:
                self.sent.add((a.identity.id, r.id))
            return [r.envelope for r in fresh]

    def carry(self, a: Node, b: Node, edit: Callable[[str], str] | None = None) -> int:
        texts = self.pending(a, b)
        for text in texts:  # one per delivery, as the 4 MB batch limit does for points
            receive(b, node_keys(b), (edit(text) if edit else text).encode(), handlers=HANDLERS)
        return len(texts)

    def settle(self, us: Node, cn: Node, rounds: int = 8) -> None:
        """Run each node's owed computing steps (its worker) and carry, until quiet."""
        for _ in range(rounds):
            worked = run_pending(us) + run_pending(cn)
            if not (self.carry(us, cn) + self.carry(cn, us) + worked):
                return


def sessions(node: Node) -> list[DeconflictSession]:
    with node.session() as s:
        rows = list(s.scalars(select(DeconflictSession)).all())
        for r in rows:
            s.expunge(r)
        return rows


def last_body(node: Node, kind: str) -> dict[str, Any]:
    """The body of the last ``kind`` message ``node`` queued (opened with the peer's keys)."""
    with node.session() as s:
        row = s.scalars(
            select(OutboxEntry).where(OutboxEntry.kind == kind).order_by(OutboxEntry.id.desc())
        ).first()
        assert row is not None
        return dict(orjson.loads(row.envelope))


def inbox_states(node: Node) -> list[tuple[str, str]]:
    with node.session() as s:
        return [(e.kind, e.state) for e in s.scalars(select(InboxEntry).order_by(InboxEntry.seq))]


def send_raw(a: Node, b: Node, kind: str, body: dict[str, Any]) -> None:
    """``a`` sends ``b`` a message it built itself (a hostile peer's node)."""
    with a.write_session() as s:
        enqueue(s, node_keys(a), kind=kind, body=body, to=[b.identity.id])


def opened(node: Node, text: str) -> dict[str, Any]:
    envelope = envelope_from_dict(orjson.loads(text))
    return dict(open_envelope(envelope, node_keys(node)).body)
