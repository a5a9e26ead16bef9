"""A case's (or an expansion's) releasable entities as FollowTheMoney JSON lines.

One entity per line, as the node stores it (``id``, ``schema``, ``properties``),
plus a ``marking`` object (the item's marking as the exchange writes it, and its
banner): FtM keeps keys it does not know as the entity's context, so
``followthemoney`` and Aleph read the lines as they are and the marking travels.
A property naming another entity (an Ownership's ``owner``, a wallet's
``holder``) keeps only the entities the file holds: the id of one withheld,
or of a case the exporter may not see, does not leave.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from followthemoney import model, registry

from jointprobe.interop.release import Release


def _properties(schema: str, properties: dict[str, Any], kept: Release) -> dict[str, Any]:
    """``properties`` with references to entities not in the file dropped."""
    known = model.get(schema)
    out: dict[str, Any] = {}
    for name, values in properties.items():
        prop = None if known is None else known.get(name)
        if prop is None or prop.type == registry.entity:
            values = [value for value in values if value in kept.entities]
        if values:
            out[name] = values
    return out


def ftm_lines(release: Release) -> Iterator[bytes]:
    """Each released entity as one JSON line (with its newline)."""
    for item in release.entities.values():
        row = item.entity
        marking = item.marking.to_dict() | {"banner": item.marking.banner()}
        if row.fictional:
            marking["fictional"] = True
        properties = _properties(row.schema, row.properties, release)
        line = {"id": row.id, "schema": row.schema, "properties": properties,
                "marking": marking}  # fmt: skip
        yield orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n"


__all__ = ["ftm_lines"]
