from alembic import command
from sqlalchemy import inspect

from jointprobe.store import current_revision, make_engine, upgrade_to_head
from jointprobe.store.migrate import alembic_config, head_revision


def test_migrations_upgrade_an_empty_database_to_head(db_url: str) -> None:
    engine = make_engine(db_url)
    assert current_revision(engine) is None
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"cases", "entities", "selectors", "audit_log", "case_events", "users"} <= tables
    assert {"web_sessions", "signin_failures"} <= tables
    upgrade_to_head(engine)  # idempotent
    engine.dispose()


def test_migration_0004_downgrades_and_upgrades_again(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to_head(engine)
    command.downgrade(alembic_config(engine), "0003")
    assert current_revision(engine) == "0003"
    assert not {"web_sessions", "signin_failures"} & set(inspect(engine).get_table_names())
    upgrade_to_head(engine)
    assert {"web_sessions", "signin_failures"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
