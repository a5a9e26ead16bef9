"""One broken session never stops the others (review H2): a step or a close that cannot
reach its peer closes that session with a code, and the worker, the sweeper and the
inbox go on with every other session."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jointprobe import deconflict
from jointprobe.deconflict import worker
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.deconflict.worker import run_pending, sweep
from jointprobe.errors import StorageError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.peers import revoke_peer, set_agreement
from jointprobe.store.tables import AuditEntry

from ..exchange.live import make_node, peer
from .pairs import CN, Carrier, case_with_phones, inbox_states, sessions, two_nodes, user

EU = "eu-europol-hq"
PHONES = ["+86 311 5555 0101", "+1 504 555 0101", "+1 504 555 0102"]
LONG_AGO = datetime(2000, 1, 1)


def _three(tmp_path: Path) -> tuple[Any, Any, Any]:
    us, cn = two_nodes(tmp_path)
    eu = make_node(tmp_path, EU, "Europol", "NL")
    peer(us, eu)
    case_with_phones(us, "diana", PHONES)
    return us, cn, eu


def _start(node: Any, peer_id: str) -> str:
    with node.write_session() as s:
        return deconflict.start(
            s, user(node), node_keys(node), node.settings, peer=peer_id, case_id="diana"
        ).id


def _past_deadline(node: Any, sid: str) -> None:
    with node.write_session() as s:
        row = s.get(DeconflictSession, sid)
        assert row is not None
        row.expires_at = LONG_AGO


def _row(node: Any, sid: str) -> DeconflictSession:
    return next(r for r in sessions(node) if r.id == sid)


def _told_peer(node: Any, sid: str) -> list[Any]:
    with node.session() as s:
        events = s.scalars(
            select(AuditEntry).where(AuditEntry.object_id == sid, AuditEntry.action == "close")
        ).all()
        return [e.detail.get("told_peer") for e in events]


def test_a_revoked_peer_past_its_deadline_does_not_stop_the_worker(tmp_path: Path) -> None:
    us, _cn, eu = _three(tmp_path)
    stuck = _start(us, CN)  # the oldest: the worker reaches it first on every poll
    other = _start(us, EU)
    with us.write_session() as s:
        revoke_peer(s, CN)  # before the worker blinds x: its result cannot be queued
    _past_deadline(us, stuck)

    assert run_pending(us) >= 1  # no exception: the failing session is closed instead
    assert sweep(us) == []
    row = _row(us, stuck)
    assert (row.state, row.work, row.code) == ("closed", None, "deconflict.step_failed")
    assert _told_peer(us, stuck) == [False]
    # the other peer's session went on: its x was blinded and sent
    assert _row(us, other).work is None
    assert Carrier().carry(us, eu) >= 1
    assert run_pending(us) == 0  # nothing left owed, no spin on the closed session


def test_the_sweeper_closes_a_session_whose_peer_cannot_be_told(tmp_path: Path) -> None:
    us, _cn, _eu = _three(tmp_path)
    sid = _start(us, CN)
    run_pending(us)  # x is sent; the session waits for the peer's accept
    with us.write_session() as s:  # psi-* dropped from the agreement
        set_agreement(s, CN, kinds=["referral"])
    _past_deadline(us, sid)

    assert sweep(us) == [sid]
    row = _row(us, sid)
    assert (row.state, row.code) == ("closed", "deconflict.timeout")
    assert _told_peer(us, sid) == [False]


def test_a_message_for_one_session_is_applied_though_another_cannot_be_closed(
    tmp_path: Path,
) -> None:
    us, cn, eu = _three(tmp_path)
    case_with_phones(cn, "xingtai", PHONES[:2])
    stalled = _start(us, EU)
    live = _start(us, CN)
    carrier = Carrier()
    run_pending(us)
    carrier.carry(us, cn)  # CN holds the offer of the live session
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, live, case_id="xingtai")
    with us.write_session() as s:
        revoke_peer(s, EU)
    _past_deadline(us, stalled)  # telling EU would fail

    run_pending(cn)  # CN's worker reads its set and sends the accept (then y, z)
    carrier.carry(cn, us)  # CN's accept for the live session, and its rounds
    states = inbox_states(us)
    assert ("psi-accept", "applied") in states
    assert {state for _, state in states} == {"applied"}
    assert _row(us, live).peer_size == 2
    assert _row(us, stalled).state == "offered"  # left to the sweeper
    assert sweep(us) == [stalled]
    assert _row(us, stalled).state == "closed"


def test_the_worker_sweeps_even_when_its_steps_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, _cn, _eu = _three(tmp_path)
    sid = _start(us, CN)
    run_pending(us)
    _past_deadline(us, sid)

    def broken(node: Any) -> int:
        raise StorageError("database error: disk I/O error")

    monkeypatch.setattr(worker, "run_pending", broken)
    thread = worker.Worker(us)
    thread.interval = 0.05
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while _row(us, sid).state != "closed" and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        thread.stop()
    assert _row(us, sid).code == "deconflict.timeout"
