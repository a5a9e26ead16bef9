"""Node identity, health and the audit check."""

from __future__ import annotations

from fastapi import APIRouter

from jointprobe import __version__
from jointprobe.audit import verify
from jointprobe.errors import Forbidden
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.api.schemas import AuditOut, NodeOut
from jointprobe.web.deps import NodeDep, SessionDep, UserDep

router = APIRouter(tags=["node"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/node", response_model=NodeOut, responses=SIGNED_IN)
def node_info(node: NodeDep, _user: UserDep) -> NodeOut:
    ident = node.identity
    return NodeOut(id=ident.id, name=ident.name, country=ident.country, version=__version__)


@router.get("/audit/verify", response_model=AuditOut, responses={**SIGNED_IN, **answers(403)})
def audit_verify(session: SessionDep, user: UserDep) -> AuditOut:
    if user.role not in ("admin", "supervisor"):
        raise Forbidden("only an admin or supervisor may check the audit log")
    report = verify(session)
    return AuditOut(ok=report.ok, checked=report.checked, problems=report.problems)
