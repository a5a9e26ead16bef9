"""Export a case or a network expansion as STIX 2.1 or FtM JSON lines: what may leave,
audited, withholdings counted."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import InvalidInput
from jointprobe.interop.ftm_export import ftm_lines
from jointprobe.interop.release import Release, release_case, release_expansion
from jointprobe.interop.stix_export import build_bundle
from jointprobe.interop.validate import require_valid_stix
from jointprobe.network.expand import DEFAULT_HOPS, DEFAULT_LIMIT, expand
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


@dataclass(kw_only=True)
class Exported:
    """The file's bytes and what went into it (and what did not, and why)."""

    format: ExportFormat
    recipient: str | None
    data: bytes
    entities: int  # entities represented in the file
    withheld: dict[str, int]  # reason -> entities withheld for it

    @property
    def withheld_total(self) -> int:
        return sum(self.withheld.values())


@dataclass(kw_only=True)
class ExportResult(Exported):
    """The export of one case."""

    case_id: str


@dataclass(kw_only=True)
class ExpansionExport(Exported):
    """The export of a network expansion: where it started, how far it went."""

    start: str
    kind: str
    hops: int
    stopped: bool  # the expansion's size limit cut it short


def _render(node: NodeIdentity, release: Release, export_format: ExportFormat) -> tuple[bytes, int]:
    """The file's bytes (a STIX bundle passing the strict validator, or FtM lines) and how
    many entities it represents."""
    if export_format is ExportFormat.STIX:
        bundle, shown = build_bundle(node, release)
        # indented, not ``pretty``: stix2 sorts keys for that by a search quadratic in the
        # bundle (minutes for a few hundred entities); its objects keep the spec's order anyway
        data = bundle.serialize(indent=2).encode()
        require_valid_stix(data.decode())
        return data, shown
    return b"".join(ftm_lines(release)), len(release.entities)


def _audit(session: Session, actor: User, target: tuple[str, str], result: Exported,
           **extra: object) -> None:  # fmt: skip
    record(session, actor.username, "export", *target, {
        "format": result.format.value, "for": result.recipient or "public",
        "entities": result.entities, "withheld": result.withheld_total,
        "sha256": hashlib.sha256(result.data).hexdigest(), **extra,
    })  # fmt: skip


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
    data, shown = _render(node, release, export_format)
    result = ExportResult(format=export_format, recipient=recipient, data=data, entities=shown,
                          withheld=dict(release.withheld), case_id=release.case.id)  # fmt: skip
    _audit(session, actor, ("case", release.case.id), result)
    return result


def export_expansion(
    session: Session,
    actor: User,
    node: NodeIdentity,
    export_format: ExportFormat,
    selector: str | None = None,
    *,
    entity_id: str | None = None,
    kind: str | None = None,
    region: str | None = None,
    hops: int = DEFAULT_HOPS,
    limit: int = DEFAULT_LIMIT,
    recipient: str | None = None,
    now: datetime | None = None,
    max_nodes: int = DEFAULT_LIMIT,
) -> ExpansionExport:
    """Expand the network around ``selector`` (or ``entity_id``) for ``actor`` and export
    what of it may leave for ``recipient`` (a peer, or ``None``: public).

    The expansion's own refusals stand (:class:`~jointprobe.network.UnknownSelector`
    and a hidden start entity are 404, a bad selector 422), and it is audited as
    every expansion is. The export takes the entities reached and the relations
    between them through the case export's rule, each entity under its own case's
    marking; placeholders (cases ``actor`` may not see) never enter it. A ``limit``
    above ``max_nodes`` (the node's ``interop_max_export_nodes``) is InvalidInput. One audit
    entry (``export network``) with the start, hops, format, recipient, counts and
    the file's digest.
    """
    if limit > max_nodes:  # JOINTPROBE_INTEROP_MAX_EXPORT_NODES: validation grows with size
        raise InvalidInput(
            f"an export of an expansion takes at most {max_nodes} nodes "
            "(JOINTPROBE_INTEROP_MAX_EXPORT_NODES)",
            where="limit",
        )
    expansion = expand(session, actor, selector, entity_id=entity_id, kind=kind, region=region,
                       hops=hops, limit=limit)  # fmt: skip
    release = release_expansion(
        session, actor, expansion, holder=node.id, recipient=recipient, now=now or utcnow()
    )
    data, shown = _render(node, release, export_format)
    result = ExpansionExport(
        format=export_format, recipient=recipient, data=data, entities=shown,
        withheld=dict(release.withheld), start=expansion.start, kind=expansion.kind,
        hops=expansion.hops, stopped=expansion.stopped is not None,
    )  # fmt: skip
    target = f"{expansion.kind}:{expansion.start}"[:128]
    cases = sorted({r.entity.case_id for r in release.entities.values() if r.entity.case_id})
    _audit(session, actor, ("network", target), result, hops=expansion.hops,
           limit=expansion.limit, cases=cases)  # fmt: skip
    return result


__all__ = [
    "ExpansionExport",
    "ExportFormat",
    "ExportResult",
    "Exported",
    "export_case",
    "export_expansion",
]
