"""Strict reading of FollowTheMoney entity dicts: every problem is named.

FtM itself drops unknown properties and unparseable values silently; an
import must not, so each is reported with the property and value at fault.
"""

from __future__ import annotations

from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from jointprobe.errors import InvalidEntity


def parse_entity(data: Any, *, where: str | None = None) -> EntityProxy:
    if not isinstance(data, dict):
        raise InvalidEntity("an entity must be a JSON object", where=where)
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise InvalidEntity("entity has no 'id'", where=where)
    schema_name = data.get("schema")
    schema = model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        raise InvalidEntity(f"unknown schema {schema_name!r}", where=where)
    if schema.abstract:
        raise InvalidEntity(f"schema {schema.name} is abstract; use a concrete one", where=where)
    props = data.get("properties", {})
    if not isinstance(props, dict):
        raise InvalidEntity("'properties' must be an object", where=where)
    proxy = model.make_entity(schema)
    proxy.id = entity_id.strip()
    for name, values in props.items():
        prop = schema.get(name)
        if prop is None:
            raise InvalidEntity(f"schema {schema.name} has no property {name!r}", where=where)
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            raise InvalidEntity(f"property {name!r} must be a string or a list", where=where)
        for value in values:
            if not isinstance(value, str):
                raise InvalidEntity(f"property {name!r} has a non-string value", where=where)
            if prop.type.clean(value, proxy=proxy) is None:
                raise InvalidEntity(
                    f"invalid {prop.type.name} for {name!r}: {value!r}", where=where
                )
            proxy.add(prop, value)
    return proxy
