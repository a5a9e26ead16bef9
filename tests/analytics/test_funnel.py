"""The funnel per partner and quarter, lower bounds kept as such."""

from datetime import date, timedelta
from typing import Any

from tests.analytics.factories import NOW, referral

from jointprobe.analytics import DateRange, funnel_over_time
from jointprobe.analytics.funnel import OWN
from jointprobe.cases import CaseIn, EventIn, add_event, create_case
from jointprobe.node import Node


def test_funnel_cells_per_partner_and_quarter_with_lower_bounds(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
        create_case(session, alice, CaseIn(title="own", id="own"))
        referral(session, "r1", created=NOW - timedelta(days=400), case_id="c")
        events = [
            EventIn(kind="referral", occurred_on=date(2018, 1, 5)),
            EventIn(kind="investigation", occurred_on=date(2018, 2, 1),
                    details={"count_at_least": 26}),
            EventIn(kind="arrest", occurred_on=date(2018, 5, 1), details={"count": 3}),
            EventIn(kind="charge", occurred_on=date(2018, 5, 2)),
            EventIn(kind="court_outcome", outcome="acquitted", occurred_on=date(2018, 9, 1)),
            EventIn(kind="court_outcome", outcome="life", occurred_on=date(2018, 9, 2)),
        ]  # fmt: skip
        for event in events:
            add_event(session, alice, "c", event)
        add_event(session, alice, "own", EventIn(kind="arrest"))
    with node.session() as session:
        cells = {(c.partner, c.quarter): c for c in funnel_over_time(session, alice)}
    q1 = cells[("cn-mps", "2018-Q1")]
    assert q1.counts["investigation"] == 26 and q1.shown("investigation") == "≥ 26"
    assert q1.shown("referral") == "1"
    assert cells[("cn-mps", "2018-Q2")].counts == {
        "referral": 0, "investigation": 0, "arrest": 3, "charge": 1, "conviction": 0,
    }  # fmt: skip
    assert cells[("cn-mps", "2018-Q3")].counts["conviction"] == 1  # the acquittal is no conviction
    assert cells[(OWN, "undated")].counts["arrest"] == 1
    with node.session() as session:
        only = funnel_over_time(session, alice, DateRange(date(2018, 4, 1), date(2018, 6, 30)))
    assert [(c.partner, c.quarter) for c in only] == [("cn-mps", "2018-Q2")]
