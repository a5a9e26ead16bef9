"""Many rows into one table in one executemany, at the driver's speed on SQLite.

``session.execute(insert(table), dicts)`` runs every column of every row
through SQLAlchemy's parameter processing, which on SQLite costs more than
SQLite's own insert. :func:`insert_rows` takes rows as tuples in a fixed
column order and hands them to the driver's ``executemany`` in the session's
transaction. Only the columns whose type needs it (JSON, dates, booleans)
are converted, with the dialect's own bind processors, a column at a time:
once for a column that holds the same value in every row (a batch's marking
or case), else once per row. ``constants`` are columns with one value for
every row (a timestamp, a case), converted once and written into the
statement as literals (SQLite's quoting: a quote doubled). Other databases
go through SQLAlchemy's own multi-row insert.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Dialect, Table, insert
from sqlalchemy.orm import Session


def _processor(table: Table, column: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    bind: Callable[[Any], Any] | None = (
        table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
    )
    return bind


def _convert(values: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """``processor`` applied to a column; once when the column holds one value throughout."""
    first = values[0]
    if all(value is first for value in values):  # the same object: {"n": 1} == {"n": 1.0}
        return [processor(first)] * len(values)
    return [processor(value) for value in values]


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    json_text: Collection[str] = (),
    constants: Mapping[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table`` in the session's transaction.

    Columns named in ``json_text`` hold their JSON already encoded as text (by the
    worker process that read the row, say): SQLite stores it as it is, and
    SQLAlchemy's JSON type reads it back like its own encoding.
    ``constants`` gives further columns, each with one value for every row.
    """
    if not rows:
        return
    constants = dict(constants or {})
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        decode = [i for i, name in enumerate(columns) if name in json_text]
        dicts = []
        for row in rows:
            values = list(row)
            for i in decode:
                values[i] = json.loads(values[i])
            dicts.append({**dict(zip(columns, values, strict=True)), **constants})
        session.execute(insert(table), dicts)
        return
    convert = [
        (index, processor)
        for index, name in enumerate(columns)
        if name not in json_text and (processor := _processor(table, name, dialect)) is not None
    ]
    params: Sequence[tuple[Any, ...]] = rows
    if convert:
        data = list(zip(*rows, strict=True))  # column-wise
        for index, processor in convert:
            data[index] = tuple(_convert(data[index], processor))
        params = list(zip(*data, strict=True))
    names, marks = list(columns), ["?"] * len(columns)
    appended: list[Any] = []  # constants SQL cannot carry as literals go with every row
    for name, value in constants.items():
        processor = _processor(table, name, dialect)
        stored = value if processor is None else processor(value)
        names.append(name)
        literal = _sqlite_literal(stored)
        if literal is None:
            marks.append("?")
            appended.append(stored)
        else:
            marks.append(literal)
    if appended:
        extra = tuple(appended)
        params = [row + extra for row in params]
    quote = dialect.identifier_preparer
    column_list = ", ".join(quote.quote(name) for name in names)
    connection.exec_driver_sql(
        f"INSERT INTO {quote.format_table(table)} ({column_list}) VALUES ({', '.join(marks)})",
        params,
    )


def _sqlite_literal(value: Any) -> str | None:
    """``value`` (as SQLite stores it) written as an SQL literal, or None where that is not
    plain: a shared value then goes in the statement once rather than with every row."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int) and -(2**63) <= value < 2**63:  # else SQLite makes it REAL
        return str(value)
    if isinstance(value, str) and "\x00" not in value and len(value) <= 4096:
        return "'" + value.replace("'", "''") + "'"  # SQL quoting: no other escapes exist
    return None
