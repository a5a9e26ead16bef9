"""Starting a conversation: referrals, requests for information and notices.

Each function checks need-to-know through ``cases`` and markings through
:func:`~jointprobe.exchange.workflow.release.require_release_to_peer` before anything
is queued.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases import EventIn, add_event, visible_case
from jointprobe.errors import NotFound
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Marking, marking_from_store
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.payloads import Item, MarkingField, NoticeBody, ReferralBody, RfiBody
from jointprobe.exchange.tables import Referral
from jointprobe.exchange.wire import format_time
from jointprobe.exchange.workflow.forms import ReferralIn
from jointprobe.exchange.workflow.records import add_timeline
from jointprobe.exchange.workflow.release import (
    referral_marking,
    released_marking,
    require_release_to_peer,
)
from jointprobe.store.tables import Case, Entity, User
from jointprobe.timeutil import utcnow


def case_marking(keys: NodeKeys, case: Case) -> Marking:
    """The case's own marking (TLP, handling, grading), which every item from it travels under."""
    return marking_from_store(case.tlp, case.handling, case.grading, originator=keys.node_id)


def _selector_items(keys: NodeKeys, data: ReferralIn, case: Case) -> list[Item]:
    """The selectors the user wrote, each under the referral's marking tightened by the case's."""
    of_case = case_marking(keys, case)
    return [
        Item.model_validate(
            {
                "item_id": f"sel-{index + 1}",
                "type": "selector",
                "selector": {"type": sel.type, "value": sel.value},
                "marking": referral_marking(keys, data, sel.grading).stricter(of_case).to_dict(),
            }
        )
        for index, sel in enumerate(data.selectors)
    ]


def _entity_item(session: Session, keys: NodeKeys, entity_id: str, case: Case) -> Item:
    """An entity of the case as it travels: under the stricter of its own and the case's marking."""
    entity = session.get(Entity, entity_id)
    if entity is None or entity.case_id != case.id:
        raise NotFound(f"no entity {entity_id!r} in case {case.id}")
    own = marking_from_store(entity.tlp, entity.handling, entity.grading, originator=keys.node_id)
    marking = own.stricter(case_marking(keys, case))
    return Item.model_validate(
        {
            "item_id": entity.id,
            "type": "entity",
            "entity": {"id": entity.id, "schema": entity.schema, "properties": entity.properties},
            "marking": marking.to_dict(),
        }
    )


def _items(session: Session, keys: NodeKeys, data: ReferralIn, case: Case) -> list[Item]:
    entities = [_entity_item(session, keys, eid, case) for eid in data.entity_ids]
    return _selector_items(keys, data, case) + entities


def send_referral(
    session: Session, actor: User, keys: NodeKeys, data: ReferralIn, *, now: datetime | None = None
) -> str:
    """Refer selectors and entities of a case to peers; returns the referral id.

    With ``data.split`` and more items than one message carries, the referral
    goes as several (:meth:`ReferralIn.parts`) and this is the first one's id;
    :func:`send_referral_parts` returns every id.
    """
    return send_referral_parts(session, actor, keys, data, now=now)[0]


def send_referral_parts(
    session: Session, actor: User, keys: NodeKeys, data: ReferralIn, *, now: datetime | None = None
) -> list[str]:
    """:func:`send_referral` for each part of ``data``; all in the caller's transaction."""
    return [_send_one(session, actor, keys, part, now=now) for part in data.parts()]


def _send_one(
    session: Session, actor: User, keys: NodeKeys, data: ReferralIn, *, now: datetime | None
) -> str:
    now = now or utcnow()
    case = visible_case(session, actor, data.case_id)
    items = _items(session, keys, data, case)
    of_case = case_marking(keys, case)
    overall = referral_marking(keys, data).stricter(of_case)
    for peer_id in data.to:
        for marking in [overall, of_case, *(item.marking.parsed() for item in items)]:
            require_release_to_peer(marking, session, keys, peer_id, now)
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
    peers = sorted(set(data.to))
    for peer_id in peers:
        session.add(
            Referral(
                id=envelope.id, peer_id=peer_id, type="referral", direction="out",
                case_id=case.id, title=data.title, narrative=data.narrative,
                requested_action=data.requested_action, due=data.due, state="sent",
                items=[item.model_dump() for item in items], marking=overall.to_dict(),
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        add_timeline(
            session, envelope.id, peer_id, envelope.id, "sent", f"referral sent to {peer_id}"
        )
    add_event(
        session,
        actor,
        case.id,
        EventIn(
            kind="referral",
            title=f"Referral to {', '.join(peers)}: {data.title}",
            details={"referral_id": envelope.id, "direction": "out", "items": len(items)},
            tlp=overall.tlp.value,
        ),
    )
    record(session, actor.username, "send", "referral", envelope.id, {"to": peers})
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
    conversation_id: str | None = None,
    now: datetime | None = None,
) -> str:
    """Ask a peer a question (a request for information).

    With ``conversation_id`` (a referral's id) the RFI travels in that
    referral's conversation (see :func:`~jointprobe.exchange.workflow.about.ask_about`).
    """
    now = now or utcnow()
    if case_id:
        visible_case(session, actor, case_id)
    marking = released_marking(session, keys, [to], now, tlp=tlp)
    body = RfiBody(question=question, due=format_time(due) if due else None, marking=marking)
    envelope = enqueue(
        session, keys, kind="rfi", body=body.model_dump(), to=[to], now=now,
        conversation_id=conversation_id,
    )  # fmt: skip
    session.add(
        Referral(
            id=envelope.id, peer_id=to, type="rfi", direction="out", case_id=case_id,
            title=question[:300], narrative=question, due=due, state="sent", items=[],
            marking=marking.model_dump(), created_at=now, updated_at=now,
        )
    )  # fmt: skip
    add_timeline(session, envelope.id, to, envelope.id, "rfi", question[:500])
    record(session, actor.username, "send", "rfi", envelope.id, {"to": to})
    return envelope.id


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
    """Tell peers something outside a referral (e.g. a card update)."""
    now = now or utcnow()
    marking = released_marking(session, keys, to, now, tlp=tlp)
    body = NoticeBody(topic=topic, text=text, card_update=card_update, marking=marking)
    envelope = enqueue(session, keys, kind="notice", body=body.model_dump(), to=to, now=now)
    record(session, actor.username, "send", "notice", envelope.id, {"to": to, "topic": topic})
    return envelope.id


__all__ = ["send_notice", "send_referral", "send_referral_parts", "send_rfi"]
