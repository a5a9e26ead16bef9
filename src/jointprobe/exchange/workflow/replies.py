"""Answering what a peer sent: acknowledge, report status and outcomes, answer an RFI.

Every reply goes through :func:`_reply`: it is queued to the counterpart in the
referral's conversation, recorded on the referral's timeline (with the body as
sent, marking included) and in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases import visible_case
from jointprobe.cases.fold import fold_text
from jointprobe.errors import Conflict, InvalidInput
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.payloads import AckBody, OutcomeBody, RfiResponseBody, StatusBody
from jointprobe.exchange.tables import Referral
from jointprobe.exchange.workflow.queries import visible_referral
from jointprobe.exchange.workflow.records import add_timeline
from jointprobe.exchange.workflow.release import released_marking
from jointprobe.store.tables import User
from jointprobe.timeutil import utcnow


def _incoming(session: Session, actor: User, referral_id: str, peer_id: str | None) -> Referral:
    """A received referral the actor may see (:func:`visible_referral`), else NotFound.

    Without ``peer_id`` the referral must have been received from one peer only:
    ids are chosen by senders, so two peers may use the same one.
    """
    rows = visible_referral(session, actor, referral_id, peer_id)
    received = [row for row in rows if row.direction == "in"]
    if not received:
        raise Conflict("only a referral received from a peer can be answered")
    if len(received) > 1:
        peers = ", ".join(row.peer_id for row in received)
        raise Conflict(
            f"referral {referral_id!r} came from several peers ({peers}); name one (peer_id)"
        )
    return received[0]


def _not_declined(session: Session, actor: User, referral_id: str, peer_id: str | None) -> Referral:
    """A received referral the actor may see and did not decline (status, outcomes)."""
    referral = _incoming(session, actor, referral_id, peer_id)
    if referral.state == "declined":
        raise Conflict("this referral was declined; nothing is reported on it")
    return referral


def _reply(
    session: Session,
    actor: User,
    keys: NodeKeys,
    referral: Referral,
    body: BaseModel,
    *,
    kind: str,
    summary: str,
    now: datetime,
    audit: dict[str, Any],
) -> str:
    """Queue ``body`` to the referral's counterpart and record it; returns the message id."""
    envelope = enqueue(
        session, keys, kind=kind, body=body.model_dump(), to=[referral.peer_id], now=now,
        conversation_id=referral.id, in_reply_to=referral.id,
    )  # fmt: skip
    referral.updated_at = now
    add_timeline(
        session, referral.id, referral.peer_id, envelope.id, kind, summary,
        body.model_dump(mode="json"),
    )  # fmt: skip
    record(session, actor.username, kind, "referral", referral.id, audit)
    return envelope.id


def acknowledge(
    session: Session,
    actor: User,
    keys: NodeKeys,
    referral_id: str,
    *,
    decision: str,
    reason: str = "",
    case_id: str | None = None,
    peer_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Accept or decline a received referral (or RFI), optionally linking it to a case."""
    now = now or utcnow()
    referral = _incoming(session, actor, referral_id, peer_id)
    if case_id:
        referral.case_id = visible_case(session, actor, case_id).id
    body = AckBody(decision=decision, reason=reason, case_ref=referral.case_id)  # type: ignore[arg-type]
    referral.state = "accepted" if decision == "accept" else "declined"
    referral.reason, referral.acknowledged_at = reason, now
    return _reply(
        session, actor, keys, referral, body, kind="ack", summary=f"{decision}: {reason}",
        now=now, audit={"decision": decision},
    )  # fmt: skip


def send_status(
    session: Session,
    actor: User,
    keys: NodeKeys,
    referral_id: str,
    *,
    state: str,
    note: str = "",
    tlp: str = "AMBER",
    peer_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Tell the referring node where work on its referral stands."""
    now = now or utcnow()
    referral = _not_declined(session, actor, referral_id, peer_id)
    marking = released_marking(session, keys, [referral.peer_id], now, tlp=tlp)
    body = StatusBody(state=state, note=note, marking=marking)
    referral.state = state
    return _reply(
        session, actor, keys, referral, body, kind="status", summary=f"{state}: {note}",
        now=now, audit={"state": state},
    )  # fmt: skip


def send_outcome(
    session: Session,
    actor: User,
    keys: NodeKeys,
    referral_id: str,
    *,
    outcomes: list[dict[str, Any]],
    tlp: str = "AMBER",
    use: str = "intelligence",
    peer_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Report outcomes (arrests, seizures, sentences…) of a referral back to its sender."""
    now = now or utcnow()
    referral = _not_declined(session, actor, referral_id, peer_id)
    marking = released_marking(session, keys, [referral.peer_id], now, tlp=tlp, use=use)
    body = OutcomeBody.model_validate({"outcomes": outcomes, "marking": marking.model_dump()})
    summary = "; ".join(fold_text(o.description for o in body.outcomes))[:2000]
    return _reply(
        session, actor, keys, referral, body, kind="outcome", summary=summary, now=now,
        audit={"n": len(outcomes)},
    )  # fmt: skip


def answer_rfi(
    session: Session,
    actor: User,
    keys: NodeKeys,
    rfi_id: str,
    *,
    answer: str,
    tlp: str = "AMBER",
    peer_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Answer a request for information received from a peer."""
    now = now or utcnow()
    rfi = _incoming(session, actor, rfi_id, peer_id)
    if rfi.type != "rfi":
        raise InvalidInput("only a request for information can be answered")
    marking = released_marking(session, keys, [rfi.peer_id], now, tlp=tlp)
    body = RfiResponseBody(answer=answer, marking=marking)
    rfi.state = "answered"
    return _reply(
        session, actor, keys, rfi, body, kind="rfi-response", summary=answer[:500], now=now,
        audit={"tlp": marking.tlp},
    )  # fmt: skip


__all__ = ["acknowledge", "answer_rfi", "send_outcome", "send_status"]
