from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from jointprobe.exchange.card import NodeCard
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.wire import b64e
from jointprobe.store import current_revision, make_engine, upgrade_to_head
from jointprobe.store.migrate import alembic_config, head_revision
from jointprobe.timeutil import as_utc


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


def test_migration_0005_keeps_every_selector_both_ways(db_url: str) -> None:
    engine = make_engine(db_url)
    config = alembic_config(engine)
    command.upgrade(config, "0004")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO entities (id, schema, caption, properties, tlp, handling, "
                          "fictional, created_at, updated_at) VALUES ('e1', 'Person', 'A', '{}', "
                          "'AMBER', '{}', false, '2026-11-25', '2026-11-25')"))  # fmt: skip
        for kind, value in [("phone", "+8613812345678"), ("email", "a@b.example")]:
            conn.execute(
                text("INSERT INTO selectors (entity_id, kind, value) VALUES ('e1', :k, :v)"),
                {"k": kind, "v": value},
            )
    upgrade_to_head(engine)
    rows = {("email", "a@b.example", "e1"), ("phone", "+8613812345678", "e1")}
    with engine.connect() as conn:
        assert set(conn.execute(text("SELECT kind, value, entity_id FROM selectors"))) == rows
    selectors = inspect(engine)
    assert selectors.get_pk_constraint("selectors")["constrained_columns"] == [
        "kind", "value", "entity_id"
    ]  # fmt: skip
    assert {i["name"] for i in selectors.get_indexes("selectors")} == {
        "ix_selectors_entity_id", "ix_selectors_key_case"  # 0016
    }  # fmt: skip
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'selectors'"))
            assert "WITHOUT ROWID" in sql.scalar_one()
    command.downgrade(config, "0004")
    with engine.connect() as conn:
        assert set(conn.execute(text("SELECT kind, value, entity_id FROM selectors"))) == rows
    assert "ix_selectors_kind_value" in {
        i["name"] for i in inspect(engine).get_indexes("selectors")
    }
    upgrade_to_head(engine)
    engine.dispose()


def test_migration_0006_backfills_each_peers_current_signing_key(db_url: str) -> None:
    engine = make_engine(db_url)
    config = alembic_config(engine)
    command.upgrade(config, "0005")
    peers = sa.table("exchange_peers", *(sa.column(c) for c in (
        "node_id", "name", "country", "endpoint", "fingerprint", "max_tlp", "active", "out_seq",
        "in_seq", "failures", "batch_limit")), sa.column("card", sa.JSON),
        sa.column("revoked", sa.JSON), sa.column("allowed_kinds", sa.JSON),
        sa.column("added_at", sa.DateTime(timezone=True)))  # fmt: skip
    audit = sa.table("audit_log", *(sa.column(c) for c in (
        "id", "at", "actor", "action", "object_type", "object_id", "prev_hash", "hash")),
        sa.column("detail", sa.JSON))  # fmt: skip
    added = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    cards = {}
    for node_id in ("cn-mps", "de-bka"):
        card = NodeCard.create(NodeKeys.generate(node_id), name=node_id, country="CN",
                               endpoint="http://127.0.0.1:1")  # fmt: skip
        cards[node_id] = card
        row = {"node_id": node_id, "name": node_id, "country": "CN", "endpoint": card.endpoint,
               "card": card.to_dict(), "fingerprint": card.fingerprint, "revoked": [],
               "allowed_kinds": ["referral"], "max_tlp": "AMBER", "active": True, "out_seq": 0,
               "in_seq": 0, "added_at": added, "failures": 0, "batch_limit": 500}  # fmt: skip
        with engine.begin() as conn:
            conn.execute(sa.insert(peers).values(**row))
    with engine.begin() as conn:  # de-bka rotated its keys on 20 November, before the upgrade
        conn.execute(sa.insert(audit).values(
            id=1, at="2026-11-20T10:00:00.000000Z", actor="operator", action="update",
            object_type="peer", object_id="de-bka", detail={"rotated_from": "AB" * 20},
            prev_hash="0" * 64, hash="1" * 64))  # fmt: skip
    upgrade_to_head(engine)
    keys = sa.table(
        "exchange_peer_keys",
        *(sa.column(c) for c in ("peer_id", "sign_public", "fingerprint", "source")),
        *(sa.column(c, sa.DateTime(timezone=True)) for c in ("accepted_at", "superseded_at")),
    )
    query = sa.select(keys).order_by(keys.c.peer_id)
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in rows] == [
        (n, b64e(c.sign_public), c.fingerprint, "backfill", None) for n, c in cards.items()
    ]
    assert [as_utc(r[4]) for r in rows] == [added, datetime(2026, 11, 20, 10, tzinfo=UTC)]
    command.downgrade(config, "0005")
    assert "exchange_peer_keys" not in inspect(engine).get_table_names()
    upgrade_to_head(engine)
    with engine.connect() as conn:
        assert len(list(conn.execute(query))) == 2
    engine.dispose()


def test_migrations_build_what_the_models_declare(db_url: str) -> None:
    import jointprobe.precursors.tables  # noqa: F401
    import jointprobe.resolve.judgements  # noqa: F401  (its table is part of the store)
    import jointprobe.screening.list_tables  # noqa: F401  (screening lists, migration 0008)
    import jointprobe.screening.order_tables  # noqa: F401
    from jointprobe.store.tables import Base

    engine = make_engine(db_url)
    upgrade_to_head(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_migration_0007_keeps_outbox_rows_and_renames_rejected_to_refused(db_url: str) -> None:
    engine = make_engine(db_url)
    config = alembic_config(engine)
    command.upgrade(config, "0006")
    card = NodeCard.create(NodeKeys.generate("cn-mps"), name="cn-mps", country="CN",
                           endpoint="http://127.0.0.1:1")  # fmt: skip
    peers = sa.table("exchange_peers", *(sa.column(c) for c in (
        "node_id", "name", "country", "endpoint", "fingerprint", "max_tlp", "active", "out_seq",
        "in_seq", "failures", "batch_limit")), sa.column("card", sa.JSON),
        sa.column("revoked", sa.JSON), sa.column("allowed_kinds", sa.JSON),
        sa.column("added_at", sa.DateTime(timezone=True)))  # fmt: skip
    outbox = sa.table("exchange_outbox", *(sa.column(c) for c in (
        "message_id", "peer_id", "seq", "kind", "envelope", "digest", "state", "attempts")),
        sa.column("created_at", sa.DateTime(timezone=True)))  # fmt: skip
    now = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.insert(peers).values(
            node_id="cn-mps", name="cn-mps", country="CN", endpoint=card.endpoint,
            card=card.to_dict(), fingerprint=card.fingerprint, revoked=[],
            allowed_kinds=["referral"], max_tlp="AMBER", active=True, out_seq=2, in_seq=0,
            added_at=now, failures=0, batch_limit=500))  # fmt: skip
        for seq, state in ((1, "delivered"), (2, "rejected")):
            conn.execute(sa.insert(outbox).values(
                message_id=f"{seq:032x}", peer_id="cn-mps", seq=seq, kind="referral",
                envelope="{}", digest="d", state=state, attempts=1, created_at=now))  # fmt: skip
    upgrade_to_head(engine)
    query = text("SELECT seq, state, failures, void_id FROM exchange_outbox ORDER BY seq")
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(query)] == [
            (1, "delivered", 0, None),
            (2, "refused", 0, None),
        ]
        applied = conn.execute(text("SELECT peer_applied_seq FROM exchange_peers")).scalar()
        assert applied == 0
    command.downgrade(config, "0006")
    with engine.connect() as conn:
        states = [
            r[0] for r in conn.execute(text("SELECT state FROM exchange_outbox ORDER BY seq"))
        ]
        assert states == ["delivered", "rejected"]
    engine.dispose()


def test_migration_0009_adds_seizure_origins_and_peer_aggregates_and_goes_back(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    upgrade_to_head(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("case_events")}
    assert {"origin_country", "transit_countries", "destination_country", "route"} <= columns
    assert "analytics_peer_aggregates" in inspect(engine).get_table_names()
    command.downgrade(alembic_config(engine), "0008")
    inspector = inspect(engine)
    assert "origin_country" not in {c["name"] for c in inspector.get_columns("case_events")}
    assert "analytics_peer_aggregates" not in inspector.get_table_names()
    upgrade_to_head(engine)
    engine.dispose()


def test_migration_0014_swaps_the_edge_indexes_both_ways(db_url: str) -> None:
    engine = make_engine(db_url)
    config = alembic_config(engine)
    upgrade_to_head(engine)
    names = {i["name"] for i in inspect(engine).get_indexes("edges")}
    assert {"ix_edges_source_cover", "ix_edges_target_cover"} <= names
    assert not {"ix_edges_source_id", "ix_edges_target_id"} & names
    command.downgrade(config, "0013")
    names = {i["name"] for i in inspect(engine).get_indexes("edges")}
    assert {"ix_edges_source_id", "ix_edges_target_id"} <= names
    assert not {"ix_edges_source_cover", "ix_edges_target_cover"} & names
    upgrade_to_head(engine)
    assert current_revision(engine) == "0016"
    engine.dispose()


def test_migration_0015_adds_the_deconfliction_work_column_and_goes_back(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to_head(engine)
    assert "work" in {c["name"] for c in inspect(engine).get_columns("deconflict_sessions")}
    assert "ix_outbox_pending" in {
        i["name"] for i in inspect(engine).get_indexes("exchange_outbox")
    }
    command.downgrade(alembic_config(engine), "0014")
    assert "work" not in {c["name"] for c in inspect(engine).get_columns("deconflict_sessions")}
    assert "ix_outbox_pending" not in {
        i["name"] for i in inspect(engine).get_indexes("exchange_outbox")
    }
    upgrade_to_head(engine)
    engine.dispose()


def test_migration_0016_adds_the_selectors_key_case_index_and_goes_back(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade_to_head(engine)
    assert "ix_selectors_key_case" in {i["name"] for i in inspect(engine).get_indexes("selectors")}
    command.downgrade(alembic_config(engine), "0015")
    assert "ix_selectors_key_case" not in {
        i["name"] for i in inspect(engine).get_indexes("selectors")
    }
    upgrade_to_head(engine)
    assert current_revision(engine) == "0016"
    engine.dispose()
