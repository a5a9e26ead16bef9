"""Write transactions for the exchange that take the database write lock first.

On SQLite a transaction that reads and then writes fails at once if another
writer committed in between; taking the lock with the transaction makes it
wait its turn instead (``busy_timeout``). PostgreSQL needs nothing extra.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from jointprobe.node import Node

_locks: dict[int, threading.Lock] = {}
_guard = threading.Lock()


def node_lock(node: Node) -> threading.Lock:
    """One lock per engine: exchange writers of one process take turns."""
    with _guard:
        return _locks.setdefault(id(node.engine), threading.Lock())


@contextmanager
def write_session(node: Node) -> Iterator[Session]:
    """:meth:`Node.write_session` (SQLite: ``BEGIN IMMEDIATE``), one exchange writer at a time.

    Writers of one process queue on a thread lock rather than in SQLite's
    busy handler, which polls with growing sleeps and would cost latency.
    """
    with node_lock(node), node.write_session() as session:
        yield session


__all__ = ["node_lock", "write_session"]
