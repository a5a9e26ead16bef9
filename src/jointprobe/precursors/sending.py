"""Sending: a pre-export notification to one regulator, reports and incidents to many.

Every path checks need-to-know (``access``) and releases each marking to each
peer through ``require_release_to_peer`` before anything is queued; the
marking travels in the body and is kept on the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases import visible_case
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Marking
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.payloads import (
    Body,
    IncidentBody,
    IncidentFields,
    MarkingField,
    PenBody,
    PenFields,
    SorBody,
    SorFields,
)
from jointprobe.exchange.tables import Peer
from jointprobe.exchange.wire import format_time
from jointprobe.exchange.workflow.release import require_release_to_peer
from jointprobe.precursors.access import require_decider, require_register
from jointprobe.precursors.forms import IncidentIn, PenIn, SorIn, fields_of
from jointprobe.precursors.records import add_row, own_marking, title_of
from jointprobe.precursors.tables import PrecursorMessage
from jointprobe.store.tables import Case, User
from jointprobe.timeutil import utcnow


@dataclass
class Shared:
    """What a report or incident went out as: its id, to whom, and who the markings kept out."""

    id: str | None
    sent_to: list[str]
    refused: dict[str, str] = field(default_factory=dict)


def send_pen(
    session: Session,
    actor: User,
    keys: NodeKeys,
    data: PenIn,
    *,
    to: str,
    now: datetime | None = None,
) -> str:
    """Notify the importing country's regulator node ``to`` of an export; the message id."""
    require_decider(actor)
    now = now or utcnow()
    if data.reply_by <= now:
        raise InvalidInput("the reply deadline (reply_by) must be in the future", where="reply_by")
    marking = own_marking(keys, data)
    require_release_to_peer(marking, session, keys, to, now)
    body = PenBody.model_validate(
        {
            **fields_of(data, PenFields),
            "reply_by": format_time(data.reply_by),
            "marking": marking.to_dict(),
        }
    ).model_dump(mode="json")
    envelope = enqueue(session, keys, kind="pen", body=body, to=[to], now=now)
    parties = f"{data.exporter.name} to {data.importer.name}"
    add_row(
        session, message_id=envelope.id, peer_id=to, kind="pen", direction="out",
        title=title_of("PEN", data.consignments, parties), body=body, marking=marking, now=now,
        due=data.reply_by, author=actor.username,
    )  # fmt: skip
    record(session, actor.username, "send", "pen", envelope.id,
           {"to": to, "reference": data.reference})  # fmt: skip
    return envelope.id


def send_sor(
    session: Session,
    actor: User,
    keys: NodeKeys,
    data: SorIn,
    *,
    peers: list[str] | None = None,
    now: datetime | None = None,
) -> Shared:
    """Report a suspicious order to ``peers`` (default: every peer the markings allow)."""
    title = title_of("SOR", data.consignments, data.customer.name)
    return _report(session, actor, keys, "sor", data, title, peers, now)


def share_incident(
    session: Session,
    actor: User,
    keys: NodeKeys,
    data: IncidentIn,
    *,
    peers: list[str] | None = None,
    now: datetime | None = None,
) -> Shared:
    """Share an incident with ``peers`` (default: every peer the markings allow)."""
    title = title_of(f"{data.type} in {data.country}", data.consignments, data.reference)
    return _report(session, actor, keys, "incident", data, title, peers, now)


_REPORTS: dict[str, tuple[type[Body], type[Body]]] = {
    "sor": (SorFields, SorBody),
    "incident": (IncidentFields, IncidentBody),
}


def _report(
    session: Session,
    actor: User,
    keys: NodeKeys,
    kind: str,
    data: SorIn | IncidentIn,
    title: str,
    peers: list[str] | None,
    now: datetime | None,
) -> Shared:
    """A report or incident a user wrote, under its marking tightened by its case, sent out."""
    require_register(actor)
    case = _case(session, actor, data.case_ref)
    marking = own_marking(keys, data, case)
    fields, model = _REPORTS[kind]
    body = model.model_validate({**fields_of(data, fields), "marking": marking.to_dict()})
    dumped = body.model_dump(mode="json")
    return _fan_out(session, actor, keys, kind, dumped, marking, title, peers, now or utcnow())


def forward_incident(
    session: Session,
    actor: User,
    keys: NodeKeys,
    incident_id: str,
    *,
    from_peer: str,
    peers: list[str] | None = None,
    now: datetime | None = None,
) -> Shared:
    """Pass a received incident on, as it came: its originator's marking decides who may have it."""
    require_register(actor)
    row = session.get(PrecursorMessage, (incident_id, from_peer))
    if row is None or row.kind != "incident" or row.direction != "in":
        raise NotFound(f"no incident {incident_id!r} received from {from_peer!r}")
    marking = Marking.from_dict(row.marking)
    body = {**row.body, "marking": MarkingField.of(marking).model_dump()}
    others = peers if peers is not None else [p for p in _partners(session) if p != from_peer]
    return _fan_out(
        session, actor, keys, "incident", body, marking, row.title, others, now or utcnow()
    )


def _case(session: Session, actor: User, case_id: str | None) -> Case | None:
    return visible_case(session, actor, case_id) if case_id else None


def _partners(session: Session) -> list[str]:
    return sorted(session.scalars(select(Peer.node_id).where(Peer.active.is_(True))))


def _fan_out(
    session: Session,
    actor: User,
    keys: NodeKeys,
    kind: str,
    body: dict[str, Any],
    marking: Marking,
    title: str,
    peers: list[str] | None,
    now: datetime,
) -> Shared:
    """Queue ``body`` to each of ``peers`` whose agreement and the marking allow it."""
    wanted = sorted(set(peers)) if peers is not None else _partners(session)
    if not wanted:
        raise InvalidInput("no peer to send to: add a peer, or name one")
    shared = Shared(None, [])
    for peer_id in wanted:
        peer = session.get(Peer, peer_id)
        if peer is None or not peer.active:
            shared.refused[peer_id] = "not an active peer of this node"
        elif kind not in peer.allowed_kinds:
            shared.refused[peer_id] = f"the agreement does not cover {kind}"
        else:
            try:
                require_release_to_peer(marking, session, keys, peer_id, now)
                shared.sent_to.append(peer_id)
            except MarkingForbidden as exc:
                shared.refused[peer_id] = exc.message
    if not shared.sent_to:
        reasons = "; ".join(f"{p}: {why}" for p, why in shared.refused.items())
        raise MarkingForbidden(f"the {kind} may go to none of the peers named ({reasons})")
    envelope = enqueue(session, keys, kind=kind, body=body, to=shared.sent_to, now=now)
    shared.id = envelope.id
    for peer_id in shared.sent_to:
        add_row(
            session, message_id=envelope.id, peer_id=peer_id, kind=kind, direction="out",
            title=title, body=body, marking=marking, now=now, author=actor.username,
        )  # fmt: skip
    detail = {"to": shared.sent_to, "refused": sorted(shared.refused)}
    record(session, actor.username, "send", kind, envelope.id, detail)
    return shared


__all__ = ["Shared", "forward_incident", "send_pen", "send_sor", "share_incident"]
