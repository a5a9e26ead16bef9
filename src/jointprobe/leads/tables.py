"""Routing tables: which office works the leads of which region, one table per node.

A table is YAML (``field_offices.yaml`` is the packaged US one)::

    version: 1                 # optional; 1 is the only version
    country: CN                # optional; whom bare codes and the notes speak of
    region_kind: province      # optional; the word the notes use ("state", "province")
    default: {id: unrouted, name: "Unrouted leads (…)", note: "held for …"}
    offices:
      hebei-psd: {name: "Hebei Provincial Public Security Department", regions: [CN-HE]}

``regions`` are ISO 3166-2 codes (``CN-HE``, ``US-NY``) or a whole country or
territory by its ISO 3166-1 code (``HK``). The older ``states`` key lists USPS
codes (``NY``) of the table's country (US unless ``country`` says otherwise) and
means the same as ``regions: [US-NY]``. :func:`validate_table` is the one check:
each error's ``detail`` names the file and the key at fault (for the operator: the
node's log, the CLI); its ``message``, which API callers and referral timelines see,
names only the setting.

Which table a node uses (:func:`node_table`): the file the setting
``JOINTPROBE_LEADS_ROUTING_FILE`` names, else the packaged table for the node's
country (:data:`PACKAGED`), else a table with no office, whose default queue is
named for the node and whose note says no routing table is configured.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.entities.normalise import normalise_country
from jointprobe.errors import InvalidInput, InvalidSelector
from jointprobe.logs import log_event
from jointprobe.store.tables import NodeIdentity

DEFAULT_QUEUE = "unrouted"
#: the packaged table for a node's country (ISO 3166-1 alpha-2, upper case)
PACKAGED = {"US": "field_offices.yaml", "CN": "field_offices_cn.yaml"}
#: largest routing table file read, in bytes
MAX_TABLE_BYTES = 1_000_000
_OFFICE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}\Z")
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}\Z")
_TWO = re.compile(r"^[A-Z]{2}\Z")
_TOP_KEYS = {"version", "country", "region_kind", "default", "offices"}
SETTING = "JOINTPROBE_LEADS_ROUTING_FILE"
#: what API callers and referral timelines are told: never the file's path or content
INVALID_MESSAGE = (
    f"the node's lead routing table ({SETTING}) is invalid; the operator has been told "
    "(see the node's log)"
)
_LOG = logging.getLogger(__name__)


class RoutingTableInvalid(InvalidInput):
    """The node's routing table cannot be used: its operator must fix the file.

    ``message`` is :data:`INVALID_MESSAGE` (API answers, timelines); ``detail`` names the
    file, the key and the problem, for the operator only (the node's log, the CLI).
    """

    code = "leads.routing_table_invalid"
    status = 500
    exit_code = 7

    def __init__(self, detail: str, *, key: str = "(file)") -> None:
        super().__init__(INVALID_MESSAGE, where=SETTING)
        self.detail = detail
        self.key = key


@dataclass(frozen=True)
class Office:
    id: str
    name: str


@dataclass(frozen=True)
class Route:
    """Where one lead goes; ``note`` says why when it went to the default queue."""

    office: Office
    state: str | None  # the region code (a USPS code for the US, HE for CN-HE)
    note: str | None = None

    @property
    def routed(self) -> bool:
        return self.note is None


@dataclass(frozen=True)
class RoutingTable:
    offices: dict[str, Office]
    #: ISO 3166-2 code (``US-NY``), or a whole country's ISO 3166-1 code (``HK``) -> office
    by_region: dict[str, Office]
    default: Office
    default_note: str
    country: str | None = None
    region_kind: str = "region"
    source: str = "routing table"

    @classmethod
    def from_dict(cls, data: Any, source: str = "routing table") -> RoutingTable:
        return validate_table(data, source)

    @property
    def by_state(self) -> dict[str, Office]:
        """The table's regions in its own country, by their code without the country."""
        prefix = f"{self.country}-"
        return {k[len(prefix) :]: o for k, o in self.by_region.items() if k.startswith(prefix)}

    def covers_country(self, country: str) -> bool:
        """Whether the table names ``country`` as a whole (``HK``), or is for it."""
        code = country.upper()
        return code == self.country or code in self.by_region

    def route(self, state: str | None, country: str | None = None) -> Route:
        """The office for a region (``NY``, or ``CN-HE``) of ``country`` (default: the
        table's), or the whole country; else the default queue saying why."""
        if not self.by_region:
            return Route(self.default, state.strip().upper() if state else None, self.default_note)
        where = (country or self.country or "").upper()
        whole = self.by_region.get(where)
        if not state:
            if whole is not None:
                return Route(whole, None)
            kind = f"{where} {self.region_kind}" if where else self.region_kind
            return Route(
                self.default, None, f"no {kind} in the lead's address; {self.default_note}"
            )
        code = state.strip().upper()
        key = code if "-" in code or not where else f"{where}-{code}"
        office = self.by_region.get(key) or whole
        if office is None:
            note = (
                f"no field office for {self.region_kind} {code!r} in the routing table "
                f"({self.source}); {self.default_note}"
            )
            return Route(self.default, code, note)
        return Route(office, code)


def _bad(source: str, key: str, problem: str) -> RoutingTableInvalid:
    return RoutingTableInvalid(f"routing table {source}: {key}: {problem}", key=key)


def _kind(value: Any) -> str:
    """What a YAML value is, without ``str()`` of it: aliases make a 1 MB file a tree of
    billions of nodes, which ``str`` or ``repr`` would expand ("billion laughs")."""
    if isinstance(value, str):
        return repr(value[:40] + ("…" if len(value) > 40 else ""))
    if isinstance(value, bool | int | float) or value is None:
        return repr(value)[:40]
    return f"a {type(value).__name__}"


def _text(value: Any, source: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 300:
        raise _bad(source, key, "must be a non-empty text of at most 300 characters")
    return value.strip()


def _is_country(code: str) -> bool:
    try:
        return normalise_country(code) == code.lower()
    except InvalidSelector:
        return False


def _country_of(data: dict[str, Any], source: str) -> str | None:
    if "country" not in data:
        return None
    value = data["country"]
    code = value.strip().upper() if isinstance(value, str) else ""
    if not _TWO.match(code) or not _is_country(code):
        raise _bad(source, "country", f"{_kind(value)} is not an ISO 3166-1 alpha-2 code")
    return code


def _regions(oid: str, spec: dict[str, Any], country: str | None, source: str) -> list[str]:
    """The office's regions as ISO 3166-2 codes or whole countries."""
    if ("regions" in spec) == ("states" in spec):
        raise _bad(source, f"offices.{oid}", "give either regions or states (not both, not none)")
    key = "regions" if "regions" in spec else "states"
    items = spec[key]
    if not isinstance(items, list):
        raise _bad(source, f"offices.{oid}.{key}", "must be a list of codes")
    out = []
    for i, item in enumerate(items):
        where = f"offices.{oid}.{key}[{i}]"
        if not isinstance(item, str):
            raise _bad(source, where, f"{_kind(item)} is not a code (a text such as CN-HE)")
        code = item.strip().upper()
        if key == "states":
            if not _TWO.match(code):
                raise _bad(source, where, f"{_kind(item)} is not a two-letter state code")
            out.append(f"{country or 'US'}-{code}")
        elif _SUBDIVISION.match(code):
            if country and not code.startswith(f"{country}-"):
                raise _bad(source, where, f"{code} is not in the table's country {country}")
            out.append(code)
        elif _TWO.match(code) and _is_country(code):
            out.append(code)
        else:
            raise _bad(source, where, f"{_kind(item)} is neither an ISO 3166-2 code (CN-HE) nor a "
                       "country or territory code (HK)")  # fmt: skip
    return out


def _office(oid: Any, spec: Any, source: str) -> Office:
    if not isinstance(oid, str) or not _OFFICE_ID.match(oid):
        raise _bad(source, f"offices.{oid}", "an office id is 1-40 of a-z 0-9 . _ - (lower case)")
    if not isinstance(spec, dict):
        raise _bad(source, f"offices.{oid}", "must be a mapping with name and regions")
    unknown = sorted(set(map(str, spec)) - {"name", "regions", "states"})  # keys: scalars
    if unknown:
        raise _bad(source, f"offices.{oid}", f"unknown key(s) {', '.join(unknown)}")
    return Office(oid, _text(spec.get("name"), source, f"offices.{oid}.name"))


def _default(data: dict[str, Any], source: str) -> tuple[Office, str]:
    spec = data.get("default")
    if not isinstance(spec, dict):
        raise _bad(source, "default", "must be a mapping with id, name and note")
    oid = spec.get("id")
    if not isinstance(oid, str) or not _OFFICE_ID.match(oid):
        raise _bad(source, "default.id", "an office id is 1-40 of a-z 0-9 . _ - (lower case)")
    name = _text(spec.get("name"), source, "default.name")
    return Office(oid, name), _text(spec.get("note"), source, "default.note")


def validate_table(data: Any, source: str = "routing table") -> RoutingTable:
    """The routing table ``data`` (parsed YAML) describes; ``source`` names it in errors."""
    if not isinstance(data, dict):
        raise _bad(source, "(top)", "must be a mapping with default and offices")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise _bad(source, "(top)", f"unknown key(s) {', '.join(unknown)}")
    if data.get("version", 1) != 1:
        raise _bad(source, "version", f"{_kind(data['version'])}: only version 1 is known")
    country = _country_of(data, source)
    default, note = _default(data, source)
    spec = data.get("offices")
    if not isinstance(spec, dict):
        raise _bad(source, "offices", "must be a mapping of office id to name and regions")
    offices: dict[str, Office] = {}
    by_region: dict[str, Office] = {}
    has_states = False
    for oid, office_spec in spec.items():
        offices[oid] = _office(oid, office_spec, source)
        has_states = has_states or "states" in office_spec
        for code in _regions(oid, office_spec, country, source):
            if code in by_region:
                raise _bad(source, f"offices.{oid}", f"{code} is assigned to two offices "
                           f"({by_region[code].id}, {oid})")  # fmt: skip
            by_region[code] = offices[oid]
    if country is None:
        prefixes = {k.split("-")[0] for k in by_region if "-" in k}
        country = "US" if has_states else (prefixes.pop() if len(prefixes) == 1 else None)
    kind = data.get("region_kind", "state" if has_states else "region")
    kind = _text(kind, source, "region_kind")
    return RoutingTable(offices, by_region, default, note, country, kind, source)


def load_table(path: Path | None = None) -> RoutingTable:
    """The routing table in the file ``path``, or the packaged US table."""
    if path is None:
        return _packaged(PACKAGED["US"])
    try:
        if path.stat().st_size > MAX_TABLE_BYTES:
            raise _bad(str(path), "(file)", f"larger than {MAX_TABLE_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _bad(str(path), "(file)", f"cannot be read: {exc}") from exc
    return _parse(text, str(path))


def _parse(text: str, source: str) -> RoutingTable:
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as exc:
        raise _bad(source, "(file)", f"not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise _bad(source, "(file)", "nested too deeply to read") from exc
    try:
        return validate_table(data, source)
    except RecursionError as exc:
        raise _bad(source, "(file)", "nested too deeply to check") from exc


@lru_cache(maxsize=len(PACKAGED))
def _packaged(name: str) -> RoutingTable:
    text = resources.files(__package__).joinpath(name).read_text("utf-8")
    return _parse(text, f"jointprobe/leads/{name}")


def unconfigured_table(node_id: str, node_name: str, country: str) -> RoutingTable:
    """A table with no office: every domestic lead in a queue named for the node."""
    note = (
        f"no routing table is configured for this node (country {country or '?'}; set "
        "JOINTPROBE_LEADS_ROUTING_FILE); held for manual assignment"
    )
    queue = Office(DEFAULT_QUEUE, f"Unrouted leads ({node_name or node_id})")
    return RoutingTable({}, {}, queue, note, country or None, "region", "none configured")


def _configured(path: Path, country: str) -> RoutingTable:
    table = load_table(path)
    if table.country and country and table.country != country:
        raise _bad(str(path), "country", f"the table is for {table.country} and this node "
                   f"is in {country}")  # fmt: skip
    return table


def table_for(path: Path | None, identity: NodeIdentity | None) -> RoutingTable:
    """The table a node with ``identity`` uses, ``path`` (the setting) first; a file that
    cannot be used is logged in full (``leads.routing_table_invalid``, with its path, key
    and problem) and raised as :class:`RoutingTableInvalid`, whose message does not say
    them."""
    country = identity.country.upper() if identity is not None else ""
    if path is not None:
        try:
            return _configured(path, country)
        except RoutingTableInvalid as exc:
            log_event(_LOG, "leads.routing_table_invalid", logging.ERROR, setting=SETTING,
                      file=str(path), key=exc.key, detail=exc.detail)  # fmt: skip
            raise
    if country in PACKAGED:
        return _packaged(PACKAGED[country])
    if identity is None:
        return unconfigured_table("this node", "", country)
    return unconfigured_table(identity.id, identity.name, country)


def node_table(session: Session, path: Path | None = None) -> RoutingTable:
    """The routing table of the node whose database ``session`` opens."""
    return table_for(path, session.scalar(select(NodeIdentity)))


__all__ = [
    "DEFAULT_QUEUE",
    "INVALID_MESSAGE",
    "MAX_TABLE_BYTES",
    "PACKAGED",
    "Office",
    "Route",
    "RoutingTable",
    "RoutingTableInvalid",
    "load_table",
    "node_table",
    "table_for",
    "unconfigured_table",
    "validate_table",
]
