"""Alembic migrations run from code: ``upgrade_to_head(engine)``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade_to_head(engine: Engine) -> None:
    command.upgrade(alembic_config(engine), "head")


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def pending_revisions(engine: Engine) -> list[str]:
    """Revisions an upgrade to head would apply, oldest first (empty: at head)."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    current = current_revision(engine)
    head = script.get_current_head()
    if head is None or current == head:
        return []
    steps = [r.revision for r in script.iterate_revisions(head, current)]
    return list(reversed(steps))
