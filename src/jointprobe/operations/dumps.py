"""A consistent copy of the node database while it runs, and putting one back.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a
consistent snapshot page by page while writers carry on. PostgreSQL: ``pg_dump``
(custom format) in one snapshot, ``pg_restore`` into an empty database. The
password travels in ``PGPASSWORD``, never on a command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL, make_url

from jointprobe.errors import ConfigError, Conflict, StorageError

SQLITE_FILE = "node.db"
PG_FILE = "node.pgdump"


def dump_file(url: str) -> str:
    """The name a backup gives the database copy: ``node.db`` or ``node.pgdump``."""
    return SQLITE_FILE if make_url(url).get_backend_name() == "sqlite" else PG_FILE


def dump(url: str, target: Path) -> None:
    """Write a consistent copy of the database at ``url`` to ``target``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_copy(Path(parsed.database or ""), target)
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",
              *_pg_args(parsed)], parsed)  # fmt: skip


def load(url: str, source: Path) -> None:
    """Put a copy made by :func:`dump` into the (empty) database at ``url``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_copy(source, Path(parsed.database or ""))
    else:
        _run([_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
              *_pg_args(parsed), str(source)], parsed)  # fmt: skip


def require_empty(engine: Engine) -> None:
    """Refuse a database that holds any table (a live node, or anything else)."""
    tables = inspect(engine).get_table_names()
    if tables:
        raise Conflict(
            f"refusing to restore into a database that is not empty ({len(tables)} tables, "
            f"e.g. {sorted(tables)[0]}): restore into a new, empty database"
        )


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise StorageError("no SQLite database to copy", where=str(source))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst, pages=4096)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise StorageError(f"SQLite backup failed: {exc}", where=str(source)) from exc
    finally:
        src.close()
    target.chmod(0o600)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError(
            f"{name} is not installed; a PostgreSQL node needs the PostgreSQL client tools "
            "(Debian/Ubuntu: apt-get install postgresql-client, of the server's major version)"
        )
    return found


def _pg_args(url: URL) -> list[str]:
    args = [f"--dbname={url.database}"]
    if url.host:
        args.append(f"--host={url.host}")
    if url.port:
        args.append(f"--port={url.port}")
    if url.username:
        args.append(f"--username={url.username}")
    return args


def _run(command: list[str], url: URL) -> None:
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise StorageError(f"{Path(command[0]).name} failed: {lines[-1][:300]}")


__all__ = ["PG_FILE", "SQLITE_FILE", "dump", "dump_file", "load", "require_empty"]
