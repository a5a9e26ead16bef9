"""Applying what arrives: one function per message kind, and :func:`inbox_handlers`,
the map from kind to function that the app factory hands the inbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jointprobe.errors import InvalidInput
from jointprobe.exchange.inbox import Applied, Handler
from jointprobe.exchange.markings import Marking
from jointprobe.exchange.outbox.resync import RESTORED_TOPIC, probe
from jointprobe.exchange.payloads import (
    AckBody,
    NoticeBody,
    OutcomeBody,
    ReferralBody,
    RfiBody,
    RfiResponseBody,
    StatusBody,
)
from jointprobe.exchange.peers import apply_card_update
from jointprobe.exchange.tables import Referral, ReferralEvent
from jointprobe.exchange.wire import parse_time
from jointprobe.exchange.workflow.outcomes import event_for
from jointprobe.exchange.workflow.queries import get_referral
from jointprobe.exchange.workflow.records import (
    add_timeline,
    arrived_marking,
    case_note,
    received_note,
)
from jointprobe.timeutil import utcnow

#: Called as ``hook(session, msg)`` once a referral is applied (e.g. lead routing).
ReferralHook = Callable[[Session, Applied], None]

_REFERRALS = cast(Table, Referral.__table__)
_REFERRAL_EVENTS = cast(Table, ReferralEvent.__table__)


def _on_referral(session: Session, msg: Applied, *, hooks: Sequence[ReferralHook] = ()) -> None:
    body = msg.body
    assert isinstance(body, ReferralBody)
    entry = msg.entry
    # Plain (Core) INSERTs on the session's connection, executed at once: a hook's
    # first query would otherwise autoflush these two objects through the unit of
    # work, message by message, which costs several times the statements themselves.
    # The referral's key (id, peer) is checked by the database: a peer cannot reuse
    # the id of a referral we exchanged with it (the handler runs in a savepoint).
    conn = session.connection()
    row = dict(
        id=entry.message_id, peer_id=entry.sender, type="referral", direction="in",
        remote_case_ref=body.case_ref, title=body.title, narrative=body.narrative,
        requested_action=body.requested_action, due=parse_time(body.due, field="due"),
        state="received", items=[i.model_dump() for i in body.items],
        marking=arrived_marking(body, sender=entry.sender).to_dict(),
        created_at=entry.received_at, updated_at=entry.received_at,
    )  # fmt: skip
    try:
        conn.execute(insert(_REFERRALS), [row])
    except IntegrityError:
        raise InvalidInput(
            f"referral id {entry.message_id} is already in use with this peer"
        ) from None
    conn.execute(
        insert(_REFERRAL_EVENTS),
        [
            dict(
                referral_id=entry.message_id, peer_id=entry.sender, message_id=entry.message_id,
                kind="received", at=utcnow(), summary=body.title[:4000], body={},
            )
        ],
    )  # fmt: skip
    for hook in hooks:
        hook(session, msg)


def _on_rfi(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, RfiBody)
    entry = msg.entry
    # An RFI about one of the conversations we hold with this peer belongs to
    # that conversation's case: only those who may see the case see the RFI.
    about = session.scalars(
        select(Referral.case_id).where(
            Referral.id == entry.conversation_id, Referral.peer_id == entry.sender
        )
    ).first()
    session.add(
        Referral(
            id=entry.message_id, peer_id=entry.sender, type="rfi", direction="in",
            case_id=about,
            title=body.question[:300], narrative=body.question,
            due=parse_time(body.due, field="due") if body.due else None, state="received",
            items=[i.model_dump() for i in body.items],
            marking=arrived_marking(body, sender=entry.sender).to_dict(),
            created_at=entry.received_at, updated_at=entry.received_at,
        )
    )  # fmt: skip
    add_timeline(session, entry.message_id, entry.sender, entry.message_id, "rfi", body.question)


def _answered(session: Session, msg: Applied) -> Referral:
    entry = msg.entry
    if entry.in_reply_to is None:
        raise InvalidInput(f"a {entry.kind} must answer a referral")
    referral = get_referral(session, entry.in_reply_to, entry.sender)
    if referral.direction != "out":
        # only the recipient of our referral may answer it; a sender cannot
        # acknowledge or report on its own referral in our records
        raise InvalidInput(f"a {entry.kind} may only answer a referral this node sent")
    return referral


def _marking(msg: Applied, answered: Referral) -> Marking:
    """The marking of a reply as it came (an ack's: its referral's, see ``arrived_marking``)."""
    return arrived_marking(msg.body, sender=msg.entry.sender, answered=answered)


def _on_ack(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, AckBody)
    referral = _answered(session, msg)
    referral.state = "accepted" if body.decision == "accept" else "declined"
    referral.reason, referral.remote_case_ref = body.reason, body.case_ref
    referral.acknowledged_at = referral.updated_at = msg.entry.received_at
    text = f"{msg.entry.sender} {referral.state} the referral" + (
        f": {body.reason}" if body.reason else ""
    )
    add_timeline(session, referral.id, referral.peer_id, msg.entry.message_id, "ack", text)
    case_note(session, referral, received_note(text, _marking(msg, referral)))


def _on_status(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, StatusBody)
    referral = _answered(session, msg)
    referral.state, referral.updated_at = body.state, msg.entry.received_at
    text = f"Status from {msg.entry.sender}: {body.state}" + (
        f" — {body.note}" if body.note else ""
    )
    add_timeline(session, referral.id, referral.peer_id, msg.entry.message_id, "status", text)
    case_note(session, referral, received_note(text, _marking(msg, referral)))


def _on_outcome(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, OutcomeBody)
    referral = _answered(session, msg)
    referral.updated_at = msg.entry.received_at
    marking = _marking(msg, referral)
    for outcome in body.outcomes:
        text = f"Outcome from {msg.entry.sender}: {outcome.description}"
        add_timeline(
            session, referral.id, referral.peer_id, msg.entry.message_id, "outcome", text,
            outcome.model_dump(),
        )  # fmt: skip
        case_note(session, referral, event_for(outcome.model_dump(), text, marking))


def _on_rfi_response(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, RfiResponseBody)
    rfi = _answered(session, msg)
    rfi.state, rfi.updated_at = "answered", msg.entry.received_at
    add_timeline(session, rfi.id, rfi.peer_id, msg.entry.message_id, "rfi-response", body.answer)
    answer = f"Answer from {msg.entry.sender}: {body.answer}"
    case_note(session, rfi, received_note(answer, _marking(msg, rfi)))


def _on_notice(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, NoticeBody)
    entry = msg.entry
    if body.topic == "card-update" and body.card_update is not None:
        card = body.card_update.get("card", {})
        if not isinstance(card, dict) or card.get("node_id") != entry.sender:
            raise InvalidInput("a card update must be about its sender")
        apply_card_update(session, body.card_update, actor=f"peer:{entry.sender}")
    if body.topic == RESTORED_TOPIC:  # its receipt for our last message says what it lacks
        probe(session, entry.sender)
    add_timeline(
        session, _notice_thread(session, msg), entry.sender, entry.message_id, "notice",
        f"{body.topic}: {body.text}",
    )  # fmt: skip


def _notice_thread(session: Session, msg: Applied) -> str:
    """Where a notice is filed: the referral it names only if the sender is its counterpart.

    The conversation id is the sender's choice; a notice naming a referral we
    exchange with someone else (or none) is filed under its own message id.
    """
    entry = msg.entry
    ours = session.get(Referral, (entry.conversation_id, entry.sender))
    return entry.conversation_id if ours is not None else entry.message_id


def inbox_handlers(referral_hooks: Sequence[ReferralHook] = ()) -> dict[str, Handler]:
    """What the inbox calls per kind; ``referral_hooks`` run after each referral is applied."""
    return {
        "referral": partial(_on_referral, hooks=tuple(referral_hooks)),
        "rfi": _on_rfi,
        "ack": _on_ack,
        "status": _on_status,
        "outcome": _on_outcome,
        "rfi-response": _on_rfi_response,
        "notice": _on_notice,
    }


__all__ = ["ReferralHook", "inbox_handlers"]
