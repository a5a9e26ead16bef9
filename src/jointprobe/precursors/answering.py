"""The importing regulator answers a notification: no objection, objection, or a request.

A request for information leaves the notification open (and overdue after its
deadline); no objection and objection are final, given once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import Conflict, InvalidInput, NotFound
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Marking
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.payloads import MarkingField, PenAnswerBody
from jointprobe.exchange.wire import format_time
from jointprobe.exchange.workflow.release import released_marking, require_release_to_peer
from jointprobe.precursors.access import require_decider
from jointprobe.precursors.tables import PrecursorMessage
from jointprobe.store.tables import User
from jointprobe.timeutil import utcnow

FINAL = ("no-objection", "objection")


def received_pen(session: Session, pen_id: str, peer_id: str | None = None) -> PrecursorMessage:
    """A notification received from a peer (with ``peer_id``, from that one), else NotFound."""
    query = select(PrecursorMessage).where(
        PrecursorMessage.id == pen_id,
        PrecursorMessage.kind == "pen",
        PrecursorMessage.direction == "in",
    )
    if peer_id:
        query = query.where(PrecursorMessage.peer_id == peer_id)
    rows = list(session.scalars(query))
    if not rows:
        raise NotFound(f"no pre-export notification {pen_id!r} received")
    if len(rows) > 1:
        peers = ", ".join(sorted(r.peer_id for r in rows))
        raise InvalidInput(f"notification {pen_id!r} came from several peers ({peers}); name one")
    return rows[0]


def require_open(row: PrecursorMessage) -> None:
    """Conflict once a notification has its final answer: it is given once."""
    if row.state == "answered":
        raise Conflict(
            f"notification {row.id} was already answered ({row.decision})",
            code="precursor.already_answered",
        )


def note_answer(
    row: PrecursorMessage, body: PenAnswerBody, *, message_id: str, direction: str, at: datetime
) -> None:
    """Record an answer on the notification's row (sent or received alike)."""
    require_open(row)
    entry: dict[str, Any] = {
        **body.model_dump(mode="json"), "message_id": message_id, "direction": direction,
        "at": format_time(at),
    }  # fmt: skip
    row.answers = [*row.answers, entry]
    if body.decision in FINAL:
        row.state, row.decision = "answered", body.decision
    else:
        row.state = "information-requested"
    row.updated_at = at


def answer_pen(
    session: Session,
    actor: User,
    keys: NodeKeys,
    pen_id: str,
    *,
    decision: str,
    reason: str = "",
    tlp: str = "AMBER",
    peer_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Answer a notification received from a peer; the answer's message id."""
    require_decider(actor)
    now = now or utcnow()
    row = received_pen(session, pen_id, peer_id)
    # the answer is held at least as strictly as the notification it answers
    own = released_marking(session, keys, [row.peer_id], now, tlp=tlp).parsed()
    marking = own.stricter(Marking.from_dict(row.marking))
    require_release_to_peer(marking, session, keys, row.peer_id, now)
    try:
        body = PenAnswerBody(
            decision=decision,  # type: ignore[arg-type]
            reason=reason,
            marking=MarkingField.of(marking),
        )
    except ValidationError as exc:
        raise InvalidInput(exc.errors()[0]["msg"], where="decision") from None
    require_open(row)  # before anything is queued
    envelope = enqueue(
        session, keys, kind="pen-answer", body=body.model_dump(mode="json"), to=[row.peer_id],
        now=now, conversation_id=row.id, in_reply_to=row.id,
    )  # fmt: skip
    note_answer(row, body, message_id=envelope.id, direction="out", at=now)
    detail = {"decision": decision, "to": row.peer_id, "tlp": marking.tlp.value}
    record(session, actor.username, "answer", "pen", row.id, detail)
    return envelope.id


__all__ = ["FINAL", "answer_pen", "note_answer", "received_pen", "require_open"]
