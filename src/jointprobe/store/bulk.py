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

import json
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    json_text: Collection[str] = (),
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the session's transaction.

    Columns named in ``json_text`` hold their JSON already encoded (``json.dumps``,
    as SQLAlchemy would encode it), e.g. by the worker process that read the row.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        decode = [i for i, name in enumerate(columns) if name in json_text]
        dicts = []
        for row in rows:
            values = list(row)
            for i in decode:
                values[i] = json.loads(values[i])
            dicts.append(dict(zip(columns, values, strict=True)))
        session.execute(insert(table), dicts)
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    assert compiled.positiontup is not None
    order = [list(columns).index(name) for name in compiled.positiontup]
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    for position, index in enumerate(order):
        if columns[index] in json_text:
            continue  # already the text SQLite stores
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
