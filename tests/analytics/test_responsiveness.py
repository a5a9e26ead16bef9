"""Responsiveness per partner and direction, from referral timelines; one rule for overdue."""

from datetime import timedelta
from typing import Any

import pytest
from tests.analytics.factories import NOW, referral

from jointprobe.analytics import DateRange, overdue_now, responsiveness
from jointprobe.analytics.periods import percentile
from jointprobe.cases import CaseIn, create_case
from jointprobe.exchange.workflow import is_overdue, list_referrals
from jointprobe.node import Node


def _setup(node: Node, make_user: Any) -> Any:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="x", id="c"))
        start = NOW - timedelta(days=60)  # 2024-Q4
        referral(session, "r1", created=start, due=start + timedelta(days=10), state="closed",
                 timeline={"ack": 2, "status": 24, "outcome": 100})  # fmt: skip
        referral(session, "r2", created=start, due=start + timedelta(days=10), state="accepted",
                 timeline={"ack": 10, "outcome": 400})  # fmt: skip
        referral(session, "r3", created=start, due=start + timedelta(days=10), state="declined",
                 timeline={"ack": 6})  # fmt: skip
        referral(session, "r4", created=start, due=NOW + timedelta(days=5), state="sent")
        referral(session, "in1", direction="in", peer="mx-fgr", created=NOW - timedelta(days=3),
                 due=NOW - timedelta(days=1), state="received", case_id=None)  # fmt: skip
        referral(session, "hidden", created=start, case_id="other-case", state="sent",
                 due=NOW - timedelta(days=1))  # fmt: skip
    return alice


def test_times_to_ack_status_outcome_and_share_within_due(node: Node, make_user: Any) -> None:
    alice = _setup(node, make_user)
    with node.session() as session:
        groups = {(g.peer_id, g.direction): g for g in responsiveness(session, alice, now=NOW)}
    out = groups[("cn-mps", "out")]
    assert out.quarter == "2024-Q4" and out.count == 4
    assert out.median("ack_hours") == 6 and out.median("status_hours") == 24
    assert out.median("outcome_hours") == 250 and out.p90("outcome_hours") == pytest.approx(370)
    # r1 answered in time, r2 late, r3 declined in time, r4 not due yet (not decided)
    assert (out.answered_within_due, out.due_decided) == (2, 3)
    assert out.overdue == 1  # r2: an outcome came, late, and it is not closed
    assert groups[("mx-fgr", "in")].overdue == 1


def test_overdue_is_the_nodes_one_rule(node: Node, make_user: Any) -> None:
    alice = _setup(node, make_user)
    with node.session() as session:
        shown = {r.id for r in overdue_now(session, alice, NOW)}
        by_rule = {r.id for r in list_referrals(session) if is_overdue(r, NOW)}
    assert shown == {"r2", "in1"}
    assert by_rule == {"r2", "in1", "hidden"}  # the rule finds it; need-to-know hides it


def test_a_case_the_user_may_not_see_is_left_out(node: Node, make_user: Any) -> None:
    _setup(node, make_user)
    bob = make_user(node, "bob")
    with node.session() as session:
        groups = responsiveness(session, bob, now=NOW)
    assert {g.peer_id for g in groups} == {"mx-fgr"}  # the inbox referral only


def test_range_without_referrals_gives_nothing(node: Node, make_user: Any) -> None:
    alice = _setup(node, make_user)
    period = DateRange(NOW.date().replace(year=2019), NOW.date().replace(year=2019, month=6))
    with node.session() as session:
        assert responsiveness(session, alice, period, now=NOW) == []


def test_percentile_interpolates_and_is_none_without_values() -> None:
    assert percentile([], 50) is None
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10], 90) == 10
