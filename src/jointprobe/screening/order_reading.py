"""Read orders from CSV or JSON lines, one order per line.

CSV headers name the fields with dots for nested ones (``buyer.name``,
``substance.cas``); ``transit_countries`` is a list separated by ``;``. JSON
lines hold one :class:`~jointprobe.screening.orders.OrderIn` object per line.
A bad line yields an error naming the line and the field; the rest are read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from jointprobe.errors import InvalidInput
from jointprobe.screening.orders import Order, OrderIn, to_order

MAX_LINE_CHARS = 64_000
MAX_ORDERS = 10_000


@dataclass(frozen=True, slots=True)
class ReadOrder:
    """One line of input: an order, or the error that kept it out."""

    line: int
    order: Order | None = None
    error: InvalidInput | None = None


def validation_error(exc: ValidationError, where: str | None) -> InvalidInput:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'order'}: {e['msg']}" for e in exc.errors()
    )
    return InvalidInput(problems, where=where)


def parse_order(raw: Any, line: int | None = None, *, where: str | None = None) -> Order:
    """Validate one order (a mapping); raise InvalidInput naming where it is and the field."""
    where = where or (f"line {line}" if line is not None else None)
    if not isinstance(raw, dict):
        raise InvalidInput("an order must be a JSON object", where=where)
    try:
        return to_order(OrderIn.model_validate(raw))
    except ValidationError as exc:
        raise validation_error(exc, where) from None


def _nest(row: dict[str, str]) -> dict[str, Any]:
    if sum(len(v) for v in row.values() if isinstance(v, str)) > MAX_LINE_CHARS:
        raise InvalidInput(f"row longer than {MAX_LINE_CHARS} characters")
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            raise InvalidInput("more values than columns")
        if value is None or not value.strip():
            continue
        head, _, tail = key.strip().partition(".")
        if tail:
            out.setdefault(head, {})[tail] = value
        else:
            out[head] = value
    return out


def _csv_rows(text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    while True:
        start = reader.line_num + 1  # where the next row begins
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the size limit: this row only
            yield start, InvalidInput(f"not CSV: {exc}")
            continue
        try:
            yield reader.line_num, _nest(row)
        except InvalidInput as exc:
            yield reader.line_num, exc


def _jsonl_rows(text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield number, InvalidInput(f"line longer than {MAX_LINE_CHARS} characters")
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield number, InvalidInput(f"not JSON: {exc}")


def read_orders_text(text: str, fmt: str) -> Iterator[ReadOrder]:
    """Orders from ``text`` in ``fmt`` (``csv`` or ``jsonl``), one outcome per line."""
    rows: Iterable[tuple[int, Any]] = _csv_rows(text) if fmt == "csv" else _jsonl_rows(text)
    for count, (line, raw) in enumerate(rows, start=1):
        if count > MAX_ORDERS:
            yield ReadOrder(
                line,
                error=InvalidInput(
                    f"more than {MAX_ORDERS} orders; split the file", where=f"line {line}"
                ),
            )
            return
        if isinstance(raw, InvalidInput):
            raw.where = f"line {line}"
            yield ReadOrder(line, error=raw)
            continue
        try:
            yield ReadOrder(line, order=parse_order(raw, line))
        except InvalidInput as exc:
            yield ReadOrder(line, error=exc)


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise InvalidInput("give a .csv or a .jsonl file (one order per line)", where=str(path))


def read_orders(path: Path) -> list[ReadOrder]:
    """Every line of an order file; the file is read whole so nothing is half-screened."""
    fmt = format_of(path)
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read: {exc}", where=str(path)) from None
    return list(read_orders_text(text, fmt))
