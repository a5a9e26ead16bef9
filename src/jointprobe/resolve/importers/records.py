"""Read linkage records from CSV (with a mapping) or FtM JSON lines, streaming.

Bad rows are reported with their line number and reason and left out; with
``strict`` the first bad row stops the read with an error and nothing is
returned. Only the mapped columns are kept, so memory grows with the rows
kept, not with the width or size of the file.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jointprobe.entities.ftm import parse_entity
from jointprobe.entities.normalise.dates import InvalidDate, normalise_date
from jointprobe.errors import InvalidInput, JointprobeError
from jointprobe.resolve.mapping import Mapping

_FTM_ROLES = {
    "name": ("name",),
    "dob": ("birthDate", "incorporationDate"),
    "phone": ("phone",),
    "email": ("email",),
    "city": ("birthPlace", "address"),
    "country": ("nationality", "country", "jurisdiction"),
    "id_number": ("idNumber", "passportNumber", "registrationNumber"),
}


@dataclass
class ReadReport:
    rows: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _fail(report: ReadReport, strict: bool, line: int, reason: str, where: str) -> None:
    if strict:
        raise InvalidInput(f"line {line}: {reason} (--strict: nothing imported)", where=where)
    report.errors.append((line, reason))


def read_csv(
    path: Path,
    mapping: Mapping,
    *,
    strict: bool = False,
    on_row: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, ReadReport]:
    """Records of a CSV file, renamed to roles by ``mapping``."""
    report = ReadReport()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    where = str(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise InvalidInput("the file is empty", where=where)
        mapping.check_header(header, where=where)
        index = {role: header.index(col) for role, col in mapping.columns.items()}
        for line, raw in enumerate(reader, start=2):
            if on_row is not None:
                on_row(line)
            if not raw or not any(cell.strip() for cell in raw):
                continue
            if len(raw) != len(header):
                _fail(report, strict, line, f"{len(raw)} fields, header has {len(header)}", where)
                continue
            record = {role: raw[i].strip() or None for role, i in index.items()}
            uid = record["unique_id"]
            try:
                if record.get("dob"):
                    record["dob"] = normalise_date(str(record["dob"]), order=mapping.date_order)
            except InvalidDate as exc:
                _fail(report, strict, line, f"dob: {exc.message}", where)
                continue
            if not uid:
                _fail(report, strict, line, "no unique_id", where)
            elif uid in seen:
                _fail(report, strict, line, f"duplicate unique_id {uid!r}", where)
            else:
                seen.add(uid)
                rows.append(record)
    report.rows = len(rows)
    return pd.DataFrame(rows, columns=list(mapping.columns)), report


def read_ftm(
    path: Path, *, strict: bool = False, on_row: Callable[[int], None] | None = None
) -> tuple[pd.DataFrame, ReadReport]:
    """Person/LegalEntity records of an FtM JSON-lines file (one row per entity)."""
    report = ReadReport()
    rows: list[dict[str, Any]] = []
    where = str(path)
    with path.open(encoding="utf-8") as handle:
        for line, text in enumerate(handle, start=1):
            if on_row is not None:
                on_row(line)
            if not text.strip():
                continue
            try:
                proxy = parse_entity(json.loads(text), where=f"{where}:{line}")
            except json.JSONDecodeError as exc:
                _fail(report, strict, line, f"malformed JSON: {exc.msg}", where)
                continue
            except JointprobeError as exc:
                _fail(report, strict, line, exc.message, where)
                continue
            if not proxy.schema.is_a("LegalEntity"):
                continue
            record: dict[str, Any] = {"unique_id": proxy.id}
            for role, props in _FTM_ROLES.items():
                values = [v for p in props for v in proxy.get(p, quiet=True)]
                record[role] = values[0] if values else None
            rows.append(record)
    report.rows = len(rows)
    return pd.DataFrame(rows, columns=["unique_id", *_FTM_ROLES]), report
