"""Applying what arrives: notifications, answers, reports and incidents.

One function per kind, handed to the inbox by :func:`precursor_handlers`
(``wiring.default_wiring``). Each keeps the marking the message came with and
writes the arrival to the audit log. An answer applies only to a notification
this node sent to the answering peer; anything else is refused with a code
(recorded as ``apply:<code>``) and changes nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import Conflict, Forbidden, InvalidInput, NotFound
from jointprobe.exchange.inbox import Applied, Handler
from jointprobe.exchange.payloads import IncidentBody, PenAnswerBody, PenBody, SorBody
from jointprobe.exchange.wire import parse_time
from jointprobe.exchange.workflow.records import arrived_marking
from jointprobe.precursors.answering import note_answer
from jointprobe.precursors.records import add_row, title_of
from jointprobe.precursors.tables import PrecursorMessage


def _arrive(msg: Applied, session: Session, kind: str, title: str) -> PrecursorMessage:
    entry = msg.entry
    if session.get(PrecursorMessage, (entry.message_id, entry.sender)) is not None:
        raise Conflict(
            f"message id {entry.message_id} is already in use with this peer",
            code="precursor.id_in_use",
        )
    due = None
    if isinstance(msg.body, PenBody):
        due = parse_time(msg.body.reply_by, field="reply_by")
    row = add_row(
        session, message_id=entry.message_id, peer_id=entry.sender, kind=kind, direction="in",
        title=title, body=msg.body.model_dump(mode="json"),
        marking=arrived_marking(msg.body, sender=entry.sender), now=entry.received_at, due=due,
    )  # fmt: skip
    record(session, f"peer:{entry.sender}", "receive", kind, entry.message_id, {"title": title})
    return row


def _on_pen(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, PenBody)
    parties = f"{body.exporter.name} to {body.importer.name}"
    _arrive(msg, session, "pen", title_of("PEN", body.consignments, parties))


def _on_sor(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, SorBody)
    _arrive(msg, session, "sor", title_of("SOR", body.consignments, body.customer.name))


def _on_incident(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, IncidentBody)
    kind = f"{body.type} in {body.country}"
    _arrive(msg, session, "incident", title_of(kind, body.consignments, body.reference))


def _answered(session: Session, msg: Applied) -> PrecursorMessage:
    """The notification an answer is bound to: one this node sent to the answering peer."""
    entry = msg.entry
    if entry.in_reply_to is None:
        raise InvalidInput("an answer must name its notification", code="precursor.unbound_answer")
    row = session.get(PrecursorMessage, (entry.in_reply_to, entry.sender))
    if row is None:
        others = select(PrecursorMessage.peer_id).where(PrecursorMessage.id == entry.in_reply_to)
        if session.scalars(others).first() is not None:
            raise Forbidden(
                f"{entry.sender} is not the addressee of notification {entry.in_reply_to}",
                code="precursor.not_addressee",
            )
        raise NotFound(
            f"no notification {entry.in_reply_to} sent to {entry.sender}",
            code="precursor.unknown_notification",
        )
    if row.kind != "pen" or row.direction != "out":
        raise InvalidInput(
            "an answer may only answer a notification this node sent",
            code="precursor.not_answerable",
        )
    return row


def _on_pen_answer(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, PenAnswerBody)
    entry = msg.entry
    row = _answered(session, msg)
    note_answer(row, body, message_id=entry.message_id, direction="in", at=entry.received_at)
    record(session, f"peer:{entry.sender}", "receive", "pen-answer", row.id,
           {"decision": body.decision, "message_id": entry.message_id})  # fmt: skip


def precursor_handlers() -> dict[str, Handler]:
    """What the inbox calls for the precursor kinds."""
    return {
        "pen": _on_pen,
        "pen-answer": _on_pen_answer,
        "sor": _on_sor,
        "incident": _on_incident,
    }


__all__ = ["precursor_handlers"]
