"""The precursor register over HTTP: notifications and their answers, reports, incidents.

Routes only connect input to ``jointprobe.precursors``: roles, markings,
caps and the audit log are decided there, as for the CLI and the web page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from jointprobe.cases.marking import TlpLabel
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.workflow import is_overdue
from jointprobe.node import NodeIdText
from jointprobe.precursors import (
    IncidentIn,
    PenIn,
    PrecursorMessage,
    Shared,
    SorIn,
    answer_pen,
    forward_incident,
    list_register,
    read_item,
    send_pen,
    send_sor,
    share_incident,
)
from jointprobe.precursors.queries import MAX_LIST
from jointprobe.store.tables import User
from jointprobe.timeutil import utcnow
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.deps import NodeDep, SessionDep, UserDep, WriteSessionDep

router = APIRouter(prefix="/precursors", tags=["precursors"], responses=SIGNED_IN)
Peers = Field(default=None, min_length=1, max_length=64)
#: a body the service reads: a peer, a case or the marking may refuse it, or it is too large
SENDS = answers(400, 403, 404, 413)


class ApiHandling(BaseModel):
    """The forms' ``tlp`` and ``consent`` as the API takes them (``own_marking`` reads these)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tlp: TlpLabel = "AMBER"
    consent: list[NodeIdText | Literal["*"]] = Field(default_factory=list, max_length=64)


class PenSend(ApiHandling, PenIn):
    """A notification and the importing regulator's node it goes to."""

    to: NodeIdText


class SorSend(ApiHandling, SorIn):
    peers: list[NodeIdText] | None = Peers


class IncidentSend(ApiHandling, IncidentIn):
    peers: list[NodeIdText] | None = Peers


class ForwardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_peer: NodeIdText
    peers: list[NodeIdText] | None = Peers


class AnswerIn(BaseModel):
    # an objection or a request for information gives its reason (``PenAnswerBody._reason``)
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {
                "properties": {"decision": {"enum": ["objection", "rfi"]}},
                "required": ["decision"],
            },
            "then": {"required": ["reason"], "properties": {"reason": {"pattern": r"\S"}}},
        },
    )
    decision: Literal["no-objection", "objection", "rfi"]
    reason: str = Field(default="", max_length=20_000)
    tlp: TlpLabel = "AMBER"
    peer_id: NodeIdText | None = None


class RegisterOut(BaseModel):
    id: str
    kind: str
    direction: str
    peer_id: str
    title: str
    state: str
    due: datetime | None
    overdue: bool
    decision: str | None
    marking: dict[str, Any]
    answers: list[dict[str, Any]]
    created_at: datetime


class RegisterDetail(RegisterOut):
    body: dict[str, Any]


class SharedOut(BaseModel):
    id: str | None
    sent_to: list[str]
    refused: dict[str, str]


def _out(row: PrecursorMessage) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in RegisterDetail.model_fields if name != "overdue"}
    return {**fields, "overdue": is_overdue(row, utcnow())}


def _user(session: Any, user: User) -> User:
    merged: User = session.merge(user)
    return merged


def _list(session: Any, user: User, kind: str, overdue: bool, limit: int) -> list[RegisterOut]:
    overdue_at = utcnow() if overdue else None
    rows = list_register(session, user, kind=kind, overdue_at=overdue_at, limit=limit)
    return [RegisterOut.model_validate(_out(r)) for r in rows]


Limit = Query(default=200, ge=1, le=MAX_LIST)


@router.post("/notifications", status_code=201, responses=SENDS)
def notifications_create(body: PenSend, node: NodeDep, user: UserDep) -> dict[str, str]:
    """Notify the importing country's regulator node of an export (regulators, supervisors)."""
    with node.write_session() as session:
        pen_id = send_pen(session, _user(session, user), node_keys(node), body, to=body.to)
    return {"id": pen_id}


@router.get("/notifications", response_model=list[RegisterOut], responses=answers(403))
def notifications_index(
    session: SessionDep, user: UserDep, overdue: bool = False, limit: int = Limit
) -> list[RegisterOut]:
    """Notifications sent and received; ``overdue``: open ones past their reply deadline."""
    return _list(session, user, "pen", overdue, limit)


@router.post(
    "/notifications/{pen_id}/answer", status_code=201, responses=answers(400, 403, 404, 409, 413)
)
def notifications_answer(
    pen_id: str, body: AnswerIn, node: NodeDep, user: UserDep
) -> dict[str, str]:
    """No objection, objection (with its reason) or a request for information."""
    with node.write_session() as session:
        message_id = answer_pen(
            session, _user(session, user), node_keys(node), pen_id, decision=body.decision,
            reason=body.reason, tlp=body.tlp, peer_id=body.peer_id,
        )  # fmt: skip
    return {"message_id": message_id}


@router.post("/reports", status_code=201, response_model=SharedOut, responses=SENDS)
def reports_create(body: SorSend, node: NodeDep, user: UserDep) -> Shared:
    """Report a suspicious order to ``peers`` (default: every peer the markings allow)."""
    with node.write_session() as session:
        return send_sor(session, _user(session, user), node_keys(node), body, peers=body.peers)


@router.get("/reports", response_model=list[RegisterOut], responses=answers(403))
def reports_index(session: SessionDep, user: UserDep, limit: int = Limit) -> list[RegisterOut]:
    return _list(session, user, "sor", False, limit)


@router.post("/incidents", status_code=201, response_model=SharedOut, responses=SENDS)
def incidents_create(body: IncidentSend, node: NodeDep, user: UserDep) -> Shared:
    """Share an incident with ``peers`` (default: every peer the markings allow)."""
    with node.write_session() as session:
        keys = node_keys(node)
        return share_incident(session, _user(session, user), keys, body, peers=body.peers)


@router.post(
    "/incidents/{incident_id}/forward", status_code=201, response_model=SharedOut, responses=SENDS
)
def incidents_forward(incident_id: str, body: ForwardIn, node: NodeDep, user: UserDep) -> Shared:
    """Pass a received incident on, as its originator's marking allows."""
    with node.write_session() as session:
        return forward_incident(
            session, _user(session, user), node_keys(node), incident_id,
            from_peer=body.from_peer, peers=body.peers,
        )  # fmt: skip


@router.get("/incidents", response_model=list[RegisterOut], responses=answers(403))
def incidents_index(session: SessionDep, user: UserDep, limit: int = Limit) -> list[RegisterOut]:
    return _list(session, user, "incident", False, limit)


@router.get("/{message_id}", response_model=list[RegisterDetail], responses=answers(404))
def register_show(
    message_id: str, session: WriteSessionDep, user: UserDep,
    peer: NodeIdText | None = Query(default=None),
) -> list[RegisterDetail]:  # fmt: skip
    """One notification, report or incident per counterpart, with its body (the read audited)."""
    rows = read_item(session, _user(session, user), message_id, peer)
    return [RegisterDetail.model_validate(_out(r)) for r in rows]


__all__ = ["router"]
