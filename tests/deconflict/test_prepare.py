"""A start answers at once (issue 15): the request checks and counts, the worker reads,
orders, keeps and offers the set; a failure in that preparation is a closed session
with a code, in the audit, and the peer (which heard nothing) is not messaged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jointprobe import deconflict
from jointprobe.deconflict import service, worker
from jointprobe.deconflict.errors import CapExceeded, RateLimited
from jointprobe.deconflict.store import get_selectors
from jointprobe.deconflict.worker import run_pending
from jointprobe.entities import add_entity
from jointprobe.errors import StorageError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.tables import OutboxEntry
from jointprobe.store.tables import AuditEntry, Selector, User

from .pairs import CN, Carrier, case_with_phones, sessions, two_nodes, user

PHONES = ["+86 311 5555 0101", "+1 504 555 0101", "+1 504 555 0102"]


def _start(node: Any) -> str:
    with node.write_session() as s:
        return deconflict.start(
            s, user(node), node_keys(node), node.settings, peer=CN, case_id="diana"
        ).id


def _outbox(node: Any) -> list[str]:
    with node.session() as s:
        return list(s.scalars(select(OutboxEntry.kind).order_by(OutboxEntry.seq)))


def _pair(tmp_path: Path) -> tuple[Any, Any]:
    us, cn = two_nodes(tmp_path)
    case_with_phones(us, "diana", PHONES)
    case_with_phones(cn, "xingtai", PHONES[:2])
    return us, cn


def _unread(*args: Any) -> Any:
    raise AssertionError("the request read the selectors (it must only count them)")


def _audit(node: Any, sid: str) -> list[tuple[str, str, dict[str, Any]]]:
    with node.session() as s:
        rows = s.scalars(
            select(AuditEntry).where(AuditEntry.object_id == sid).order_by(AuditEntry.id)
        )
        return [(e.actor, e.action, dict(e.detail)) for e in rows]


def test_the_start_counts_and_answers_and_the_worker_reads_orders_and_offers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, cn = _pair(tmp_path)

    with monkeypatch.context() as patch:  # the request counts them, never reads them
        patch.setattr(worker, "case_selectors", _unread)
        patch.setattr(service, "case_selectors", _unread)
        sid = _start(us)
    [row] = sessions(us)
    assert (row.state, row.work, row.own_size, row.scalar) == ("preparing", "prepare", 3, None)
    assert _outbox(us) == []  # nothing goes to the peer before the set is ready
    with us.session() as s:
        assert get_selectors(s, sid) == []
    assert [(a, act) for a, act, _ in _audit(us, sid)] == [("analyst", "start")]

    assert run_pending(us) >= 1
    [row] = sessions(us)
    assert (row.state, row.work, row.own_size) == ("offered", None, 3)
    assert _outbox(us) == ["psi-offer", "psi-points"]  # the offer, then x
    with us.session() as s:
        assert sorted(get_selectors(s, sid)) == sorted(
            s.execute(
                select(Selector.kind, Selector.value).where(
                    Selector.case_id == "diana", Selector.kind == "phone"
                )
            )
        )
    assert ("deconfliction", "offer", {"peer": CN, "case": "diana", "own_size": 3}) in _audit(
        us, sid
    )
    carrier = Carrier()
    carrier.carry(us, cn)
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai")
    carrier.settle(us, cn)
    assert [(r.state, r.count) for r in sessions(us)] == [("counted", 2)]


def test_caps_are_refused_in_the_request(tmp_path: Path) -> None:
    us, _cn = two_nodes(tmp_path, deconflict_max_elements=2)
    case_with_phones(us, "diana", PHONES)
    with pytest.raises(CapExceeded, match="3 selectors"):
        _start(us)
    assert sessions(us) == []

    quota, _ = two_nodes(tmp_path / "quota", deconflict_sessions_per_day=1)
    case_with_phones(quota, "diana", PHONES)
    _start(quota)
    with pytest.raises(RateLimited):
        _start(quota)
    assert len(sessions(quota)) == 1


def test_a_set_grown_past_the_cap_before_preparation_closes_the_session(tmp_path: Path) -> None:
    us, _cn = two_nodes(tmp_path, deconflict_max_elements=3)
    case_with_phones(us, "diana", PHONES)
    sid = _start(us)
    with us.write_session() as s:  # a fourth phone lands before the worker reads the set
        actor = s.scalars(select(User).where(User.username == "analyst")).one()
        add_entity(s, actor, {"id": "diana-late", "schema": "Person",
                              "properties": {"name": ["Late"], "phone": ["+1 504 555 0199"]}},
                   case_id="diana", fictional=True)  # fmt: skip

    run_pending(us)
    [row] = sessions(us)
    assert (row.state, row.work, row.code) == ("closed", None, "deconflict.cap_exceeded")
    assert "more than 3 selectors" in (row.reason or "")
    with us.session() as s:
        shown = deconflict.view(s, user(us), sid)
    assert (shown.state, shown.code) == ("closed", "deconflict.cap_exceeded")
    assert _outbox(us) == []  # the peer never heard of the session: nothing to tell it
    close = [d for _, act, d in _audit(us, sid) if act == "close"]
    assert close == [{"peer": CN, "code": "deconflict.cap_exceeded", "was": "preparing",
                      "own_size": 3, "peer_size": 0, "told_peer": False}]  # fmt: skip


def _bulk_import(node: Any, case_id: str, count: int) -> None:
    """``count`` more phones in ``case_id`` after the request counted it (a bulk import)."""
    with node.write_session() as s:
        actor = s.scalars(select(User).where(User.username == "analyst")).one()
        add_entity(s, actor, {"id": f"{case_id}-bulk", "schema": "Person",
                              "properties": {"name": ["Bulk"], "phone": ["+1 504 555 0999"]}},
                   case_id=case_id, fictional=True)  # fmt: skip
        s.add_all(
            Selector(kind="phone", value=f"+1504556{i:04d}", entity_id=f"{case_id}-bulk",
                     case_id=case_id)
            for i in range(count)
        )  # fmt: skip


def _spy_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many selectors each preparation read; the ordering must never run."""
    read: list[int] = []
    real = service.case_selectors

    def counted(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        rows = real(*args, **kwargs)
        read.append(len(rows))
        return rows

    def unordered(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a set past the cap was ordered before it was refused")

    monkeypatch.setattr(worker, "case_selectors", counted)
    monkeypatch.setattr(worker, "order_selectors", unordered)
    return read


def test_a_set_grown_far_past_the_cap_is_read_only_to_one_past_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, _cn = two_nodes(tmp_path, deconflict_max_elements=10)
    case_with_phones(us, "diana", [f"+1 504 555 01{i:02d}" for i in range(5)])
    _start(us)
    _bulk_import(us, "diana", 1_000)

    read = _spy_read(monkeypatch)
    run_pending(us)
    assert read == [11]  # the LIMIT is in the SQL: not the 1,006 the case now holds
    [row] = sessions(us)
    assert (row.state, row.work, row.code) == ("closed", None, "deconflict.cap_exceeded")
    assert "more than 10 selectors" in (row.reason or "")
    assert _outbox(us) == []


def test_a_storage_failure_in_preparation_is_reported_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, _cn = two_nodes(tmp_path)
    case_with_phones(us, "diana", PHONES)
    sid = _start(us)

    def broken(*args: Any) -> None:
        raise StorageError("database error: disk I/O error")

    monkeypatch.setattr(worker, "send_prepared", broken)
    assert run_pending(us) == 1  # counted as run: no spin on the failed session
    [row] = sessions(us)
    assert (row.state, row.work, row.code) == ("closed", None, "deconflict.step_failed")
    assert "disk I/O error" in (row.reason or "")
    assert row.scalar is None
    assert _outbox(us) == []
    assert [d["told_peer"] for _, act, d in _audit(us, sid) if act == "close"] == [False]


def test_a_decline_while_preparing_drops_the_work_and_tells_no_one(tmp_path: Path) -> None:
    us, _cn = two_nodes(tmp_path)
    case_with_phones(us, "diana", PHONES)
    sid = _start(us)
    with us.write_session() as s:
        deconflict.decline(s, user(us), node_keys(us), sid)
    assert run_pending(us) == 0
    [row] = sessions(us)
    assert (row.state, row.code) == ("closed", "deconflict.declined")
    assert _outbox(us) == []


def test_a_join_counts_and_answers_and_the_worker_sends_the_accept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, cn = _pair(tmp_path)
    sid = _start(us)
    carrier = Carrier()
    run_pending(us)
    carrier.carry(us, cn)  # the offer and x

    with monkeypatch.context() as patch, cn.write_session() as s:
        patch.setattr(service, "case_selectors", _unread)
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai")
    [row] = sessions(cn)
    assert (row.state, row.work, row.own_size, row.scalar) == ("joining", "prepare", 2, None)
    assert _outbox(cn) == []  # the accept waits for the set

    run_pending(cn)
    assert _outbox(cn) == ["psi-accept", "psi-points", "psi-points"]  # accept, y, z
    carrier.settle(us, cn)
    assert [(r.state, r.count) for r in sessions(us) + sessions(cn)] == [("counted", 2)] * 2


def test_a_join_whose_set_grew_past_the_cap_closes_and_tells_the_peer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, cn = two_nodes(tmp_path, deconflict_max_elements=3)
    case_with_phones(us, "diana", PHONES)
    case_with_phones(cn, "xingtai", PHONES)
    sid = _start(us)
    carrier = Carrier()
    carrier.settle(us, cn)
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai")
    _bulk_import(cn, "xingtai", 1_000)

    read = _spy_read(monkeypatch)
    run_pending(cn)
    assert read == [4]  # one past the cap, not the 1,004 the case now holds
    monkeypatch.undo()
    carrier.settle(us, cn)
    [theirs], [ours] = sessions(cn), sessions(us)
    assert (theirs.state, theirs.code) == ("closed", "deconflict.cap_exceeded")
    assert (ours.state, ours.code) == ("closed", "peer:deconflict.cap_exceeded")
