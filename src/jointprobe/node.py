"""A node: one agency, one database. ``init_node`` creates it, ``open_node`` finds it."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import Field
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from jointprobe.accounts.service import create_user
from jointprobe.audit import record
from jointprobe.config import Settings
from jointprobe.errors import ConfigError, Conflict, InvalidInput, StorageError
from jointprobe.store.engine import IMMEDIATE, make_engine, session_factory
from jointprobe.store.migrate import upgrade_to_head
from jointprobe.store.tables import NodeIdentity

OPERATOR = "operator"
#: A node id as the exchange protocol defines it (docs/protocol.md §1); the
#: exchange's ``wire.check_node_id`` uses this same pattern.
NODE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}\Z")  # \Z: "$" passes a final newline
#: The same pattern in an input model (JSON Schema: "$" ends the text, no newline before it).
NodeIdText = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$", max_length=64)]


#: How long a writer waits for another writer of this process before giving up.
WRITE_LOCK_SECONDS = 30.0


@dataclass
class Node:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    identity: NodeIdentity
    #: Writers of this process take turns on this lock before the database's own:
    #: they queue here rather than in SQLite's busy handler, which polls with
    #: growing sleeps and would cost latency.
    write_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error.

        Database errors are translated where they enter our code: a constraint
        violation (e.g. two writers racing for one id) becomes ``Conflict``, an
        unreachable or locked database ``StorageError``.
        """
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except IntegrityError as exc:
                session.rollback()
                raise Conflict(
                    f"the change conflicts with stored data: {_first_line(exc)}"
                ) from exc
            except OperationalError as exc:
                session.rollback()
                raise StorageError(f"database unavailable: {_first_line(exc)}") from exc
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """The one way to open a write transaction: like :meth:`session`, but it takes
        the write lock first (this process's :attr:`write_lock`, then SQLite's with
        ``BEGIN IMMEDIATE``), so a transaction that reads and then writes waits its
        turn instead of failing. The web's ``get_write_session`` and the CLI's
        ``node_session`` are this, for their callers.
        """
        if not self.write_lock.acquire(timeout=WRITE_LOCK_SECONDS):
            raise StorageError(
                f"database busy: no write lock within {WRITE_LOCK_SECONDS:g} s (another writer "
                "of this process holds it)"
            )
        try:
            with self.session() as session:
                session.connection(execution_options={IMMEDIATE: True})
                yield session
        finally:
            self.write_lock.release()

    def close(self) -> None:
        self.engine.dispose()


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0]


def _prepare_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create data dir: {exc.strerror}", where=str(data_dir)) from exc
    if not os.access(data_dir, os.W_OK | os.X_OK):
        raise ConfigError("data dir is not writable by this user", where=str(data_dir))


def init_node(settings: Settings, node_id: str, name: str, country: str) -> Node:
    """Create the node's store (migrated to head), identity and operator account."""
    if not NODE_ID.match(node_id):
        raise InvalidInput(
            "node id must be 3-64 characters of a-z, 0-9, '.', '_' and '-', starting with a "
            "letter or digit",
            where=node_id,
        )
    if not re.fullmatch(r"[A-Za-z]{2}", country):
        raise InvalidInput("country must be an ISO 3166 two-letter code", where=country)
    if settings.database_url is None:
        _prepare_data_dir(settings.data_dir)
    engine = make_engine(settings.resolved_database_url())
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        existing = session.query(NodeIdentity).first()
        if existing is not None:
            raise Conflict(
                f"a node ({existing.id}) is already initialised here",
                where=str(settings.data_dir),
            )
        identity = NodeIdentity(id=node_id, name=name, country=country.upper())
        session.add(identity)
        create_user(session, OPERATOR, "admin", display_name="Node operator (CLI)")
        record(session, "system", "create", "node", node_id, {"name": name, "country": country})
        session.commit()
    return Node(settings, engine, sessions, identity)


def open_node(settings: Settings) -> Node:
    url = settings.resolved_database_url()
    if settings.database_url is None and not (settings.data_dir / "node.db").exists():
        raise ConfigError(
            "no node here; create one with `jointprobe init`", where=str(settings.data_dir)
        )
    engine = make_engine(url)
    if not inspect(engine).has_table("node_identity"):
        raise ConfigError("database holds no jointprobe node; run `jointprobe init`")
    upgrade_to_head(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        identity = session.query(NodeIdentity).first()
    if identity is None:
        raise ConfigError("node is not initialised; run `jointprobe init`")
    return Node(settings, engine, sessions, identity)
