"""Node store: engine, tables, migrations (C1)."""

from jointprobe.store.engine import make_engine, session_factory
from jointprobe.store.migrate import current_revision, upgrade_to_head

__all__ = ["current_revision", "make_engine", "session_factory", "upgrade_to_head"]
