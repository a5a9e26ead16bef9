"""Notices this node sent from a case, for the /notices page.

A notice sent from a case (``workflow.notice_from_case``) leaves a note in the
case — ``details = {"notice_id": ..., "direction": "out"}`` — and one outbox
row per recipient. Its body travels sealed for the recipients, so this node
keeps its topic (in the note's title) but not its text.

Need-to-know is the case's, as for a referral linked to a case: a user sees
the notices of the cases they may see (``cases.visible_case_ids``: members;
supervisors all), and each case shown is recorded as read in the audit log,
as the case page and the dashboard do. Notices sent with ``jointprobe notice
send`` belong to no case and are not listed here (the audit log has them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.service import visible_case_ids
from jointprobe.exchange.tables import OutboxEntry
from jointprobe.store.tables import Case, CaseEvent, User

TITLE_PREFIX = "Notice to "


@dataclass
class SentNotice:
    id: str
    case_id: str
    case_title: str
    at: datetime
    by: str
    topic: str
    to: list[tuple[str, str]] = field(default_factory=list)  # (peer, delivery state)


def _topic(title: str) -> str:
    """The topic out of the note's title ``Notice to PEER, PEER: topic``."""
    _peers, sep, topic = title.removeprefix(TITLE_PREFIX).partition(": ")
    return topic if sep else title


def sent_notices(session: Session, user: User, limit: int = 50) -> list[SentNotice]:
    """Notices sent from the cases ``user`` may see, newest first (reads are audited)."""
    query = (
        select(CaseEvent, Case.title, User.username)
        .join(Case, Case.id == CaseEvent.case_id)
        .join(User, User.id == CaseEvent.created_by)
        .where(CaseEvent.kind == "note", CaseEvent.title.startswith(TITLE_PREFIX))
        .order_by(CaseEvent.id.desc())
    )
    visible = visible_case_ids(user)
    if visible is not None:
        query = query.where(CaseEvent.case_id.in_(visible))
    out: list[SentNotice] = []
    result = session.execute(query)
    try:
        for event, case_title, by in result:
            details = event.details or {}
            notice_id = details.get("notice_id")
            if details.get("direction") != "out" or not isinstance(notice_id, str):
                continue  # a note that merely starts like one
            at, topic = event.created_at, _topic(event.title)
            out.append(SentNotice(notice_id, event.case_id, case_title, at, by, topic))
            if len(out) == limit:
                break
    finally:
        result.close()
    if out:
        _add_recipients(session, out)
        # A note anyone could have written with these details names no notice we sent.
        out = [n for n in out if n.to]
    for case_id in sorted({n.case_id for n in out}):
        record(session, user.username, "read", "case", case_id, {"part": "sent_notices"})
    return out


def _add_recipients(session: Session, notices: list[SentNotice]) -> None:
    by_id = {n.id: n for n in notices}
    rows = session.execute(
        select(OutboxEntry.message_id, OutboxEntry.peer_id, OutboxEntry.state)
        .where(OutboxEntry.message_id.in_(by_id), OutboxEntry.kind == "notice")
        .order_by(OutboxEntry.peer_id)
    )
    for message_id, peer_id, state in rows:
        by_id[message_id].to.append((peer_id, state))


__all__ = ["SentNotice", "sent_notices"]
