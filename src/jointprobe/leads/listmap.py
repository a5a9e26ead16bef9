"""The mapping of a seized customer list: which column fills which FtM ``Person`` property.

A mapping file is YAML::

    id: customer_no           # column naming each row (optional; else the line number)
    properties:               # FtM Person property: column (or a list of columns)
      name: full_name
      email: email
      phone: [phone, mobile]
      address: address
      birthDate: dob
      notes: remark
    jurisdiction:             # columns that say where the person is (each optional)
      state: state            # US state, two letters (``NY``) or the name (``New York``)
      country: country        # ISO code or name (``us``, ``USA``, ``United States``)
    orders:                   # the order history: field shown with the lead: column
      date: order_date
      product: item
      quantity: qty
      amount: paid
    date_order: mdy           # how to read 05/03/2017 in birthDate and orders.date
    phone_region: US          # default region for phone numbers without ``+`` (optional)
    customer_of: xt-ring      # entity of the case whose customers these are (optional)
    fictional: true           # the list is generated (demo, training): label every person

Columns are checked against the file's header before anything is read (the
same check as the linkage import's mapping, :meth:`jointprobe.resolve.mapping.
Mapping.check_header`); dates are read with the same rules
(:func:`jointprobe.entities.normalise.dates.normalise_date` and ``date_order``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from followthemoney import model

from jointprobe.entities.normalise.dates import DATE_ORDERS, DateOrder
from jointprobe.errors import InvalidInput
from jointprobe.resolve.mapping import Mapping

_PERSON = model["Person"]
#: what ``jurisdiction:`` may name
JURISDICTION_KEYS = ("state", "country")
#: properties a list row may not set: they are set by the import itself
_RESERVED = ("id",)


@dataclass(frozen=True)
class ListMapping:
    properties: dict[str, tuple[str, ...]]  # FtM property -> columns
    jurisdiction: dict[str, str] = field(default_factory=dict)  # state/country -> column
    orders: dict[str, str] = field(default_factory=dict)  # order field -> column
    id_column: str | None = None
    date_order: DateOrder | None = None
    phone_region: str | None = None
    customer_of: str | None = None
    fictional: bool = False

    def columns(self) -> dict[str, str]:
        """Every column the mapping reads, keyed by what it is for."""
        out = {f"{prop} {i + 1}": col for prop, cols in self.properties.items()
               for i, col in enumerate(cols)}  # fmt: skip
        out.update({f"jurisdiction.{k}": v for k, v in self.jurisdiction.items()})
        out.update({f"orders.{k}": v for k, v in self.orders.items()})
        if self.id_column:
            out["id"] = self.id_column
        return out

    def check_header(self, header: list[str], *, where: str) -> None:
        """Raise naming every mapped column the file does not have (nothing read yet)."""
        Mapping(self.columns()).check_header(header, where=where)


def _text(value: object, what: str, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise InvalidInput(
            f"{what} must be a column name (text); quote it "
            "(YAML reads no/yes/on/off as true/false)",
            where=where,
        )
    return str(value)


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise InvalidInput(f"'{key}:' must be a table of name: column", where=where)
    return value


def _properties(data: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    table = _table(data, "properties", where)
    unknown = sorted(str(p) for p in table if str(p) not in _PERSON.properties)
    if unknown:
        raise InvalidInput(
            f"Person has no property {', '.join(unknown)} (FtM names, e.g. name, email, "
            "phone, address, birthDate, nationality, notes)",
            where=where,
        )
    bad = sorted(str(p) for p in table if str(p) in _RESERVED or _PERSON.properties[p].stub)
    if bad:
        raise InvalidInput(f"property {', '.join(bad)} cannot be mapped from a list", where=where)
    out: dict[str, tuple[str, ...]] = {}
    for prop, cols in table.items():
        items = cols if isinstance(cols, list) else [cols]
        out[str(prop)] = tuple(_text(c, f"properties.{prop}", where) for c in items)
    if "name" not in out and not ({"firstName", "lastName"} & set(out)):
        raise InvalidInput("the mapping must give a name column (name or firstName/lastName)",
                           where=where)  # fmt: skip
    return out


def parse_list_mapping(data: object, *, where: str = "mapping") -> ListMapping:
    """A :class:`ListMapping` from parsed YAML, or :class:`InvalidInput` saying what is wrong."""
    if not isinstance(data, dict):
        raise InvalidInput("a list mapping is a YAML table with 'properties:'", where=where)
    known = {"id", "properties", "jurisdiction", "orders", "date_order", "phone_region",
             "customer_of", "fictional"}  # fmt: skip
    extra = sorted(str(k) for k in data if k not in known)
    if extra:
        raise InvalidInput(
            f"unknown key(s) {', '.join(extra)}; a list mapping has {', '.join(sorted(known))}",
            where=where,
        )
    jurisdiction = _table(data, "jurisdiction", where)
    wrong = sorted(str(k) for k in jurisdiction if k not in JURISDICTION_KEYS)
    if wrong:
        raise InvalidInput(f"jurisdiction: unknown key(s) {', '.join(wrong)}; it has state, "
                           "country", where=where)  # fmt: skip
    order = data.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        raise InvalidInput(
            f"date_order is {order!r}; it must be one of {', '.join(DATE_ORDERS)}", where=where
        )
    fictional = data.get("fictional", False)
    if not isinstance(fictional, bool):
        raise InvalidInput("fictional must be true or false", where=where)
    return ListMapping(
        properties=_properties(data, where),
        jurisdiction={str(k): _text(v, f"jurisdiction.{k}", where)
                      for k, v in jurisdiction.items()},
        orders={str(k): _text(v, f"orders.{k}", where)
                for k, v in _table(data, "orders", where).items()},
        id_column=_text(data["id"], "id", where) if data.get("id") is not None else None,
        date_order=order,
        phone_region=str(data["phone_region"]) if data.get("phone_region") else None,
        customer_of=str(data["customer_of"]) if data.get("customer_of") else None,
        fictional=fictional,
    )  # fmt: skip


def read_list_mapping(text: str, *, where: str = "mapping") -> ListMapping:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"mapping is not valid YAML: {exc}", where=where) from exc
    except RecursionError:
        raise InvalidInput("mapping is nested too deep", where=where) from None
    except ValueError:  # an integer above Python's digit limit (sys.int_info)
        raise InvalidInput("mapping has a number too long to read", where=where) from None
    return parse_list_mapping(data, where=where)


def load_list_mapping(path: Path) -> ListMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read mapping: {exc.strerror}", where=str(path)) from exc
    return read_list_mapping(text, where=str(path))


__all__ = ["ListMapping", "load_list_mapping", "parse_list_mapping", "read_list_mapping"]
