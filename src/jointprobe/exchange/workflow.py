"""The referral workflow: send, acknowledge, report status and outcomes, ask and answer.

Service functions serve the CLI, the API and the web pages alike; each checks
need-to-know through ``cases`` and markings through ``markings.may_release``
before anything is queued. The ``@handles`` functions apply what arrives.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, cast

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from jointprobe.accounts.service import create_user
from jointprobe.audit import record
from jointprobe.cases import EventIn, add_event, can_see_case, visible_case
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.inbox import Applied, handles
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import (
    Marking,
    Tlp,
    Use,
    marking_from_store,
    may_release,
)
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.payloads import (
    AckBody,
    Item,
    MarkingField,
    NoticeBody,
    OutcomeBody,
    ReferralBody,
    RfiBody,
    RfiResponseBody,
    StatusBody,
)
from jointprobe.exchange.peers import apply_card_update, get_peer
from jointprobe.exchange.tables import Referral, ReferralEvent
from jointprobe.exchange.wire import format_time, parse_time
from jointprobe.store.tables import Case, Entity, User
from jointprobe.timeutil import utcnow

SYSTEM_USER = "exchange"
CLOSED_STATES = ("declined", "closed", "answered")


class SelectorIn(BaseModel):
    type: str = Field(min_length=1, max_length=32)
    value: str = Field(min_length=1, max_length=300)
    grading: str | None = None


class ReferralIn(BaseModel):
    """A referral as a user writes it, from a case."""

    case_id: str
    to: list[str] = Field(min_length=1)
    title: str = Field(min_length=1, max_length=300)
    narrative: str = ""
    requested_action: str = ""
    due: datetime
    selectors: list[SelectorIn] = Field(default_factory=list)
    entity_ids: list[str] = Field(default_factory=list)
    tlp: str = "AMBER"
    use: Literal["intelligence", "evidential"] = "intelligence"
    consent: list[str] = Field(default_factory=list)
    grading: str | None = None
    expires: datetime | None = None

    @field_validator("due", "expires")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """A time without an offset is taken as UTC (the wire carries UTC only)."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _marking(keys: NodeKeys, data: ReferralIn, grading: str | None = None) -> Marking:
    return Marking.from_dict(
        {
            "tlp": data.tlp,
            "originator": keys.node_id,
            "use": data.use,
            "consent": data.consent,
            "expires": format_time(data.expires) if data.expires else None,
            "grading": grading or data.grading,
        }
    )


def _require(
    marking: Marking, session: Session, keys: NodeKeys, peer_id: str, now: datetime
) -> None:
    peer = get_peer(session, peer_id)
    decision = may_release(
        marking, peer_id, holder=keys.node_id, now=now, max_tlp=Tlp.parse(peer.max_tlp)
    )
    if not decision:
        raise MarkingForbidden(f"cannot send to {peer_id}: {decision.reason}")


def _items(session: Session, keys: NodeKeys, data: ReferralIn, case_id: str) -> list[Item]:
    items: list[Item] = []
    for index, sel in enumerate(data.selectors):
        marking = _marking(keys, data, sel.grading)
        items.append(
            Item.model_validate(
                {
                    "item_id": f"sel-{index + 1}",
                    "type": "selector",
                    "selector": {"type": sel.type, "value": sel.value},
                    "marking": marking.to_dict(),
                }
            )
        )
    for entity_id in data.entity_ids:
        entity = session.get(Entity, entity_id)
        if entity is None or entity.case_id != case_id:
            raise NotFound(f"no entity {entity_id!r} in case {case_id}")
        marking = marking_from_store(
            entity.tlp, entity.handling, entity.grading, originator=keys.node_id
        )
        items.append(
            Item.model_validate(
                {
                    "item_id": entity.id,
                    "type": "entity",
                    "entity": {
                        "id": entity.id,
                        "schema": entity.schema,
                        "properties": entity.properties,
                    },
                    "marking": marking.to_dict(),
                }
            )
        )
    return items


def send_referral(
    session: Session, actor: User, keys: NodeKeys, data: ReferralIn, *, now: datetime | None = None
) -> str:
    """Refer selectors and entities of a case to peers; returns the referral id."""
    now = now or utcnow()
    case = visible_case(session, actor, data.case_id)
    items = _items(session, keys, data, case.id)
    overall = _marking(keys, data)
    for peer_id in data.to:
        for marking in [overall, *(item.marking.parsed() for item in items)]:
            _require(marking, session, keys, peer_id, now)
    body = ReferralBody(
        title=data.title,
        narrative=data.narrative,
        requested_action=data.requested_action,
        due=format_time(data.due),
        case_ref=case.id,
        items=items,
        marking=MarkingField.of(overall),
    )
    envelope = enqueue(session, keys, kind="referral", body=body.model_dump(), to=data.to, now=now)
    for peer_id in sorted(set(data.to)):
        session.add(
            Referral(
                id=envelope.id,
                peer_id=peer_id,
                type="referral",
                direction="out",
                case_id=case.id,
                title=data.title,
                narrative=data.narrative,
                requested_action=data.requested_action,
                due=data.due,
                state="sent",
                items=[item.model_dump() for item in items],
                marking=overall.to_dict(),
                created_at=now,
                updated_at=now,
            )
        )
        _timeline(session, envelope.id, peer_id, envelope.id, "sent", f"referral sent to {peer_id}")
    add_event(
        session,
        actor,
        case.id,
        EventIn(
            kind="referral",
            title=f"Referral to {', '.join(sorted(set(data.to)))}: {data.title}",
            details={"referral_id": envelope.id, "direction": "out", "items": len(items)},
            tlp=overall.tlp.value,
        ),
    )
    record(session, actor.username, "send", "referral", envelope.id, {"to": sorted(set(data.to))})
    return envelope.id


def get_referral(session: Session, referral_id: str, peer_id: str | None = None) -> Referral:
    query = select(Referral).where(Referral.id == referral_id)
    if peer_id:
        query = query.where(Referral.peer_id == peer_id)
    referral = session.scalars(query).first()
    if referral is None:
        raise NotFound(f"no referral {referral_id!r}")
    return referral


def list_referrals(
    session: Session, *, direction: str | None = None, overdue_at: datetime | None = None
) -> list[Referral]:
    """Referrals, newest first; with ``overdue_at`` only open ones past their due date."""
    query = select(Referral).order_by(Referral.created_at.desc())
    if direction:
        query = query.where(Referral.direction == direction)
    if overdue_at is not None:
        query = query.where(Referral.due < overdue_at, Referral.state.not_in(CLOSED_STATES))
    return list(session.scalars(query))


INBOX_ROLES = ("analyst", "liaison", "supervisor")


def can_see_referral(session: Session, user: User, referral: Referral) -> bool:
    """Need-to-know for referrals: through the linked case, else the liaison inbox.

    A referral linked to a case is visible exactly when the case is; a received
    referral not yet linked to a case sits in the node's inbox, which liaison
    officers, analysts and supervisors triage (not chemists or admins).
    """
    if referral.case_id is not None:
        case = session.get(Case, referral.case_id)
        return case is not None and can_see_case(session, user, case)
    return user.role in INBOX_ROLES


def visible_referrals(
    session: Session,
    user: User,
    *,
    direction: str | None = None,
    overdue_at: datetime | None = None,
) -> list[Referral]:
    """The referrals ``user`` may see, newest first."""
    rows = list_referrals(session, direction=direction, overdue_at=overdue_at)
    return [row for row in rows if can_see_referral(session, user, row)]


def visible_referral(session: Session, user: User, referral_id: str) -> list[Referral]:
    """Rows of one referral (one per counterpart) that ``user`` may see; NotFound if none."""
    rows = session.scalars(select(Referral).where(Referral.id == referral_id))
    shown = sorted(
        (row for row in rows if can_see_referral(session, user, row)), key=lambda r: r.peer_id
    )
    if not shown:
        raise NotFound(f"no referral {referral_id!r}")
    return shown


def timeline(session: Session, referral_id: str) -> list[ReferralEvent]:
    query = select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
    return list(session.scalars(query.order_by(ReferralEvent.id)))


def _incoming(session: Session, actor: User, referral_id: str, peer_id: str | None) -> Referral:
    referral = get_referral(session, referral_id, peer_id)
    if referral.direction != "in":
        raise InvalidInput("only a referral received from a peer can be answered")
    if referral.case_id:
        visible_case(session, actor, referral.case_id)
    return referral


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
    envelope = enqueue(
        session, keys, kind="ack", body=body.model_dump(), to=[referral.peer_id], now=now,
        conversation_id=referral.id, in_reply_to=referral.id,
    )  # fmt: skip
    referral.state = "accepted" if decision == "accept" else "declined"
    referral.reason, referral.acknowledged_at, referral.updated_at = reason, now, now
    _timeline(session, referral.id, referral.peer_id, envelope.id, "ack", f"{decision}: {reason}")
    record(session, actor.username, "ack", "referral", referral.id, {"decision": decision})
    return envelope.id


def _reply_marking(keys: NodeKeys, tlp: str, use: str = "intelligence") -> MarkingField:
    return MarkingField.of(Marking(Tlp.parse(tlp), keys.node_id, Use(use), frozenset(), None, None))


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
    now = now or utcnow()
    referral = _incoming(session, actor, referral_id, peer_id)
    marking = _reply_marking(keys, tlp)
    _require(marking.parsed(), session, keys, referral.peer_id, now)
    body = StatusBody(state=state, note=note, marking=marking)
    envelope = enqueue(
        session, keys, kind="status", body=body.model_dump(), to=[referral.peer_id], now=now,
        conversation_id=referral.id, in_reply_to=referral.id,
    )  # fmt: skip
    referral.state, referral.updated_at = state, now
    _timeline(session, referral.id, referral.peer_id, envelope.id, "status", f"{state}: {note}")
    record(session, actor.username, "status", "referral", referral.id, {"state": state})
    return envelope.id


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
    now = now or utcnow()
    referral = _incoming(session, actor, referral_id, peer_id)
    marking = _reply_marking(keys, tlp, use)
    _require(marking.parsed(), session, keys, referral.peer_id, now)
    body = OutcomeBody.model_validate({"outcomes": outcomes, "marking": marking.model_dump()})
    envelope = enqueue(
        session, keys, kind="outcome", body=body.model_dump(), to=[referral.peer_id], now=now,
        conversation_id=referral.id, in_reply_to=referral.id,
    )  # fmt: skip
    referral.updated_at = now
    summary = "; ".join(o.description for o in body.outcomes)[:2000]
    _timeline(session, referral.id, referral.peer_id, envelope.id, "outcome", summary)
    record(session, actor.username, "outcome", "referral", referral.id, {"n": len(outcomes)})
    return envelope.id


def send_rfi(
    session: Session,
    actor: User,
    keys: NodeKeys,
    *,
    to: str,
    question: str,
    case_id: str | None = None,
    due: datetime | None = None,
    tlp: str = "AMBER",
    now: datetime | None = None,
) -> str:
    """Ask a peer a question (a request for information)."""
    now = now or utcnow()
    if case_id:
        visible_case(session, actor, case_id)
    marking = _reply_marking(keys, tlp)
    _require(marking.parsed(), session, keys, to, now)
    body = RfiBody(question=question, due=format_time(due) if due else None, marking=marking)
    envelope = enqueue(session, keys, kind="rfi", body=body.model_dump(), to=[to], now=now)
    session.add(
        Referral(
            id=envelope.id, peer_id=to, type="rfi", direction="out", case_id=case_id,
            title=question[:300], narrative=question, due=due, state="sent", items=[],
            marking=marking.model_dump(), created_at=now, updated_at=now,
        )
    )  # fmt: skip
    _timeline(session, envelope.id, to, envelope.id, "rfi", question[:500])
    record(session, actor.username, "send", "rfi", envelope.id, {"to": to})
    return envelope.id


def answer_rfi(
    session: Session,
    actor: User,
    keys: NodeKeys,
    rfi_id: str,
    *,
    answer: str,
    tlp: str = "AMBER",
    now: datetime | None = None,
) -> str:
    now = now or utcnow()
    rfi = _incoming(session, actor, rfi_id, None)
    marking = _reply_marking(keys, tlp)
    _require(marking.parsed(), session, keys, rfi.peer_id, now)
    body = RfiResponseBody(answer=answer, marking=marking)
    envelope = enqueue(
        session, keys, kind="rfi-response", body=body.model_dump(), to=[rfi.peer_id], now=now,
        conversation_id=rfi.id, in_reply_to=rfi.id,
    )  # fmt: skip
    rfi.state, rfi.updated_at = "answered", now
    _timeline(session, rfi.id, rfi.peer_id, envelope.id, "rfi-response", answer[:500])
    return envelope.id


# --- applying what arrives -----------------------------------------------------


def _timeline(
    session: Session,
    referral_id: str,
    peer_id: str,
    message_id: str | None,
    kind: str,
    summary: str,
    body: dict[str, Any] | None = None,
) -> None:
    session.add(
        ReferralEvent(
            referral_id=referral_id, peer_id=peer_id, message_id=message_id, kind=kind,
            at=utcnow(), summary=summary[:4000], body=body or {},
        )
    )  # fmt: skip


def system_user(session: Session) -> User:
    """The account under which arriving messages write into case timelines."""
    user = session.scalar(select(User).where(User.username == SYSTEM_USER))
    if user is None:
        user = create_user(
            session, SYSTEM_USER, "supervisor", display_name="Federated exchange (system)"
        )
    return user


def _case_note(
    session: Session, referral: Referral, title: str, event: EventIn | None = None
) -> None:
    if not referral.case_id:
        return
    actor = system_user(session)
    add_event(session, actor, referral.case_id, event or EventIn(kind="note", title=title[:500]))


_REFERRALS = cast(Table, Referral.__table__)
_REFERRAL_EVENTS = cast(Table, ReferralEvent.__table__)


@handles("referral")
def _on_referral(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, ReferralBody)
    entry = msg.entry
    taken = select(_REFERRALS.c.id).where(
        _REFERRALS.c.id == entry.message_id, _REFERRALS.c.peer_id == entry.sender
    )
    if session.execute(taken).first() is not None:
        # a peer cannot reuse the id of a referral we exchanged with it
        raise InvalidInput(f"referral id {entry.message_id} is already in use with this peer")
    # Plain (Core) INSERTs, executed at once: a hook's first query would
    # otherwise autoflush these two objects through the unit of work, message
    # by message, which costs several times the statements themselves.
    session.execute(
        insert(_REFERRALS),
        [
            dict(
                id=entry.message_id, peer_id=entry.sender, type="referral", direction="in",
                remote_case_ref=body.case_ref, title=body.title, narrative=body.narrative,
                requested_action=body.requested_action, due=parse_time(body.due, field="due"),
                state="received", items=[i.model_dump() for i in body.items],
                marking=body.marking.model_dump(), created_at=entry.received_at,
                updated_at=entry.received_at,
            )
        ],
    )  # fmt: skip
    session.execute(
        insert(_REFERRAL_EVENTS),
        [
            dict(
                referral_id=entry.message_id, peer_id=entry.sender, message_id=entry.message_id,
                kind="received", at=utcnow(), summary=body.title[:4000], body={},
            )
        ],
    )  # fmt: skip
    for hook in REFERRAL_HOOKS:
        hook(session, msg)


#: Functions called when a referral is applied (e.g. instant selector hits, lead routing).
REFERRAL_HOOKS: list[Any] = []


@handles("rfi")
def _on_rfi(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, RfiBody)
    entry = msg.entry
    session.add(
        Referral(
            id=entry.message_id, peer_id=entry.sender, type="rfi", direction="in",
            title=body.question[:300], narrative=body.question,
            due=parse_time(body.due, field="due") if body.due else None, state="received",
            items=[i.model_dump() for i in body.items], marking=body.marking.model_dump(),
            created_at=entry.received_at, updated_at=entry.received_at,
        )
    )  # fmt: skip
    _timeline(session, entry.message_id, entry.sender, entry.message_id, "rfi", body.question)


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


@handles("ack")
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
    _timeline(session, referral.id, referral.peer_id, msg.entry.message_id, "ack", text)
    _case_note(session, referral, text)


@handles("status")
def _on_status(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, StatusBody)
    referral = _answered(session, msg)
    referral.state, referral.updated_at = body.state, msg.entry.received_at
    text = f"Status from {msg.entry.sender}: {body.state}" + (
        f" — {body.note}" if body.note else ""
    )
    _timeline(session, referral.id, referral.peer_id, msg.entry.message_id, "status", text)
    _case_note(session, referral, text)


@handles("outcome")
def _on_outcome(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, OutcomeBody)
    referral = _answered(session, msg)
    referral.updated_at = msg.entry.received_at
    for outcome in body.outcomes:
        text = f"Outcome from {msg.entry.sender}: {outcome.description}"
        _timeline(
            session, referral.id, referral.peer_id, msg.entry.message_id, "outcome", text,
            outcome.model_dump(),
        )  # fmt: skip
        _case_note(session, referral, text, _event_for(outcome.model_dump(), text, body))


_EVENT_KIND = {
    "arrest": "arrest",
    "seizure": "seizure",
    "charge": "charge",
    "indictment": "charge",
    "sentence": "court_outcome",
    "investigation": "investigation",
}


def _event_for(outcome: dict[str, Any], text: str, body: OutcomeBody) -> EventIn:
    """A case event for an outcome; a plain note when the details do not fit one."""
    details = dict(outcome.get("details") or {})
    marking = body.marking
    try:
        quantity = details.get("quantity")
        return EventIn(
            kind=_EVENT_KIND.get(outcome["type"], "note"),
            title=text[:500],
            occurred_on=_date(outcome.get("date")),
            place=details.get("place"),
            substance=details.get("substance"),
            quantity=Decimal(str(quantity)) if quantity is not None else None,
            unit=details.get("unit"),
            outcome=details.get("outcome"),
            term_months=details.get("term_months"),
            details={**details, "via": "exchange"},
            tlp=marking.tlp,
            grading=marking.grading,
        )
    except (ValueError, InvalidOperation):
        return EventIn(kind="note", title=text[:500], details={**details, "via": "exchange"})


def _date(text: str | None) -> Any:
    if not text:
        return None
    from datetime import date

    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@handles("rfi-response")
def _on_rfi_response(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, RfiResponseBody)
    rfi = _answered(session, msg)
    rfi.state, rfi.updated_at = "answered", msg.entry.received_at
    _timeline(session, rfi.id, rfi.peer_id, msg.entry.message_id, "rfi-response", body.answer)
    _case_note(session, rfi, f"Answer from {msg.entry.sender}: {body.answer}")


@handles("notice")
def _on_notice(session: Session, msg: Applied) -> None:
    body = msg.body
    assert isinstance(body, NoticeBody)
    entry = msg.entry
    if body.topic == "card-update" and body.card_update is not None:
        card = body.card_update.get("card", {})
        if not isinstance(card, dict) or card.get("node_id") != entry.sender:
            raise InvalidInput("a card update must be about its sender")
        apply_card_update(session, body.card_update, actor=f"peer:{entry.sender}")
    _timeline(
        session, entry.conversation_id, entry.sender, entry.message_id, "notice",
        f"{body.topic}: {body.text}",
    )  # fmt: skip


def send_notice(
    session: Session,
    actor: User,
    keys: NodeKeys,
    *,
    to: list[str],
    topic: str,
    text: str = "",
    card_update: dict[str, Any] | None = None,
    tlp: str = "GREEN",
    now: datetime | None = None,
) -> str:
    now = now or utcnow()
    marking = _reply_marking(keys, tlp)
    for peer_id in to:
        _require(marking.parsed(), session, keys, peer_id, now)
    body = NoticeBody(topic=topic, text=text, card_update=card_update, marking=marking)
    envelope = enqueue(session, keys, kind="notice", body=body.model_dump(), to=to, now=now)
    record(session, actor.username, "send", "notice", envelope.id, {"to": to, "topic": topic})
    return envelope.id


__all__ = [
    "REFERRAL_HOOKS",
    "ReferralIn",
    "SelectorIn",
    "acknowledge",
    "answer_rfi",
    "get_referral",
    "list_referrals",
    "can_see_referral",
    "visible_referral",
    "visible_referrals",
    "send_notice",
    "send_outcome",
    "send_referral",
    "send_rfi",
    "send_status",
    "system_user",
    "timeline",
]
