"""A case's releasable entities as FollowTheMoney JSON lines.

One entity per line, as the node stores it (``id``, ``schema``, ``properties``),
plus a ``marking`` object (the item's marking as the exchange writes it, and its
banner): FtM keeps keys it does not know as the entity's context, so
``followthemoney`` and Aleph read the lines as they are and the marking travels.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from jointprobe.interop.release import CaseRelease


def ftm_lines(release: CaseRelease) -> Iterator[bytes]:
    """Each released entity as one JSON line (with its newline)."""
    for item in release.entities.values():
        row = item.entity
        marking = item.marking.to_dict() | {"banner": item.marking.banner()}
        if row.fictional:
            marking["fictional"] = True
        line = {"id": row.id, "schema": row.schema, "properties": row.properties,
                "marking": marking}  # fmt: skip
        yield orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n"


__all__ = ["ftm_lines"]
