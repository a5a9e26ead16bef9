"""Read batch files (.smi, .sdf, .csv/.tsv) as ``(line, structure)`` rows.

Line numbers are 1-based and point at the line where the record starts, so a
bad row can be found in the file. SDF records are passed on as MOL blocks.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from jointprobe.errors import InvalidInput

FORMATS = ("smi", "sdf", "csv", "tsv")
_STRUCTURE_COLUMNS = ("smiles", "structure", "inchi", "molecule", "mol")


def batch_format(path: Path) -> str:
    suffixes = [s.lower().lstrip(".") for s in path.suffixes if s.lower() != ".gz"]
    ext = suffixes[-1] if suffixes else ""
    if ext in ("smi", "smiles", "txt"):
        return "smi"
    if ext in ("sdf", "sd", "mol"):
        return "sdf"
    if ext in ("csv", "tsv"):
        return ext
    raise InvalidInput(
        f"cannot tell the format of {path.name}: use .smi, .sdf, .csv or .tsv", where=str(path)
    )


def _open(path: Path) -> IO[str]:
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def read_batch(path: Path) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, structure_text)`` for every record of a batch file."""
    fmt = batch_format(path)
    with _open(path) as handle:
        if fmt == "smi":
            yield from _smi_rows(handle)
        elif fmt == "sdf":
            yield from _sdf_records(handle)
        else:
            yield from _table_rows(handle, "\t" if fmt == "tsv" else ",", path)


def _smi_rows(handle: IO[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(handle, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        yield number, text.split()[0] if (" " in text or "\t" in text) else text


def _sdf_records(handle: IO[str]) -> Iterator[tuple[int, str]]:
    start = 1
    lines: list[str] = []
    for number, line in enumerate(handle, start=1):
        if line.startswith("$$$$"):
            if any(x.strip() for x in lines):
                yield start, "".join(lines)
            lines = []
            start = number + 1
            continue
        lines.append(line)
    if any(x.strip() for x in lines):
        yield start, "".join(lines)


def _table_rows(handle: IO[str], delimiter: str, path: Path) -> Iterator[tuple[int, str]]:
    reader = csv.reader(handle, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        return
    names = [h.strip().lower() for h in header]
    column = next((names.index(c) for c in _STRUCTURE_COLUMNS if c in names), None)
    if column is None:
        raise InvalidInput(
            f"no structure column in the header (expected one of {', '.join(_STRUCTURE_COLUMNS)})",
            where=f"{path.name}, line 1",
        )
    for row in reader:
        number = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        yield number, row[column].strip() if column < len(row) else ""
