"""Engines for SQLite (embedded default, WAL) and PostgreSQL, one code path."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from jointprobe.errors import ConfigError, StorageError


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, emit BEGIN: otherwise SAVEPOINTs commit early.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk when it returns (WAL synced), so a receipt this
    # node signs after a commit vouches for data a power cut cannot undo, and a
    # sequence number taken in a committed transaction is never handed out again.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA wal_autocheckpoint=16384")
    cursor.close()


IMMEDIATE = "jointprobe_sqlite_immediate"


def _sqlite_begin(conn: Connection) -> None:
    # A write session (``Node.write_session``) begins IMMEDIATE: it takes the
    # write lock first and waits its turn (busy_timeout). A deferred transaction
    # that reads and then writes would fail at once with "database is locked"
    # when another process wrote in between.
    immediate = conn.get_execution_options().get(IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


BULK_CACHE_KIB = 262_144  # 256 MiB


@contextmanager
def bulk_write_cache(connection: Connection) -> Iterator[None]:
    """On SQLite, let ``connection`` keep up to 256 MiB of pages while a bulk write runs.

    A large import touches pages all over the selector index; with SQLite's
    default 2 MiB cache a transaction spills and re-reads them, and writes the
    same page to the WAL more often. The cache is a ceiling, not an allocation,
    and it is set back to what it was when the block ends (the connection goes
    back to the pool). Elsewhere this does nothing.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    before = raw.execute("PRAGMA cache_size").fetchone()[0]  # no transaction: a plain PRAGMA
    raw.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        try:
            raw.execute(f"PRAGMA cache_size={int(before)}")
        except sqlite3.Error:  # the connection broke: the error that broke it is the news
            pass


def make_engine(url: str, *, check: bool = True) -> Engine:
    """Create an engine; with ``check`` connect once so a bad URL fails here, clearly."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"invalid database URL: {exc}", where=_redact(url)) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    if check:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StorageError(f"cannot reach the database: {reason}", where=_redact(url)) from exc
        except SQLAlchemyError as exc:
            raise StorageError(f"database error: {exc}", where=_redact(url)) from exc
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, future=True)
