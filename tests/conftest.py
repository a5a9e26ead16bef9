"""Shared fixtures: a real node on SQLite and, where configured, on PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.templates import new_node

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.node import Node
from jointprobe.store.tables import User

# pytest-xdist's workers get COLUMNS=80 from their launcher, where one process has none:
# the CLI tests read Rich's tables at the width they get without it (``make test``
# runs the in-process tests in two workers).
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)

PG_URL = Settings().test_database_url
PG_SKIP = "PostgreSQL tests need JOINTPROBE_TEST_DATABASE_URL (set in .ci/run)"


@contextmanager
def _fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    base = make_url(PG_URL)
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = f"jp_test_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with _fresh_pg_database() as url:
        yield url


@pytest.fixture
def second_pg_database() -> Iterator[str]:
    """Another one, e.g. to restore a backup into."""
    with _fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'node.db'}"
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
def node(db_url: str, tmp_path: Path) -> Iterator[Node]:
    settings = Settings(data_dir=tmp_path, database_url=db_url)
    n = new_node(settings, "us-test", "Test node", "US")
    yield n
    n.close()


@pytest.fixture
def sqlite_node(tmp_path: Path) -> Iterator[Node]:
    n = new_node(Settings(data_dir=tmp_path / "node"), "us-test", "Test node", "US")
    yield n
    n.close()


def _make_user(node: Node, username: str, role: str = "analyst", **kw: Any) -> User:
    with node.session() as session:
        return create_user(session, username, role, **kw)


@pytest.fixture
def make_user() -> Any:
    """Factory: ``make_user(node, "alice", "analyst", password=...)``."""
    return _make_user
