"""Alembic environment: the engine comes from ``migrate.alembic_config``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

import jointprobe.analytics.tables  # noqa: F401  (tables on the same metadata)
import jointprobe.deconflict.tables  # noqa: F401  (tables on the same metadata)
import jointprobe.exchange.tables  # noqa: F401
import jointprobe.precursors.tables  # noqa: F401
import jointprobe.resolve.judgements  # noqa: F401
import jointprobe.screening.list_tables  # noqa: F401
import jointprobe.screening.order_tables  # noqa: F401
from jointprobe.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
