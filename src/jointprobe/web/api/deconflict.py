"""Deconfliction API (C7): start, join, consent, decline, and what a user may see of sessions.

Need-to-know: a session is seen by the members of its case (an invitation no
case joined yet by analysts, liaison officers and supervisors: the roles that may join
one); only the case owner consents or declines.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from jointprobe import deconflict
from jointprobe.deconflict.worker import Worker
from jointprobe.exchange.identity import node_keys
from jointprobe.node import Node, NodeIdText
from jointprobe.store.tables import User
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.api.schemas import SelectorKind
from jointprobe.web.deps import NodeDep, UserDep

router = APIRouter(prefix="/deconflict", tags=["deconflict"], responses=SIGNED_IN)
#: a session is looked up and must be in the right state for the act; only its case's owner acts
ACTS = (403, 404, 409)


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    peer: NodeIdText
    case_id: str = Field(min_length=1, max_length=64)
    kinds: list[SelectorKind] | None = Field(default=None, min_length=1, max_length=32)
    by_kind: StrictBool = False


class JoinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    case_id: str = Field(min_length=1, max_length=64)
    by_kind: StrictBool = False


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=2000)


def _write(node: Node, user: User, act: Any) -> dict[str, Any]:
    """Run ``act(session, user, keys)`` in one write transaction; the session as seen after."""
    keys = node_keys(node)
    with node.write_session() as session:
        deconflict.expire_stalled(session, keys)
        actor: User = session.merge(user)
        row = act(session, actor, keys)
        return deconflict.view(session, actor, row.id).to_dict()


@router.get("", responses=answers(404))
def sessions(node: NodeDep, user: UserDep, case_id: str | None = None) -> list[dict[str, Any]]:
    with node.write_session() as session:
        deconflict.expire_stalled(session, node_keys(node))
        views = deconflict.list_sessions(session, session.merge(user), case_id=case_id)
        return [v.to_dict() for v in views]


@router.get("/{session_id}", responses=answers(404))
def session_view(session_id: str, node: NodeDep, user: UserDep) -> dict[str, Any]:
    with node.session() as session:
        return deconflict.view(session, session.merge(user), session_id).to_dict()


@router.post("", status_code=201, responses=answers(400, 403, 404, 409, 413, 429))
def start(body: StartIn, node: NodeDep, user: UserDep) -> dict[str, Any]:
    """Offer a case's selectors to a peer; both sides first learn only the count."""
    return _write(node, user, lambda s, u, k: deconflict.start(
        s, u, k, node.settings, peer=body.peer, case_id=body.case_id, kinds=body.kinds,
        by_kind=body.by_kind))  # fmt: skip


@router.post("/{session_id}/join", responses=answers(400, *ACTS, 413))
def join(session_id: str, body: JoinIn, node: NodeDep, user: UserDep) -> dict[str, Any]:
    """Answer a peer's invitation with one of our cases."""
    return _write(node, user, lambda s, u, k: deconflict.join(
        s, u, k, node.settings, session_id, case_id=body.case_id,
        by_kind=body.by_kind))  # fmt: skip


@router.post("/{session_id}/consent", responses=answers(*ACTS))
def consent(session_id: str, node: NodeDep, user: UserDep) -> dict[str, Any]:
    """The case owner agrees to reveal; shown once the peer's owner agrees too."""
    return _write(node, user, lambda s, u, k: deconflict.consent(s, u, k, session_id))


@router.post("/{session_id}/decline", responses=answers(400, *ACTS, 413))
def decline(session_id: str, body: DeclineIn, node: NodeDep, user: UserDep) -> dict[str, Any]:
    """The case owner ends the session; nothing is revealed."""
    return _write(node, user, lambda s, u, k: deconflict.decline(
        s, u, k, session_id, reason=body.reason))  # fmt: skip


def install_worker(app: FastAPI, node: Node) -> None:
    """Run the deconfliction worker (owed computing steps, the stale-session sweeper)
    while the app runs."""
    running: dict[str, Worker] = {}

    def start() -> None:
        running["worker"] = Worker(node)
        running["worker"].start()

    def stop() -> None:
        if "worker" in running:
            running.pop("worker").stop()

    app.router.add_event_handler("startup", start)
    app.router.add_event_handler("shutdown", stop)
