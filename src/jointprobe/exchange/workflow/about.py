"""Messages about a referral or a case, and what was exchanged about a referral.

- :func:`ask_about` sends an RFI to a referral's counterpart, in the
  referral's conversation, so both nodes list it with the referral.
- :func:`notice_from_case` sends a notice and notes it in the case.
- :func:`exchanged` reads back, for a referral, its outcomes and its RFIs with
  their answers, each with the marking it travelled with.
- :func:`visible_notices` is need-to-know for received notices: like a
  referral not yet linked to a case, they sit in the liaison inbox.

Visibility goes through :func:`can_see_referral` and ``cases.visible_case``,
as everywhere else in the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.cases import EventIn, add_event, visible_case
from jointprobe.errors import NotFound
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.tables import InboxEntry, Referral, ReferralEvent
from jointprobe.exchange.workflow.queries import INBOX_ROLES, can_see_referral, timeline
from jointprobe.exchange.workflow.records import add_timeline
from jointprobe.exchange.workflow.sending import send_notice, send_rfi
from jointprobe.store.tables import User


def ask_about(
    session: Session,
    actor: User,
    keys: NodeKeys,
    referral_id: str,
    *,
    peer_id: str,
    question: str,
    due: datetime | None = None,
    tlp: str = "AMBER",
) -> str:
    """Ask ``peer_id`` (a counterpart of the referral) a question about it; the RFI's id."""
    referral = session.get(Referral, (referral_id, peer_id))
    if referral is None or not can_see_referral(session, actor, referral):
        raise NotFound(f"no referral {referral_id!r} with {peer_id!r}")
    rfi_id = send_rfi(
        session, actor, keys, to=peer_id, question=question, case_id=referral.case_id, due=due,
        tlp=tlp, conversation_id=referral.id,
    )  # fmt: skip
    add_timeline(session, referral.id, peer_id, rfi_id, "rfi", question[:500])
    return rfi_id


def notice_from_case(
    session: Session,
    actor: User,
    keys: NodeKeys,
    case_id: str,
    *,
    to: list[str],
    topic: str,
    text: str = "",
    tlp: str = "GREEN",
) -> str:
    """Send a notice written from a case (a member's), and note it in the case's timeline."""
    case = visible_case(session, actor, case_id)
    notice_id = send_notice(session, actor, keys, to=to, topic=topic, text=text, tlp=tlp)
    title = f"Notice to {', '.join(sorted(set(to)))}: {topic}"
    details = {"notice_id": notice_id, "direction": "out"}
    add_event(session, actor, case.id, EventIn(kind="note", title=title[:500], details=details))
    return notice_id


@dataclass
class Exchanged:
    """One outcome or answer as exchanged: who, when, what, and its marking."""

    peer_id: str
    direction: str  # "in" (a peer sent it to us) or "out" (we sent it)
    at: datetime
    kind: str
    text: str
    marking: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class RfiThread:
    rfi: Referral
    answers: list[Exchanged]


@dataclass
class AboutReferral:
    outcomes: list[Exchanged] = field(default_factory=list)
    rfis: list[RfiThread] = field(default_factory=list)


def _received_body(session: Session, event: ReferralEvent) -> dict[str, Any] | None:
    if event.message_id is None:
        return None
    query = select(InboxEntry.body).where(
        InboxEntry.sender == event.peer_id, InboxEntry.message_id == event.message_id
    )
    body: dict[str, Any] | None = session.scalar(query)
    return body


def _entries(session: Session, referral: Referral, kind: str) -> list[Exchanged]:
    """A referral row's ``kind`` entries, each with its marking (from the message's body)."""
    out = []
    for event in timeline(session, referral.id, referral.peer_id):
        if event.kind != kind:
            continue
        received = _received_body(session, event)
        body = received if received is not None else event.body
        marking = (body.get("marking") or {}) if body else {}
        direction = "in" if received is not None else "out"
        if kind == "outcome" and direction == "out" and body.get("outcomes"):
            for outcome in body["outcomes"]:
                out.append(_outcome(referral, event, direction, outcome, marking))
        elif kind == "outcome" and direction == "in":
            out.append(_outcome(referral, event, direction, event.body, marking))
        else:
            out.append(
                Exchanged(referral.peer_id, direction, event.at, kind, event.summary, marking)
            )
    return out


def _outcome(
    referral: Referral,
    event: ReferralEvent,
    direction: str,
    outcome: dict[str, Any],
    marking: dict[str, Any],
) -> Exchanged:
    details = {k: v for k, v in (outcome.get("details") or {}).items() if v not in (None, "")}
    if outcome.get("date"):
        details = {"date": outcome["date"], **details}
    return Exchanged(
        referral.peer_id,
        direction,
        event.at,
        str(outcome.get("type") or "outcome"),
        str(outcome.get("description") or event.summary),
        marking,
        details,
    )


def _rfis(session: Session, actor: User, rows: list[Referral]) -> list[Referral]:
    """RFIs in the conversation of ``rows``: ones we asked, and ones peers asked us."""
    ids: set[tuple[str, str]] = set()
    for row in rows:
        for event in timeline(session, row.id, row.peer_id):
            if event.kind == "rfi" and event.message_id and event.message_id != row.id:
                ids.add((event.message_id, row.peer_id))
        asked = select(InboxEntry.message_id).where(
            InboxEntry.conversation_id == row.id,
            InboxEntry.sender == row.peer_id,
            InboxEntry.kind == "rfi",
        )
        ids.update((m, row.peer_id) for m in session.scalars(asked) if m != row.id)
    found = [session.get(Referral, key) for key in sorted(ids)]
    shown = [r for r in found if r is not None and can_see_referral(session, actor, r)]
    return sorted(shown, key=lambda r: r.created_at)


def exchanged(session: Session, actor: User, rows: list[Referral]) -> AboutReferral:
    """Outcomes, and RFIs with their answers, of a referral's rows (already visible ones)."""
    about = AboutReferral()
    for row in rows:
        about.outcomes.extend(_entries(session, row, "outcome"))
    about.outcomes.sort(key=lambda e: e.at)
    for rfi in _rfis(session, actor, rows):
        about.rfis.append(RfiThread(rfi, _entries(session, rfi, "rfi-response")))
    return about


def subject_of(session: Session, actor: User, rfi: Referral) -> Referral | None:
    """The referral an RFI was asked about (:func:`ask_about`), if ``actor`` may see it."""
    asked = select(ReferralEvent.referral_id).where(
        ReferralEvent.kind == "rfi",
        ReferralEvent.message_id == rfi.id,
        ReferralEvent.referral_id != rfi.id,
        ReferralEvent.peer_id == rfi.peer_id,
    )
    received = select(InboxEntry.conversation_id).where(
        InboxEntry.message_id == rfi.id, InboxEntry.sender == rfi.peer_id
    )
    for referral_id in [*session.scalars(asked), *session.scalars(received)]:
        referral = session.get(Referral, (referral_id, rfi.peer_id))
        if referral is not None and referral.id != rfi.id:
            return referral if can_see_referral(session, actor, referral) else None
    return None


def answers(session: Session, rfi: Referral) -> list[Exchanged]:
    """The answers to one RFI (a visible row), each with its marking."""
    return _entries(session, rfi, "rfi-response")


@dataclass
class Notice:
    id: str
    peer_id: str
    at: datetime
    topic: str
    text: str
    marking: dict[str, Any]


def visible_notices(session: Session, actor: User, limit: int = 50) -> list[Notice]:
    """Notices received from peers, newest first, for users who triage the inbox."""
    if actor.role not in INBOX_ROLES:
        return []
    query = (
        select(ReferralEvent)
        .where(ReferralEvent.kind == "notice")
        .order_by(ReferralEvent.id.desc())
        .limit(limit)
    )
    out = []
    for event in session.scalars(query):
        body = _received_body(session, event) or {}
        out.append(
            Notice(
                event.message_id or event.referral_id, event.peer_id, event.at,
                str(body.get("topic") or event.summary.partition(":")[0]),
                str(body.get("text") or ""), body.get("marking") or {},
            )
        )  # fmt: skip
    return out


__all__ = [
    "AboutReferral",
    "Exchanged",
    "Notice",
    "RfiThread",
    "answers",
    "ask_about",
    "exchanged",
    "notice_from_case",
    "subject_of",
    "visible_notices",
]
