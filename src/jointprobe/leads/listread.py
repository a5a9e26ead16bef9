"""Rows of a seized customer list (CSV with a header, or JSON lines), read with a mapping.

A row that cannot be read (wrong number of fields, malformed JSON, no name, a
date that is not a date, a repeated id) is reported with its line number and
reason and left out; the others are returned. A file above the size cap is
refused whole before a row is read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from jointprobe.entities.normalise.dates import InvalidDate, normalise_date
from jointprobe.errors import InvalidInput
from jointprobe.leads.listmap import ListMapping

ListFormat = Literal["csv", "jsonl"]
FORMATS: tuple[ListFormat, ...] = ("csv", "jsonl")
#: properties whose values are dates (read with the mapping's ``date_order``)
_DATES = ("birthDate", "deathDate")


class ListTooLarge(InvalidInput):
    code = "leads.list_too_large"
    status = 413


@dataclass(frozen=True)
class ListRow:
    line: int
    row_id: str
    properties: dict[str, list[str]]
    state: str | None = None
    country: str | None = None
    orders: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadOut:
    rows: list[ListRow] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)


def format_of(name: str) -> ListFormat:
    """The list format a file name says (``.csv``; ``.jsonl``/``.ndjson``/``.json``)."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    raise InvalidInput(f"cannot tell the list format of {name!r}: name it .csv or .jsonl")


def check_size(size: int, cap: int, *, where: str) -> None:
    if size > cap:
        raise ListTooLarge(
            f"the list is {size:,} bytes, above the cap of {cap:,} "
            "(JOINTPROBE_LEADS_LIST_MAX_BYTES); nothing imported; split it",
            where=where,
        )


def _cell(raw: dict[str, object], column: str) -> str | None:
    value = raw.get(column)
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _row(line: int, raw: dict[str, object], mapping: ListMapping) -> ListRow:
    """One row as a person, or :class:`InvalidInput` naming what is wrong with it."""
    props: dict[str, list[str]] = {}
    for prop, columns in mapping.properties.items():
        values = [v for c in columns if (v := _cell(raw, c)) is not None]
        if prop in _DATES:
            try:
                values = [normalise_date(v, order=mapping.date_order) for v in values]
            except InvalidDate as exc:
                raise InvalidInput(f"{prop}: {exc.message}") from None
        if values:
            props[prop] = values
    if not any(props.get(p) for p in ("name", "firstName", "lastName")):
        raise InvalidInput("no name")
    orders = {k: v for k, c in mapping.orders.items() if (v := _cell(raw, c)) is not None}
    if "date" in orders:
        try:
            orders["date"] = normalise_date(orders["date"], order=mapping.date_order)
        except InvalidDate as exc:
            raise InvalidInput(f"orders.date: {exc.message}") from None
    row_id = (_cell(raw, mapping.id_column) if mapping.id_column else None) or f"line-{line}"
    jur = {k: _cell(raw, c) for k, c in mapping.jurisdiction.items()}
    return ListRow(line, row_id, props, jur.get("state"), jur.get("country"), orders)


def _csv(text: str, mapping: ListMapping, where: str) -> Iterator[tuple[int, object]]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InvalidInput(f"the header cannot be read as CSV: {exc}", where=where) from None
    if header is None:
        raise InvalidInput("the list is empty", where=where)
    header = [h.strip() for h in header]
    mapping.check_header(header, where=where)
    while True:
        try:
            raw = next(reader, None)
        except csv.Error as exc:  # a field over the csv module's limit, a stray quote…
            raise InvalidInput(
                f"line {reader.line_num}: not CSV ({exc}); nothing imported", where=where
            ) from None
        if raw is None:
            return
        line = reader.line_num
        if not raw or not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            yield line, f"{len(raw)} fields, the header has {len(header)}"
        else:
            yield line, dict(zip(header, raw, strict=True))


def _jsonl(text: str, mapping: ListMapping, where: str) -> Iterator[tuple[int, object]]:
    checked = False
    for line, source in enumerate(text.splitlines(), start=1):
        if not source.strip():
            continue
        try:
            raw = json.loads(source)
        except json.JSONDecodeError as exc:
            yield line, f"malformed JSON: {exc.msg}"
            continue
        except ValueError:  # an integer above Python's digit limit (sys.int_info)
            yield line, "a number in it is too long to read"
            continue
        except RecursionError:
            yield line, "JSON nested too deep"
            continue
        if not isinstance(raw, dict):
            yield line, "not a JSON object"
            continue
        if not checked:  # the first object's keys stand for a header
            mapping.check_header([str(k) for k in raw], where=where)
            checked = True
        yield line, raw


def read_list(text: str, fmt: ListFormat, mapping: ListMapping, *, where: str) -> ReadOut:
    """The list's rows as people; bad rows reported by line and left out."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format is {fmt!r}; it must be one of {', '.join(FORMATS)}")
    out = ReadOut()
    seen: set[str] = set()
    source = _csv(text, mapping, where) if fmt == "csv" else _jsonl(text, mapping, where)
    for line, raw in source:
        if isinstance(raw, str):
            out.bad.append((line, raw))
            continue
        assert isinstance(raw, dict)
        try:
            row = _row(line, raw, mapping)
        except InvalidInput as exc:
            out.bad.append((line, exc.message))
            continue
        if row.row_id in seen:
            out.bad.append((line, f"repeats id {row.row_id!r}"))
            continue
        seen.add(row.row_id)
        out.rows.append(row)
    return out


def read_list_file(path: Path, mapping: ListMapping, *, cap: int) -> ReadOut:
    """:func:`read_list` of a file, its size checked against ``cap`` before it is read."""
    where = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidInput(f"cannot read the list: {exc.strerror}", where=where) from exc
    check_size(size, cap, where=where)
    fmt = format_of(path.name)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the list is not UTF-8 text (byte {exc.start})", where=where) from exc
    return read_list(text, fmt, mapping, where=where)


__all__ = [
    "FORMATS",
    "ListFormat",
    "ListRow",
    "ListTooLarge",
    "ReadOut",
    "check_size",
    "format_of",
    "read_list",
    "read_list_file",
]
