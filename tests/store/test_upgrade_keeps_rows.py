"""A node filled through its service functions survives an upgrade from the oldest schema.

The rows are made at head by the code an operator runs (a case, entities and
selectors, users, peers, a referral and a notice exchanged, the audit chain),
then written into a database that starts at the first migration: each table as
soon as a migration creates it, with the columns it has at that revision. The
database is then upgraded to head, and every row must be there with every value
it was written with, and the audit chain must verify.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from tests.exchange.factories import referral_body
from tests.exchange.live import HANDLERS, analyst, case, keys, make_node, peer

from jointprobe.audit import verify
from jointprobe.entities.service import add_entity
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.tables import OutboxEntry
from jointprobe.exchange.workflow.sending import send_notice
from jointprobe.node import Node
from jointprobe.store import make_engine, session_factory, upgrade_to_head
from jointprobe.store.migrate import alembic_config
from jointprobe.timeutil import as_utc

#: Rows a migration writes itself (0006 backfills each peer's current key): not copied,
#: compared on these columns.
BACKFILLED = {"exchange_peer_keys": ["peer_id", "sign_public", "fingerprint"]}


def _fill(tmp_path: Path) -> tuple[Node, Node]:
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    case_id = case(us)
    with us.write_session() as session:
        who = analyst(session)
        names = {"name": ["Fictional Vendor A"], "phone": ["+8631155550001"]}
        person = {"id": "vendor-a", "schema": "Person", "properties": names}
        add_entity(session, who, person, case_id=case_id, fictional=True)
        enqueue(session, keys(us), kind="referral", body=referral_body(), to=["cn-mps-nnc"])
        send_notice(session, who, keys(us), to=["cn-mps-nnc"], topic="alert", text="a test")
    with us.session() as session:
        texts = [e.envelope for e in session.query(OutboxEntry).order_by(OutboxEntry.seq)]
    receive(cn, keys(cn), ("[" + ",".join(texts) + "]").encode(), handlers=HANDLERS)
    return us, cn


def _rows(engine: sa.Engine, table: sa.Table, columns: list[str]) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*(table.c[c] for c in columns))).mappings()
        return sorted((_plain(dict(r)) for r in rows), key=repr)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: as_utc(v) if isinstance(v, datetime) else v for k, v in row.items()}


@pytest.mark.parametrize("which", ["us", "cn"])
def test_every_row_written_at_the_oldest_schema_survives_the_upgrade(
    which: str, db_url: str, tmp_path: Path
) -> None:
    us, cn = _fill(tmp_path)
    source_node = us if which == "us" else cn
    source = source_node.engine
    source_meta = sa.MetaData()
    source_meta.reflect(source)
    source_meta.remove(source_meta.tables["alembic_version"])
    target = make_engine(db_url)
    config = alembic_config(target)
    script = ScriptDirectory.from_config(config)
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    written: dict[str, list[str]] = {}
    for revision in revisions:
        command.upgrade(config, revision)
        meta = sa.MetaData()
        meta.reflect(target)
        for table in meta.sorted_tables:
            if table.name in written or table.name not in source_meta.tables:
                continue  # alembic_version is the target's own
            columns = [c.name for c in table.columns if c.name in source_meta.tables[table.name].c]
            written[table.name] = columns
            if table.name in BACKFILLED:
                continue
            rows = _rows(source, source_meta.tables[table.name], columns)
            if rows:
                with target.begin() as conn:
                    conn.execute(sa.insert(table), rows)
    upgrade_to_head(target)
    head = sa.MetaData()
    head.reflect(target)
    assert set(written) == set(source_meta.tables)
    filled = set()
    for name, columns in written.items():
        columns = BACKFILLED.get(name, columns)
        before = _rows(source, source_meta.tables[name], columns)
        after = _rows(target, head.tables[name], columns)
        assert after == before, f"{name}: rows changed by the upgrade"
        filled |= {name} if before else set()
    expected = {
        "us": {"cases", "entities", "selectors", "exchange_outbox"},
        "cn": {"exchange_inbox", "exchange_referrals", "exchange_referral_events"},
    }
    assert expected[which] | {"users", "audit_log", "exchange_peers"} <= filled
    with session_factory(target)() as session:
        report = verify(session)
        assert report.ok, report.problems
    target.dispose()
    us.close()
    cn.close()
