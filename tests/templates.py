"""A new node for a test at the cost of a file copy instead of a full ``init_node``.

``init_node`` runs every migration (seconds on a loaded 2-core machine; most of
what the exchange tests spent). A node created once per test session for each
(node id, name, country) is copied into the test's own data dir and opened:
each test still has its own database and its own keys (keys are made on first
use, after the copy), so tests do not see each other's state. PostgreSQL
nodes and nodes with other settings are created as before.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from jointprobe.config import Settings
from jointprobe.node import Node, init_node, open_node

_ROOT = Path(tempfile.mkdtemp(prefix="jointprobe-test-templates-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
_MADE: dict[tuple[str, str, str], Path] = {}


def new_node(settings: Settings, node_id: str, name: str, country: str) -> Node:
    """What ``init_node(settings, node_id, name, country)`` gives, from a copy when on SQLite."""
    target = _sqlite_file(settings)
    if target is None or target.exists():
        return init_node(settings, node_id, name, country)  # PostgreSQL, or init's own checks
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(_template(node_id, name, country) / "node.db", target)
    return open_node(settings)


def _sqlite_file(settings: Settings) -> Path | None:
    url = settings.database_url
    if url is None:
        return settings.data_dir / "node.db"
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def _template(node_id: str, name: str, country: str) -> Path:
    key = (node_id, name, country)
    if key not in _MADE:
        data_dir = _ROOT / f"{len(_MADE)}-{node_id}"
        init_node(Settings(data_dir=data_dir), node_id, name, country).close()
        _MADE[key] = data_dir
    return _MADE[key]
