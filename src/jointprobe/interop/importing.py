"""Import a STIX 2.1 bundle or a MISP event into a case: all of the file, or nothing.

The file is refused before it is read when it is over the size cap
(``JOINTPROBE_INTEROP_MAX_IMPORT_BYTES``), and refused whole when it is not
JSON, not the format named, or when any entity made of it fails the store's
checks (a bad phone number, an id taken): :func:`import_document` raises and
writes nothing, and the caller's transaction rolls back. A file imported into
a case twice is refused the second time (its entities' ids are derived from
the case and the file's own ids).

Imported items are not ours to pass on: each is held with the publisher as
its originator (``ext.stix.<digest>`` / ``ext.misp.<digest>`` of the
publishing identity or organisation) and no onward disclosure without its
consent, so an export for a peer withholds them (``may_release``), unless
they are TLP:CLEAR.
"""

from __future__ import annotations

import enum
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.service import visible_case
from jointprobe.entities.write import EntityIdUnavailable, NewEntity, prepare, write
from jointprobe.errors import Conflict
from jointprobe.interop.candidates import Subjects
from jointprobe.interop.errors import InteropFileTooLarge, InvalidInteropFile
from jointprobe.interop.misp_import import read_event
from jointprobe.interop.stix_import import bundle_publisher, read_bundle
from jointprobe.store.tables import User


class ImportFormat(enum.Enum):
    STIX = "stix"
    MISP = "misp"


@dataclass
class InteropImport:
    """What a file brought into a case."""

    case_id: str
    format: ImportFormat
    entities: int = 0
    selectors: int = 0
    by_tlp: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)


def check_size(size: int, max_bytes: int, where: str | None = None) -> None:
    """Refuse a document of ``size`` bytes over the import limit."""
    if size > max_bytes:
        raise InteropFileTooLarge(
            f"the document has {size:,} bytes, over the import limit of {max_bytes:,} "
            "(JOINTPROBE_INTEROP_MAX_IMPORT_BYTES)",
            where=where,
        )


def read_json(raw: bytes, max_bytes: int) -> Any:
    """The JSON document in ``raw``; too large or not JSON is a clear error."""
    check_size(len(raw), max_bytes)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInteropFile(f"not JSON: {exc}") from None


def read_json_file(path: Path, max_bytes: int) -> Any:
    """Like :func:`read_json`, checking the size before reading."""
    check_size(path.stat().st_size, max_bytes, where=str(path))
    return read_json(path.read_bytes(), max_bytes)


def outside_originator(import_format: ImportFormat, publisher: str) -> str:
    """A node-id-shaped name for a publisher outside the exchange (``ext.misp.1a2b…``)."""
    digest = hashlib.sha256(publisher.encode()).hexdigest()[:16]
    return f"ext.{import_format.value}.{digest}"


def import_document(
    session: Session,
    actor: User,
    case_id: str,
    import_format: ImportFormat,
    document: Any,
    *,
    source: str,
) -> InteropImport:
    """Write what ``document`` holds into case ``case_id``, each entity under its TLP.

    Need-to-know first (a case ``actor`` may not see is :class:`NotFound`);
    any problem raises and nothing is written; the import is audited.
    """
    case = visible_case(session, actor, case_id)
    subjects = Subjects(import_format.value, case.id)
    if import_format is ImportFormat.STIX:
        skipped: Counter[str] = read_bundle(document, subjects)
        about = f"STIX bundle {document.get('id', '?')}"
        publisher = bundle_publisher(document)
    else:
        skipped, about, publisher = read_event(document, subjects)
    handling = {
        "use": "intelligence_only",
        "onward_disclosure": "originator_consent",
        "originator": outside_originator(import_format, publisher),
    }
    items = [
        NewEntity(c.data, where=c.where, case_id=case.id, tlp=c.tlp.value,
                  handling=handling, source=f"{about} ({source})")
        for c in subjects.candidates()
    ]  # fmt: skip
    ready, errors = prepare(session, actor, items)
    if errors:
        _index, error = errors[0]
        if isinstance(error, EntityIdUnavailable):
            raise Conflict(
                "this file was imported into the case already; nothing imported",
                code="interop.already_imported", where=error.where,
            )  # fmt: skip
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        error.message = f"{error.message}{more}; nothing imported"
        raise error
    write(session, ready)
    result = InteropImport(case.id, import_format, len(ready))
    result.selectors = sum(len(r.parsed.selectors) for r in ready)
    result.by_tlp = dict(Counter(r.origin.tlp for r in ready))
    result.skipped = dict(skipped)
    record(session, actor.username, "import", "case", case.id, {
        "format": import_format.value, "source": source, "publisher": publisher,
        "entities": result.entities, "selectors": result.selectors, "by_tlp": result.by_tlp,
    })  # fmt: skip
    return result


__all__ = [
    "ImportFormat",
    "check_size",
    "InteropImport",
    "import_document",
    "read_json",
    "read_json_file",
]
