"""Case export (STIX 2.1, FtM) and import (STIX 2.1 bundles, MISP events).

The services decide need-to-know and markings (``interop``); these routes
only read the request and shape the answer.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from jointprobe.interop.export import Exported, ExportFormat, export_case
from jointprobe.interop.importing import ImportFormat, check_size, import_document
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.deps import NodeDep, UserDep, WriteSessionDep

router = APIRouter(prefix="/cases", tags=["interop"], responses=SIGNED_IN)
CaseId = Annotated[str, Path(max_length=64)]


class WithheldOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(description="Why the release rule kept these items home.")
    count: int


class ExportedOut(BaseModel):
    """What every export answers: the STIX bundle or the FtM lines, what was withheld, why."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["stix", "ftm"]
    peer: str | None = Field(description="The peer it is for; null: public (TLP:CLEAR only).")
    entities: int = Field(description="Entities represented in the export.")
    withheld: list[WithheldOut]
    bundle: dict[str, Any] | None = Field(description="The STIX 2.1 bundle (format stix).")
    lines: list[dict[str, Any]] | None = Field(description="FtM entities (format ftm).")


class ExportOut(ExportedOut):
    """A case's export."""

    case_id: str


def exported_fields(result: Exported) -> dict[str, Any]:
    """What every export answer holds: format, counts, and the bundle or the lines."""
    data, stix = result.data, result.format is ExportFormat.STIX
    return {
        "format": result.format.value,
        "entities": result.entities,
        "withheld": [WithheldOut(reason=r, count=n) for r, n in sorted(result.withheld.items())],
        "bundle": orjson.loads(data) if stix else None,
        "lines": None if stix else [orjson.loads(line) for line in data.splitlines()],
    }


class ImportOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_id: str
    format: Literal["stix", "misp"]
    entities: int
    selectors: int
    by_tlp: dict[str, int] = Field(description="Entities imported per TLP label.")
    skipped: dict[str, int] = Field(description="Objects or attributes with no mapping, by type.")


@router.get("/{case_id}/export", response_model=ExportOut, responses=answers(404, 409))
def cases_export(
    case_id: CaseId,
    session: WriteSessionDep,
    user: UserDep,
    node: NodeDep,
    format: Annotated[Literal["stix", "ftm"], Query()] = "stix",  # noqa: A002 - the API's word
    peer: Annotated[str | None, Query(max_length=64)] = None,
) -> ExportOut:
    result = export_case(
        session, user, node.identity, case_id, ExportFormat(format), recipient=peer
    )
    return ExportOut(case_id=result.case_id, peer=peer, **exported_fields(result))


@router.post(
    "/{case_id}/imports/{format}",
    response_model=ImportOut,
    status_code=201,
    responses=answers(400, 404, 409, 413),
)
def cases_import(
    case_id: CaseId,
    format: Literal["stix", "misp"],  # noqa: A002 - the API's word
    session: WriteSessionDep,
    user: UserDep,
    node: NodeDep,
    document: Annotated[dict[str, Any], Body(description="A STIX 2.1 bundle or a MISP event.")],
) -> ImportOut:
    # the size cap, as for files (``json``: the body may hold integers orjson cannot write)
    check_size(
        len(json.dumps(document, separators=(",", ":"))), node.settings.interop_max_import_bytes
    )
    report = import_document(
        session, user, case_id, ImportFormat(format), document, source="API upload"
    )
    return ImportOut(
        case_id=report.case_id,
        format=format,
        entities=report.entities,
        selectors=report.selectors,
        by_tlp=report.by_tlp,
        skipped=report.skipped,
    )
