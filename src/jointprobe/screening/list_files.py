"""Read a list file into entities: OFAC ``sdn.csv`` or FollowTheMoney JSON lines.

An FtM list (the format OpenSanctions publishes) gets its ids prefixed with
the list's name (``mylist-Q123``), references between its entities rewritten
alike, so that two lists that both hold ``Q123`` do not collide. OFAC ids
(``ofac-sdn-36``) are the list's own and are kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from followthemoney.proxy import EntityProxy

from jointprobe.entities.ftm import parse_entity
from jointprobe.errors import InvalidInput, JointprobeError
from jointprobe.resolve.importers.ofac_sdn import SdnReport, parse_sdn

FORMATS = ("ofac", "ftm")
MAX_LINE = 1_000_000  # bytes: an FtM entity of a sanctions list is a few kB


@dataclass
class ReadResult:
    entities: list[EntityProxy] = field(default_factory=list)
    rows: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, why)


def _prefixed(prefix: str, entity_id: str) -> str:
    return entity_id if entity_id.startswith(prefix) else f"{prefix}{entity_id}"[:128]


def _rename(proxy: EntityProxy, prefix: str) -> EntityProxy:
    data = proxy.to_dict()
    data["id"] = _prefixed(prefix, str(proxy.id))
    for prop in proxy.schema.properties.values():
        if prop.type.name == "entity" and prop.name in data["properties"]:
            data["properties"][prop.name] = [
                _prefixed(prefix, v) for v in data["properties"][prop.name]
            ]
    return parse_entity(data)


def _ftm_lines(path: Path, result: ReadResult) -> Iterator[tuple[int, EntityProxy]]:
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            result.rows += 1
            where = f"{path.name}:{number}"
            if len(text) > MAX_LINE:
                result.errors.append((where, f"line longer than {MAX_LINE} bytes"))
                continue
            try:
                yield number, parse_entity(json.loads(text), where=where)
            except json.JSONDecodeError as exc:
                result.errors.append((where, f"not a JSON object: {exc.msg}"))
            except JointprobeError as exc:
                result.errors.append((where, exc.message))


def read_ftm_list(
    path: Path, name: str, on_entity: Callable[[int], None] | None = None
) -> ReadResult:
    """Every entity of an FtM JSON-lines file, ids prefixed with ``name-``."""
    result = ReadResult()
    seen: set[str] = set()
    for number, proxy in _ftm_lines(path, result):
        renamed = _rename(proxy, f"{name}-")
        if renamed.id in seen:
            result.errors.append((f"{path.name}:{number}", f"duplicate id {proxy.id!r}"))
            continue
        seen.add(str(renamed.id))
        result.entities.append(renamed)
        if on_entity is not None:
            on_entity(len(result.entities))
    return result


def read_ofac_list(path: Path, on_entity: Callable[[int], None] | None = None) -> ReadResult:
    """Every entity of an OFAC ``sdn.csv``."""
    result = ReadResult()
    report = SdnReport()
    for proxy in parse_sdn(path, report):
        result.entities.append(proxy)
        if on_entity is not None:
            on_entity(len(result.entities))
    result.rows = report.rows
    result.errors = [(f"{path.name}:{n}", why) for n, why in report.skipped]
    return result


def read_list(
    path: Path, name: str, fmt: str, on_entity: Callable[[int], None] | None = None
) -> ReadResult:
    """Read ``path`` as ``fmt``; a file with no entity at all is refused (wrong format?)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown list format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise InvalidInput(f"no such file {path}", where=str(path))
    try:
        result = (
            read_ofac_list(path, on_entity)
            if fmt == "ofac"
            else read_ftm_list(path, name, on_entity)
        )
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text ({exc.reason})", where=str(path)) from exc
    if not result.entities:
        first = "; ".join(f"{w}: {why}" for w, why in result.errors[:3]) or "the file is empty"
        raise InvalidInput(f"no entity read as {fmt} ({first}); nothing imported", where=str(path))
    return result
