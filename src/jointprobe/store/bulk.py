"""Many rows into one table in one executemany, at the driver's speed on SQLite.

``session.execute(insert(table), dicts)`` runs every column of every row
through SQLAlchemy's parameter processing, which on SQLite costs more than
SQLite's own insert. :func:`insert_rows` takes rows as tuples in a fixed
column order, converts only the columns whose type needs it (JSON, dates,
booleans) with the dialect's own bind processors, once per distinct value
object for a value shared by the whole batch (a timestamp), and hands the
rows to the driver's ``executemany`` in the session's transaction. Other
databases go through SQLAlchemy's own multi-row insert.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    assert compiled.positiontup is not None
    order = [list(columns).index(name) for name in compiled.positiontup]
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for position, index in enumerate(order):
        column_type = table.c[columns[index]].type
        bind = column_type.dialect_impl(dialect).bind_processor(dialect)
        if bind is not None:
            processors.append((position, bind))
    params: list[tuple[Any, ...]] = []
    shared: dict[int, tuple[Any, Any]] = {}  # position -> (last value, its processed form)
    for row in rows:
        values = [row[index] for index in order]
        for position, processor in processors:
            value = values[position]
            last = shared.get(position)
            if last is not None and last[0] is value:
                values[position] = last[1]
            else:
                values[position] = processed = processor(value)
                shared[position] = (value, processed)
        params.append(tuple(values))
    connection.exec_driver_sql(compiled.string, params)
