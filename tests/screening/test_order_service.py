from typing import Any

import pytest
from sqlalchemy import select
from tests.screening.factories import order

from jointprobe.accounts import get_user
from jointprobe.audit import verify
from jointprobe.cases.service import CaseIn, add_member, create_case
from jointprobe.errors import Forbidden, NotFound
from jointprobe.node import Node
from jointprobe.screening.order_reading import ReadOrder, parse_order, read_orders_text
from jointprobe.screening.order_service import (
    Filing,
    get_screening,
    list_screenings,
    screen_and_store,
)
from jointprobe.screening.order_tables import ScreenedOrder
from jointprobe.store.tables import AuditEntry


def _rows(*orders: dict[str, Any]) -> list[ReadOrder]:
    return [ReadOrder(i, order=parse_order(o, i)) for i, o in enumerate(orders, start=1)]


def _screen(node: Node, user: str, *orders: dict[str, Any], **filing: Any) -> Any:
    with node.write_session() as session:
        return screen_and_store(session, get_user(session, user), _rows(*orders), Filing(**filing))


@pytest.fixture
def users(node: Node, make_user: Any) -> Node:
    make_user(node, "alice", "analyst")
    make_user(node, "bob", "analyst")
    make_user(node, "sam", "supervisor")
    make_user(node, "root", "admin")
    return node


def test_history_comes_from_stored_orders_and_a_big_order_is_flagged(users: Node) -> None:
    months = [f"2024-{m:02d}-10" for m in (3, 6, 9)]
    usual = [order(order_id=f"PO-{i}", order_date=d) for i, d in enumerate(months)]
    first = _screen(users, "alice", *usual)
    assert [s.verdict for s in first.screenings] == ["review", "clear", "clear"]  # new, then known
    big = _screen(users, "alice", order(order_id="PO-9", quantity="5000")).screenings[0]
    flags = {r.code: r.data for r in big.reasons}
    assert flags["RF.QUANTITY"]["usual_quantity"] == "200 kg"
    assert big.verdict == "review"


def test_re_screening_an_order_does_not_count_it_as_its_own_history(users: Node) -> None:
    _screen(users, "alice", order(order_id="PO-1"))
    again = _screen(users, "alice", order(order_id="PO-1")).screenings[0]
    assert "RF.NEW_CUSTOMER" in {r.code for r in again.reasons}


def test_need_to_know_screenings_and_history_are_per_user_or_case(users: Node) -> None:
    with users.write_session() as session:
        alice = get_user(session, "alice")
        create_case(session, alice, CaseIn(id="c-kyc", title="KYC"))
    mine = _screen(users, "alice", order(order_id="PO-A")).screenings[0]
    shared = _screen(users, "alice", order(order_id="PO-B"), case_id="c-kyc").screenings[0]
    bobs = _screen(users, "bob", order(order_id="PO-C", order_date="2025-04-01"))
    assert "RF.NEW_CUSTOMER" in {r.code for r in bobs.screenings[0].reasons}  # alice's unseen
    with users.write_session() as session:
        bob, sam = get_user(session, "bob"), get_user(session, "sam")
        assert {r.order_ref for r in list_screenings(session, bob)} == {"PO-C"}
        with pytest.raises(NotFound):
            get_screening(session, bob, mine.id)
        add_member(session, get_user(session, "alice"), "c-kyc", "bob")
        assert get_screening(session, bob, shared.id).order_ref == "PO-B"
        assert len(list(list_screenings(session, sam))) == 3


def test_an_admin_may_not_screen_and_a_hidden_case_is_not_found(users: Node) -> None:
    with users.write_session() as session:
        create_case(session, get_user(session, "alice"), CaseIn(id="c-hidden", title="H"))
    with pytest.raises(Forbidden):
        _screen(users, "root", order())
    with pytest.raises(NotFound):
        _screen(users, "bob", order(), case_id="c-hidden")
    with users.session() as session:
        assert session.scalars(select(ScreenedOrder)).all() == []


def test_bad_lines_are_reported_the_rest_stored_with_markings_and_audit(users: Node) -> None:
    text = "\n".join(['{"order_date": "2025-01-01"}', '{"x": 1'])
    rows = list(read_orders_text(text, "jsonl")) + _rows(order(order_id="PO-OK"))
    with users.write_session() as session:
        batch = screen_and_store(session, get_user(session, "alice"), rows,
                                 Filing(tlp="RED", fictional=True))  # fmt: skip
    assert [line for line, _ in batch.errors] == [1, 2]
    assert "buyer: Field required" in str(batch.errors[0][1])
    with users.session() as session:
        [row] = session.scalars(select(ScreenedOrder)).all()
        assert (row.order_ref, row.tlp, row.fictional) == ("PO-OK", "RED", True)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.object_id == row.id)).all()
        assert [a.action for a in audit] == ["screen"]
        assert verify(session).ok


def test_a_failure_mid_batch_leaves_nothing_written(users: Node) -> None:
    rows = _rows(order(order_id="PO-1"), order(order_id="PO-2"))

    def boom(_n: int) -> None:
        if boom.calls:  # type: ignore[attr-defined]
            raise RuntimeError("disk gone")
        boom.calls = 1  # type: ignore[attr-defined]

    boom.calls = 0  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError), users.write_session() as session:
        screen_and_store(session, get_user(session, "alice"), rows, on_each=boom)
    with users.session() as session:
        assert session.scalars(select(ScreenedOrder)).all() == []
