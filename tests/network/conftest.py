from __future__ import annotations

from typing import Any

import pytest

from jointprobe.node import Node
from jointprobe.store.tables import User

from .fixtures import load


@pytest.fixture
def people(node: Node, make_user: Any) -> dict[str, User]:
    """alice (member of ring, cash, empty), bob (of other) and the entities of ``fixtures``."""
    users = {"alice": make_user(node, "alice"), "bob": make_user(node, "bob")}
    load(node, users["alice"], users["bob"])
    return users
