"""Fixtures of the network tests (fictional data).

``two_cases``: two cases that share a phone number, users inside and outside
each (expansion, cross-case links); ``people``: the cases of ``fixtures``
(analysis, paths, money).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy.orm import Session

from jointprobe.cases import CaseIn, create_case
from jointprobe.entities import add_entity
from jointprobe.node import Node
from jointprobe.store.tables import User

from .fixtures import load

SHARED_PHONE = "+8613812345678"
T = TypeVar("T")


def vm_steps(s: Session, run: Callable[[], T]) -> tuple[T, int]:
    """What ``run`` answers and, on SQLite, the VM instructions it took (a row read is a
    few; 0 elsewhere): how much a look-up read, not only what it returned."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    raw = s.connection().connection.dbapi_connection
    sqlite = s.get_bind().dialect.name == "sqlite"
    if sqlite:
        raw.set_progress_handler(count, 1)  # type: ignore[union-attr]
    try:
        found = run()
    finally:
        if sqlite:
            raw.set_progress_handler(None, 1)  # type: ignore[union-attr]
    return found, steps


def e(entity_id: str, schema: str, **props: Any) -> dict[str, Any]:
    """A FtM entity as a dict: ``e("p1", "Person", name=["X"])``."""
    return {"id": entity_id, "schema": schema, "properties": props}


@dataclass
class TwoCases:
    node: Node
    alice: User  # owns case A (Diana's vendor ring)
    bob: User  # owns case B (a buyer case abroad)
    carol: User  # member of neither
    boss: User  # supervisor: sees every case


@pytest.fixture
def two_cases(node: Node, make_user: Any) -> TwoCases:
    sqlite_node = node  # SQLite, and PostgreSQL where JOINTPROBE_TEST_DATABASE_URL is set
    alice = make_user(sqlite_node, "alice", display_name="Alice Agent (New Orleans)")
    bob = make_user(sqlite_node, "bob", display_name="Bob Officer (Hebei)")
    carol = make_user(sqlite_node, "carol")
    boss = make_user(sqlite_node, "boss", "supervisor")
    with sqlite_node.session() as s:
        create_case(s, alice, CaseIn(title="Vendor Diana (fictional)", id="A", fictional=True))
        create_case(s, bob, CaseIn(title="Secret buyers (fictional)", id="B", fictional=True))
        for item in (
            e("a-diana", "Person", name=["Diana Vendor"], phone=[SHARED_PHONE],
              email=["diana@pharma-shop.example"]),
            e("a-shop", "Company", name=["Pharma Shop Ltd"], website=["https://pharma-shop.example"]),
            e("a-own", "Ownership", owner=["a-diana"], asset=["a-shop"]),
            e("a-clerk", "Person", name=["Clerk One"]),
            e("a-emp", "Employment", employer=["a-shop"], employee=["a-clerk"]),
        ):  # fmt: skip
            add_entity(s, alice, item, case_id="A", fictional=True)
        for item in (
            e("b-secret", "Person", name=["Secret Buyer"], phone=[SHARED_PHONE]),
            e("b-friend", "Person", name=["Hidden Friend"], phone=["+8613900000001"]),
            e("b-assoc", "Associate", person=["b-secret"], associate=["b-friend"]),
        ):
            add_entity(s, bob, item, case_id="B", fictional=True)
    return TwoCases(sqlite_node, alice, bob, carol, boss)


@pytest.fixture
def people(node: Node, make_user: Any) -> dict[str, User]:
    """alice (member of ring, cash, empty), bob (of other) and the entities of ``fixtures``."""
    users = {"alice": make_user(node, "alice"), "bob": make_user(node, "bob")}
    load(node, users["alice"], users["bob"])
    return users
