"""The dashboard: the user's cases, referrals in and out, RFIs with their answers,
notices received, the latest outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from jointprobe.cases.events import list_events
from jointprobe.cases.service import list_cases
from jointprobe.exchange.peers import PeerStatus, may_see_channels, peer_status
from jointprobe.exchange.tables import Referral
from jointprobe.exchange.workflow import Notice, RfiThread, answers, is_overdue, visible_notices
from jointprobe.store.tables import Case, CaseEvent, User
from jointprobe.web.pages.refdata import ItemHit, recent_hits, visible_referrals

OUTCOME_KINDS = ("arrest", "seizure", "charge", "court_outcome", "lab_result")


@dataclass
class CaseRow:
    case: Case
    events: int
    last_event: date | None


@dataclass
class Dashboard:
    cases: list[CaseRow] = field(default_factory=list)
    outcomes: list[tuple[Case, CaseEvent]] = field(default_factory=list)
    incoming: list[Referral] = field(default_factory=list)
    outgoing: list[Referral] = field(default_factory=list)
    overdue: dict[tuple[str, str], bool] = field(default_factory=dict)
    hits: list[ItemHit] = field(default_factory=list)
    rfis: list[RfiThread] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    #: peers whose channel needs an operator: parked or refused messages, or held either way
    channels: list[PeerStatus] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(self.overdue.values())


def dashboard(session: Session, user: User, outcomes: int = 12) -> Dashboard:
    board = Dashboard()
    found: list[tuple[Case, CaseEvent]] = []
    for case in list_cases(session, user):
        events = list_events(session, user, case.id)
        dated = [e.occurred_on for e in events if e.occurred_on is not None]
        board.cases.append(CaseRow(case, len(events), max(dated, default=None)))
        found.extend((case, e) for e in events if e.kind in OUTCOME_KINDS)
    found.sort(key=lambda pair: (pair[1].occurred_on or date.min, pair[1].id), reverse=True)
    board.outcomes = found[:outcomes]
    for referral in visible_referrals(session, user):
        board.overdue[(referral.id, referral.peer_id)] = is_overdue(referral)
        if referral.type == "rfi":
            board.rfis.append(RfiThread(referral, answers(session, referral)))
        else:
            (board.incoming if referral.direction == "in" else board.outgoing).append(referral)
    board.hits = recent_hits(session, user, board.incoming)
    board.notices = visible_notices(session, user, limit=5)
    if may_see_channels(user.role):
        board.channels = [s for s in peer_status(session) if s.parked or s.rejected or s.wedged]
    return board
