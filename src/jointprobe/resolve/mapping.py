"""Column mappings for imports: which CSV column plays which role.

A mapping file is YAML::

    columns:            # role: column in the file
      unique_id: record_no
      name: full_name
      dob: birth_date
      phone: tel
    phone_region: CN    # default region for national phone numbers (optional)
    date_order: dmy     # how to read 05/03/1967 in the dob column: dmy or mdy (optional)

Dates of birth are read as ISO 8601 (``1967/03/05``, ``19670305`` and
``1967-03-05`` are one date); a day-and-month-first date whose order the
numbers do not decide is refused unless ``date_order`` says it.

Roles are those of :data:`jointprobe.resolve.linkage.features.ROLES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from jointprobe.entities.normalise.dates import DATE_ORDERS, DateOrder
from jointprobe.errors import InvalidInput
from jointprobe.resolve.linkage.features import ROLES


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str]  # role -> source column
    phone_region: str | None = None
    date_order: DateOrder | None = None

    def check_header(self, header: list[str], *, where: str) -> None:
        """Raise naming every mapped column the file does not have."""
        missing = [
            f"{col!r} (for {role})" for role, col in self.columns.items() if col not in header
        ]
        if missing:
            raise InvalidInput(
                f"the file has no column {', '.join(missing)}; it has {', '.join(header)}",
                where=where,
            )


def parse_mapping(data: object, *, where: str = "mapping") -> Mapping:
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise InvalidInput("a mapping needs a 'columns:' table of role: column", where=where)
    bad = [str(k) for k, v in data["columns"].items() if not isinstance(v, str | int)]
    bad += [str(k) for k, v in data["columns"].items() if isinstance(v, bool)]
    if bad:
        raise InvalidInput(
            f"column name for {', '.join(sorted(set(bad)))} is not text; quote it "
            "(YAML reads no/yes/on/off as true/false)",
            where=where,
        )
    columns = {str(k): str(v) for k, v in data["columns"].items()}
    unknown = sorted(set(columns) - set(ROLES))
    if unknown:
        raise InvalidInput(
            f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}", where=where
        )
    if "unique_id" not in columns:
        raise InvalidInput("the mapping must name the 'unique_id' column", where=where)
    if not ({"name", "first_name", "last_name"} & set(columns)):
        raise InvalidInput("the mapping must name a name column (name or first/last)", where=where)
    region = data.get("phone_region")
    order = data.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        raise InvalidInput(
            f"date_order is {order!r}; it must be one of {', '.join(DATE_ORDERS)}", where=where
        )
    return Mapping(columns, str(region) if region else None, order)


def load_mapping(path: Path) -> Mapping:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read mapping: {exc.strerror}", where=str(path)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"mapping is not valid YAML: {exc}", where=str(path)) from exc
    return parse_mapping(data, where=str(path))
