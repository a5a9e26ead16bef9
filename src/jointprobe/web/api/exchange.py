"""The exchange API: the inbox peers post envelopes to, this node's card, referrals.

The inbox is authenticated by the envelopes' signatures, not by user tokens;
everything else needs a user. Handlers only connect input to ``exchange``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from jointprobe.cases.marking import AdmiraltyGrade, TlpLabel
from jointprobe.errors import Forbidden
from jointprobe.exchange.errors import ReplayedEnvelope
from jointprobe.exchange.identity import node_keys, own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.outbox import OutboxRow, drop, outbox_rows, retry
from jointprobe.exchange.payloads import Outcome
from jointprobe.exchange.peers import PeerStatus, may_see_channels, peer_status
from jointprobe.exchange.runner import Deliverer
from jointprobe.exchange.tables import Referral
from jointprobe.exchange.wireschema import inbox_body_schema
from jointprobe.exchange.workflow import (
    ReferralIn,
    acknowledge,
    answer_rfi,
    read_referral,
    send_notice,
    send_outcome,
    send_referral_parts,
    send_rfi,
    send_status,
    timeline,
    visible_referrals,
)
from jointprobe.exchange.workflow.forms import SelectorIn
from jointprobe.node import Node, NodeIdText
from jointprobe.store.tables import User
from jointprobe.timeutil import UtcDatetime, utcnow
from jointprobe.web.api.contract import SIGNED_IN, answers, links
from jointprobe.web.deps import NodeDep, SessionDep, UserDep, WiringDep, WriteSessionDep

router = APIRouter(prefix="/exchange", tags=["exchange"])

#: what a route that sends a message to peers may answer, and one that answers a peer's
SENDS = {**SIGNED_IN, **answers(400, 403, 404, 413)}
REPLIES = {**SIGNED_IN, **answers(400, 403, 404, 409, 413)}
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class SelectorRequest(SelectorIn):
    model_config = ConfigDict(extra="forbid")

    grading: AdmiraltyGrade | None = None


class ReferralRequest(ReferralIn):
    """A referral as the API takes it, each part as strict as the schema says."""

    model_config = ConfigDict(extra="forbid")

    to: list[NodeIdText] = Field(min_length=1, max_length=64)
    # narrower than the base's list[SelectorIn], as pydantic allows a subclass to be
    selectors: list[SelectorRequest] = Field(  # type: ignore[assignment]
        default_factory=list, max_length=50_000
    )
    entity_ids: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(
        default_factory=list, max_length=5_000
    )
    tlp: TlpLabel = "AMBER"
    #: peers the referral may be passed on to (``*``: any)
    consent: list[NodeIdText | Literal["*"]] = Field(default_factory=list, max_length=64)
    grading: AdmiraltyGrade | None = None
    split: StrictBool = False


class ReferralsCreated(BaseModel):
    id: str
    ids: list[str] = Field(description="Every referral sent (several with ``split``).")


class Sent(BaseModel):
    message_id: str


class Created(BaseModel):
    id: str


class InboxAnswer(BaseModel):
    """The answer to one envelope (docs/protocol.md §8)."""

    status: Literal["applied", "held", "duplicate", "rejected", "invalid"]
    receipt: dict[str, Any] | None = Field(description="The signed receipt, an envelope")


class BatchAnswer(BaseModel):
    """The answer to a batch: one result per envelope, in order."""

    results: list[dict[str, Any]]
    receipt: dict[str, Any] | None
    receipt_previous: dict[str, Any] | None = Field(
        default=None, description="Also signed with the keys before a rotation"
    )


@router.post(
    "/inbox",
    response_model=InboxAnswer | BatchAnswer,
    responses=answers(400, 401, 403, 409, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inbox_body_schema()}},
        }
    },
)
async def inbox(request: Request, node: NodeDep, wiring: WiringDep) -> JSONResponse:
    """Envelopes from peers: one (a JSON object) or a batch (a JSON array).

    Authenticated by the envelopes' signatures, not by a token. The parser reads
    the raw body and decides: beyond this schema, ``keys`` and ``seq`` must name
    exactly the ``recipients`` and the signature must verify (docs/protocol.md §4).
    A refusal of one envelope after it was checked carries ``status`` and
    ``receipt`` besides ``code`` and ``message``.
    """
    raw = await request.body()
    keys = node_keys(node)
    answer, batch = await run_in_threadpool(
        partial(receive, node, keys, raw, handlers=wiring.inbox_handlers)
    )
    if batch:
        return JSONResponse(answer.to_dict())
    result, error = answer.results[0], answer.errors[0]
    receipt = answer.receipt.to_dict() if answer.receipt else None
    if error is None:
        return JSONResponse({"status": result.status, "receipt": receipt})
    if receipt is None:
        raise error
    status = 409 if isinstance(error, ReplayedEnvelope) else error.status
    body = {**error.to_dict(), "status": result.status, "receipt": receipt}
    return JSONResponse(body, status_code=status)


class CardOut(BaseModel):
    card: dict[str, Any] = Field(description="The node card (docs/protocol.md §1)")
    fingerprint: str


@router.get("/card", response_model=CardOut)
def card(node: NodeDep) -> dict[str, Any]:
    """This node's public card (compare its fingerprint out of band before trusting it)."""
    card = own_card(node)
    return {"card": card.to_dict(), "fingerprint": card.fingerprint}


@router.get("/peers", response_model=list[PeerStatus], responses={**SIGNED_IN, **answers(403)})
def peers(session: SessionDep, user: UserDep) -> list[PeerStatus]:
    """Delivery state per peer: queued, delivered, refused, parked, held either way, errors.

    For admins, supervisors and liaison officers (``peers.may_see_channels``).
    """
    if not may_see_channels(user.role):
        raise Forbidden("only an admin, supervisor or liaison officer sees the exchange channels")
    return peer_status(session)


def _operator(user: User) -> None:
    if user.role != "admin":
        raise Forbidden("only an admin may see or act on the outbox")


@router.get("/outbox", response_model=list[OutboxRow], responses={**SIGNED_IN, **answers(403)})
def outbox_index(
    session: SessionDep,
    user: UserDep,
    peer: str | None = Query(default=None, max_length=64),
    failed: bool = False,
    limit: int = Query(default=200, ge=1, le=10_000),
) -> list[OutboxRow]:
    """Outbound messages, newest first; ``failed``: parked, refused and dropped, with reasons."""
    _operator(user)
    return outbox_rows(session, peer_id=peer, failed=failed, limit=limit)


@router.post(
    "/outbox/{row_id}/retry",
    response_model=OutboxRow,
    responses={**SIGNED_IN, **answers(403, 404, 409)},
)
def outbox_retry(row_id: RowId, node: NodeDep, user: UserDep) -> OutboxRow:
    """Queue a parked message again (audited)."""
    _operator(user)
    with node.write_session() as session:
        return retry(session, user.username, row_id)


class DropIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="dropped by the operator", min_length=1, max_length=300)


@router.post(
    "/outbox/{row_id}/drop",
    response_model=OutboxRow,
    responses={**SIGNED_IN, **answers(400, 403, 404, 409, 413)},
)
def outbox_drop(row_id: RowId, body: DropIn, node: NodeDep, user: UserDep) -> OutboxRow:
    """Withdraw a parked or queued message; a void takes its slot at the peer (audited)."""
    _operator(user)
    with node.write_session() as session:
        return drop(session, user.username, node_keys(node), row_id, reason=body.reason)


class ReferralOut(BaseModel):
    id: str
    peer_id: str
    type: str
    direction: str
    case_id: str | None
    remote_case_ref: str | None
    title: str
    narrative: str
    requested_action: str
    due: UtcDatetime | None
    state: str
    reason: str | None
    items: list[Any]
    marking: dict[str, Any]
    created_at: UtcDatetime


class TimelineOut(BaseModel):
    kind: str
    at: UtcDatetime
    summary: str
    message_id: str | None


class ReferralDetail(ReferralOut):
    timeline: list[TimelineOut] = Field(default_factory=list)


def _out(referral: Referral) -> ReferralOut:
    return ReferralOut.model_validate(referral, from_attributes=True)


def _user(session: Any, user: User) -> User:
    merged: User = session.merge(user)
    return merged


@router.post(
    "/referrals",
    status_code=201,
    responses=SENDS,
    openapi_extra=links(201, referral=("referrals_show", {"referral_id": "$response.body#/id"})),
)
def referrals_create(body: ReferralRequest, node: NodeDep, user: UserDep) -> ReferralsCreated:
    """Refer a case's selectors and entities; with ``split``, as several referrals (``ids``)."""
    with node.write_session() as session:
        ids = send_referral_parts(session, _user(session, user), node_keys(node), body)
    return ReferralsCreated(id=ids[0], ids=ids)


@router.get("/referrals", response_model=list[ReferralOut], responses=SIGNED_IN)
def referrals_index(
    session: SessionDep,
    user: UserDep,
    direction: Literal["in", "out"] | None = None,
    overdue: bool = False,
) -> list[ReferralOut]:
    overdue_at = utcnow() if overdue else None
    rows = visible_referrals(session, user, direction=direction, overdue_at=overdue_at)
    return [_out(r) for r in rows]


@router.get(
    "/referrals/{referral_id}",
    response_model=ReferralDetail,
    responses={**SIGNED_IN, **answers(404)},
)
def referrals_show(
    referral_id: str, session: WriteSessionDep, user: UserDep, peer: NodeIdText | None = None
) -> ReferralDetail:
    """One row of a referral (``peer``'s, else the first visible) with its own timeline.

    The read is recorded in the audit log.
    """
    referral = read_referral(session, user, referral_id, peer)[0]
    detail = ReferralDetail.model_validate(_out(referral).model_dump())
    events = timeline(session, referral.id, referral.peer_id)
    detail.timeline = [TimelineOut.model_validate(e, from_attributes=True) for e in events]
    return detail


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: needed when peers used the same referral id
    peer_id: NodeIdText | None = None


class AckIn(ReplyIn):
    decision: Literal["accept", "decline"]
    reason: str = Field(default="", max_length=20_000)
    case_id: str | None = Field(default=None, min_length=1, max_length=64)


class StatusIn(ReplyIn):
    state: str = Field(min_length=1, max_length=300)
    note: str = Field(default="", max_length=20_000)
    tlp: TlpLabel = "AMBER"


class OutcomeIn(ReplyIn):
    outcomes: list[Outcome] = Field(min_length=1, max_length=10_000)
    tlp: TlpLabel = "AMBER"
    use: Literal["intelligence", "evidential"] = "intelligence"


def _reply(
    node: Node, user: User, send: Callable[..., str], referral_id: str, **fields: Any
) -> Sent:
    """Answer a received referral with ``send`` (a ``workflow`` reply function)."""
    with node.write_session() as session:
        message_id = send(session, _user(session, user), node_keys(node), referral_id, **fields)
    return Sent(message_id=message_id)


@router.post("/referrals/{referral_id}/ack", status_code=201, responses=REPLIES)
def referrals_ack(referral_id: str, body: AckIn, node: NodeDep, user: UserDep) -> Sent:
    return _reply(node, user, acknowledge, referral_id, **body.model_dump())


@router.post("/referrals/{referral_id}/status", status_code=201, responses=REPLIES)
def referrals_status(referral_id: str, body: StatusIn, node: NodeDep, user: UserDep) -> Sent:
    return _reply(node, user, send_status, referral_id, **body.model_dump())


@router.post("/referrals/{referral_id}/outcome", status_code=201, responses=REPLIES)
def referrals_outcome(referral_id: str, body: OutcomeIn, node: NodeDep, user: UserDep) -> Sent:
    return _reply(node, user, send_outcome, referral_id, **body.model_dump())


class RfiIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: NodeIdText
    question: str = Field(min_length=1, max_length=20_000)
    case_id: str | None = Field(default=None, min_length=1, max_length=64)
    due: UtcDatetime | None = None
    tlp: TlpLabel = "AMBER"


class RfiAnswerIn(ReplyIn):
    answer: str = Field(min_length=1, max_length=20_000)
    tlp: TlpLabel = "AMBER"


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: list[NodeIdText] = Field(min_length=1, max_length=100)
    topic: str = Field(min_length=1, max_length=300)
    text: str = Field(default="", max_length=20_000)
    tlp: TlpLabel = "GREEN"


@router.post("/rfis", status_code=201, responses=SENDS)
def rfis_create(body: RfiIn, node: NodeDep, user: UserDep) -> Created:
    """Ask a peer a question; with ``case_id``, only a member of that case may."""
    with node.write_session() as session:
        rfi_id = send_rfi(session, _user(session, user), node_keys(node), **body.model_dump())
    return Created(id=rfi_id)


@router.post("/rfis/{rfi_id}/answer", status_code=201, responses=REPLIES)
def rfis_answer(rfi_id: str, body: RfiAnswerIn, node: NodeDep, user: UserDep) -> Sent:
    return _reply(node, user, answer_rfi, rfi_id, **body.model_dump())


@router.post("/notices", status_code=201, responses=SENDS)
def notices_create(body: NoticeIn, node: NodeDep, user: UserDep) -> Created:
    """Tell peers something outside a referral (an alert, a working-group note)."""
    with node.write_session() as session:
        notice_id = send_notice(session, _user(session, user), node_keys(node), **body.model_dump())
    return Created(id=notice_id)


def install(app: FastAPI, node: Node) -> None:
    """Mount the exchange router and run the outbox deliverer while the app runs."""
    from jointprobe.web.app import API_PREFIX

    app.include_router(router, prefix=API_PREFIX)
    deliverer: dict[str, Deliverer] = {}

    def start() -> None:
        deliverer["running"] = Deliverer(node)
        deliverer["running"].start()

    def stop() -> None:
        if "running" in deliverer:
            deliverer.pop("running").stop()

    app.router.add_event_handler("startup", start)
    app.router.add_event_handler("shutdown", stop)
