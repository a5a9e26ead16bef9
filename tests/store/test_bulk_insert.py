"""insert_rows stores what SQLAlchemy's own insert stores, on both engines."""

import json
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select

from jointprobe.node import Node
from jointprobe.store.bulk import insert_rows
from jointprobe.store.tables import Entity

COLUMNS = ("id", "schema", "caption", "properties", "tlp", "handling", "fictional", "created_at",
           "updated_at")  # fmt: skip


def _row(eid: str, when: datetime) -> tuple[Any, ...]:
    props = {"name": ["郑富京", 'Zheng "Fujing"'], "note": ["line\nbreak"]}
    return (eid, "Person", "郑富京", props, "RED", {"pap": "CLEAR"}, True, when, when)


def test_driver_rows_read_back_like_orm_rows(node: Node) -> None:
    table = cast(Table, Entity.__table__)
    when = datetime(2026, 11, 25, 1, 2, 3, 456789, tzinfo=UTC)
    with node.session() as session:
        insert_rows(session, table, COLUMNS, [_row("fast-1", when)])
        encoded = list(_row("fast-2", when))
        encoded[3] = json.dumps(encoded[3])  # properties encoded by whoever read the entity
        insert_rows(session, table, COLUMNS, [tuple(encoded)], json_text=("properties",))
        session.execute(insert(table), [dict(zip(COLUMNS, _row("orm", when), strict=True))])
        session.commit()
    with node.session() as session:
        rows = {e.id: e for e in session.scalars(select(Entity))}
        for eid in ("fast-1", "fast-2"):
            fast, orm = rows[eid], rows["orm"]
            for column in COLUMNS[1:]:
                assert getattr(fast, column) == getattr(orm, column), column
        assert rows["fast-1"].properties["name"][0] == "郑富京"
        assert rows["fast-1"].fictional is True


def test_no_rows_is_no_statement(node: Node) -> None:
    with node.session() as session:
        insert_rows(session, cast(Table, Entity.__table__), COLUMNS, [])
        assert session.scalars(select(Entity)).all() == []


def test_constants_read_back_like_orm_rows_whatever_their_text(node: Node) -> None:
    """Shared values go into the statement as literals: quotes and odd text survive."""
    table = cast(Table, Entity.__table__)
    when = datetime(2026, 11, 25, 1, 2, 3, 456789, tzinfo=UTC)
    odd = "O'Brien'); DROP TABLE entities; --\n\t\\ 郑"
    shared = {"tlp": "RED", "handling": {"pap": "CLEAR", "note": odd}, "fictional": True,
              "grading": None, "source": odd, "created_at": when, "updated_at": when}  # fmt: skip
    with node.session() as session:
        insert_rows(session, table, ("id", "schema", "caption", "properties"),
                    [("c-1", "Person", odd, json.dumps({"name": [odd]}))],
                    json_text=("properties",), constants=shared)  # fmt: skip
        orm = {"id": "orm", "schema": "Person", "caption": odd, "properties": {"name": [odd]}}
        session.execute(insert(table), [{**orm, **shared}])
        session.commit()
    with node.session() as session:
        rows = {e.id: e for e in session.scalars(select(Entity))}
        assert set(rows) == {"c-1", "orm"}
        for column in ("schema", "caption", "properties", *shared):
            assert getattr(rows["c-1"], column) == getattr(rows["orm"], column), column
        assert rows["c-1"].source == odd and rows["c-1"].fictional is True
    if node.engine.dialect.name == "sqlite":  # as stored: the same type and the same text
        with node.engine.connect() as connection:
            stored = {
                row[0]: row[1:]
                for row in connection.exec_driver_sql(
                    "SELECT id, typeof(tlp), tlp, typeof(handling), handling, typeof(fictional),"
                    " fictional, typeof(grading), typeof(source), source, typeof(created_at),"
                    " created_at FROM entities"
                )
            }
        assert stored["c-1"] == stored["orm"]
