"""One rule for "overdue": past its due date and not closed, in SQL and on a row."""

from datetime import UTC, datetime, timedelta

from jointprobe.exchange.tables import Referral
from jointprobe.exchange.workflow import CLOSED_STATES, is_overdue, list_referrals
from jointprobe.node import Node

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
PAST, FUTURE = NOW - timedelta(days=1), NOW + timedelta(days=1)
MARKING = {"tlp": "AMBER", "originator": "us-test"}


def _row(rid: str, direction: str, state: str, due: datetime | None, acked: bool) -> Referral:
    return Referral(
        id=rid, peer_id="cn-x", direction=direction, title=rid, state=state, items=[],
        marking=MARKING, due=due, acknowledged_at=NOW - timedelta(days=2) if acked else None,
    )  # fmt: skip


def test_accepted_or_unacknowledged_past_due_is_overdue_until_closed(sqlite_node: Node) -> None:
    cases = {
        "out-accepted-past": ("out", "accepted", PAST, True, True),
        "out-sent-past": ("out", "sent", PAST, False, True),
        "in-received-past": ("in", "received", PAST, False, True),
        "in-accepted-past": ("in", "accepted", PAST, True, True),
        "in-working-past": ("in", "under investigation", PAST, True, True),
        "out-accepted-future": ("out", "accepted", FUTURE, True, False),
        "out-no-due": ("out", "sent", None, False, False),
        **{f"out-{s}-past": ("out", s, PAST, True, False) for s in CLOSED_STATES},
    }
    with sqlite_node.session() as session:
        for rid, (direction, state, due, acked, _) in cases.items():
            session.add(_row(rid, direction, state, due, acked))
    with sqlite_node.session() as session:
        listed = {r.id for r in list_referrals(session, overdue_at=NOW)}
        by_row = {r.id for r in list_referrals(session) if is_overdue(r, NOW)}
    expected = {rid for rid, spec in cases.items() if spec[-1]}
    assert listed == by_row == expected
