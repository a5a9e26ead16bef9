"""Write transactions for the exchange that take the database write lock first.

On SQLite a transaction that reads and then writes fails at once if another
writer committed in between; taking the lock with the first statement makes
it wait its turn instead (``busy_timeout``). PostgreSQL needs nothing extra.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from jointprobe.errors import StorageError
from jointprobe.node import Node

_locks: dict[int, threading.Lock] = {}
_guard = threading.Lock()


def node_lock(node: Node) -> threading.Lock:
    """One lock per engine: exchange writers of one process take turns."""
    with _guard:
        return _locks.setdefault(id(node.engine), threading.Lock())


@contextmanager
def write_session(node: Node) -> Iterator[Session]:
    """A session that holds the write lock from its first statement and commits at the end."""
    try:
        with node_lock(node), node.session() as session:
            if session.get_bind().dialect.name == "sqlite":
                session.execute(text("UPDATE exchange_peers SET out_seq = out_seq WHERE 1 = 0"))
            yield session
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "database error"
        raise StorageError(f"the node database is busy or unavailable: {reason}") from exc


__all__ = ["node_lock", "write_session"]
