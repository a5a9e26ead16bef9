"""Export a case as STIX 2.1 or FtM JSON lines: what may leave, audited, withholdings counted."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import InvalidInput
from jointprobe.interop.ftm_export import ftm_lines
from jointprobe.interop.release import release_case
from jointprobe.interop.stix_export import build_bundle
from jointprobe.interop.validate import require_valid_stix
from jointprobe.store.tables import NodeIdentity, User
from jointprobe.timeutil import utcnow


class ExportFormat(enum.Enum):
    STIX = "stix"
    FTM = "ftm"

    @classmethod
    def from_input(cls, text: str) -> ExportFormat:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise InvalidInput(f"unknown export format {text!r}; use stix or ftm") from None


@dataclass
class ExportResult:
    """The file's bytes and what went into it (and what did not, and why)."""

    format: ExportFormat
    case_id: str
    recipient: str | None
    data: bytes
    entities: int  # entities represented in the file
    withheld: dict[str, int]  # reason -> entities withheld for it

    @property
    def withheld_total(self) -> int:
        return sum(self.withheld.values())


def export_case(
    session: Session,
    actor: User,
    node: NodeIdentity,
    case_id: str,
    export_format: ExportFormat,
    *,
    recipient: str | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Build the export of ``case_id`` for ``recipient`` (a peer, or ``None``: public).

    A case ``actor`` may not see is :class:`NotFound`; every export is audited
    with its format, recipient, counts and the digest of the file.
    """
    release = release_case(
        session, actor, case_id, holder=node.id, recipient=recipient, now=now or utcnow()
    )
    if export_format is ExportFormat.STIX:
        bundle, shown = build_bundle(node, release)
        data = bundle.serialize(pretty=True).encode()
        require_valid_stix(data.decode())
    else:
        data = b"".join(ftm_lines(release))
        shown = len(release.entities)
    result = ExportResult(
        export_format, release.case.id, recipient, data, shown, dict(release.withheld)
    )
    record(session, actor.username, "export", "case", release.case.id, {
        "format": export_format.value, "for": recipient or "public", "entities": shown,
        "withheld": result.withheld_total, "sha256": hashlib.sha256(data).hexdigest(),
    })  # fmt: skip
    return result


__all__ = ["ExportFormat", "ExportResult", "export_case"]
