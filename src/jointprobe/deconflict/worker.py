"""The deconfliction worker: each session's curve arithmetic, outside write transactions.

A session's ``work`` column names the step it owes (docs/protocol.md §11.2):
``prepare`` (a side reads its case's selectors, orders and keeps them, sends
the offer or the accept, then blinds them at once as ``x`` or ``y``), ``x``
(the initiator blinds its set), ``y`` (the responder blinds its set, as
soon as a user joined), ``z`` (the responder reblinds all of x), ``ya`` (the
initiator reblinds all of y, while the responder computes z) or ``count``
(the initiator compares y·a with z). :func:`run_step` reads the step's
inputs in a read transaction, computes with no lock held (both cores: see
:mod:`.crypto`), then writes the result in a short write transaction — after
checking that the session still owes that step (a close, a decline or a
timeout in between wins, and the result is dropped).

So an inbox delivery only stores a chunk and is answered at once (no sender
times out while a million points are multiplied), and the node's users keep
writing while a session computes. :class:`Worker` is the serving node's
thread: it runs whatever is owed — woken when a step owed in this process
commits (:mod:`.wake`), and every ``deconflict_poll_seconds`` for steps owed
by other processes — and closes sessions past their deadline (the
stale-session sweeper).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jointprobe.deconflict import sodium
from jointprobe.deconflict.caps import require_set_size, set_read_cap
from jointprobe.deconflict.crypto import (
    Groups,
    blind_points,
    blind_selectors,
    match_positions,
    order_selectors,
    shuffle_points,
)
from jointprobe.deconflict.errors import BadPointError, CapExceeded, NothingToCompare, StepFailed
from jointprobe.deconflict.rounds import ACTIVE, FINAL, close
from jointprobe.deconflict.service import case_selectors, expire_stalled
from jointprobe.deconflict.sodium import BadPoint
from jointprobe.deconflict.steps import (
    ACTOR,
    finish_count,
    finish_x,
    finish_y,
    finish_ya,
    finish_z,
    peer_groups,
    send_prepared,
)
from jointprobe.deconflict.store import get_array, get_selectors
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.deconflict.wake import on_work, remove_listener
from jointprobe.errors import JointprobeError
from jointprobe.exchange.identity import node_keys
from jointprobe.node import Node
from jointprobe.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class _Inputs:
    work: str
    scalar: bytes
    groups: list[tuple[str, int]]
    selectors: list[tuple[str, str]] | None = None
    by_kind: bool = False
    points: bytes = b""
    compared: bytes = b""


def owed(session: Session) -> list[str]:
    """Sessions that owe a computing step, oldest first."""
    return list(
        session.scalars(
            select(DeconflictSession.id)
            .where(DeconflictSession.work.is_not(None), DeconflictSession.state.in_(ACTIVE))
            .order_by(DeconflictSession.created_at)
        )
    )


def run_pending(node: Node) -> int:
    """Run every step owed now (and those that follow at once); how many ran."""
    ran = 0
    while True:
        with node.session() as session:
            ids = owed(session)
        step = sum(run_step(node, sid) for sid in ids)
        if not step:  # nothing owed could run (a step whose inputs are gone): not a spin
            return ran
        ran += step


def run_step(node: Node, sid: str) -> int:
    """Run the step session ``sid`` owes, if any (1 if one ran).

    A step that fails for any reason other than the peer's bad point (the peer was
    revoked or ``psi-*`` dropped from its agreement before the result could be
    queued, a storage error) closes that session with ``deconflict.step_failed``
    in a transaction of its own: one broken session never stops the others. The
    peer is told unless the session was still ``preparing`` (it never heard of it).
    """
    try:
        return _run_step(node, sid)
    except (JointprobeError, SQLAlchemyError) as exc:
        message = exc.message if isinstance(exc, JointprobeError) else type(exc).__name__
        log.warning("deconfliction %s: its step failed (%s); closing it", sid, message)
        return _fail(node, sid, message)


def _fail(node: Node, sid: str, message: str) -> int:
    failed = StepFailed(f"this node could not complete its step: {message}")
    try:
        with node.write_session() as session:
            row = session.get(DeconflictSession, sid)
            if row is None or row.state in FINAL:
                return 1
            close(session, node_keys(node), row, failed.code, failed.message, actor=ACTOR)
    except (JointprobeError, SQLAlchemyError):
        log.exception("deconfliction %s: could not close it after its step failed", sid)
        return 0  # not counted as run: run_pending does not spin on it
    return 1


def _run_step(node: Node, sid: str) -> int:
    with node.session() as session:
        inputs = _inputs(session, sid, set_read_cap(node.settings))
    if inputs is None:
        return 0
    if inputs.work == "prepare":
        inputs = _prepare(node, sid, inputs)
        if inputs is None:
            return 1
    error: JointprobeError | None = None
    result: tuple[bytes, ...] = ()
    positions: list[int] = []
    try:
        if inputs.work in ("x", "y"):
            assert inputs.selectors is not None
            result = (blind_selectors(sid, inputs.scalar, inputs.selectors),)
        elif inputs.work == "z":
            xb = blind_points(inputs.scalar, inputs.points)
            result = (xb, shuffle_points(xb, inputs.groups))
        elif inputs.work == "ya":
            result = (blind_points(inputs.scalar, inputs.points),)
        else:  # count: y·a against z
            positions = match_positions(inputs.points, inputs.compared)
            result = (shuffle_points(inputs.points, inputs.groups),)
    except BadPoint as exc:
        error = BadPointError(str(exc))
    keys = node_keys(node)
    with node.write_session() as session:
        row = session.get(DeconflictSession, sid)
        if row is None or row.work != inputs.work or row.state in FINAL:
            return 1  # closed, declined or timed out meanwhile: the result is dropped
        if error is not None:
            close(session, keys, row, error.code, error.message, actor=f"peer:{row.peer_id}")
        elif inputs.work == "x":
            finish_x(session, keys, row, result[0])
        elif inputs.work == "y":
            finish_y(session, keys, row, result[0])
        elif inputs.work == "z":
            finish_z(session, keys, node.settings, row, result[0], result[1])
        elif inputs.work == "ya":
            finish_ya(session, row, result[0])
        else:
            finish_count(session, keys, node.settings, row, positions, result[0])
    return 1


def _prepare(node: Node, sid: str, inputs: _Inputs) -> _Inputs | None:
    """Our set, read by :func:`_inputs` (at most one past the cap): order it and draw the
    scalar with no lock held, then keep both and send the offer (initiator) or the accept
    (responder); the inputs of x or y follow, in memory.

    A case emptied, or grown past the cap, since the start or join closes the
    session with that refusal's code at once, before any ordering (the peer is told
    unless the session was still ``preparing``: then it has not heard of it).
    """
    assert inputs.selectors is not None
    refusal = _refusal(node, inputs.selectors)
    prepared: tuple[list[tuple[str, str]], Groups, bytes] | None = None
    if refusal is None:
        ordered, groups = order_selectors(inputs.selectors, by_kind=inputs.by_kind)
        prepared = (ordered, groups, sodium.random_scalar())
    with node.write_session() as session:
        row = session.get(DeconflictSession, sid)
        if row is None or row.work != "prepare" or row.state in FINAL:
            return None  # declined or timed out meanwhile
        if refusal is not None:
            close(session, node_keys(node), row, refusal.code, refusal.message, actor=ACTOR)
            return None
        assert prepared is not None
        ordered, groups, scalar = prepared
        work = send_prepared(session, node_keys(node), row, ordered, groups, scalar)
    return _Inputs(work, scalar, [], selectors=ordered)


def _refusal(node: Node, selectors: list[tuple[str, str]]) -> JointprobeError | None:
    """Why our set (read capped at one past the cap) may not be compared, or None."""
    try:
        if not selectors:
            raise NothingToCompare("the case has no selectors of the chosen kinds any more")
        require_set_size(node.settings, len(selectors), whose="our", cut=True)
    except (NothingToCompare, CapExceeded) as exc:
        return exc
    return None


def _inputs(session: Session, sid: str, most: int) -> _Inputs | None:
    """What the step ``sid`` owes needs, read; our case's selectors (``prepare``) at most
    ``most`` (:func:`.caps.set_read_cap`)."""
    row = session.get(DeconflictSession, sid)
    if row is None or row.work is None or row.state in FINAL:
        return None
    if row.work == "prepare":
        assert row.case_id is not None
        selectors = case_selectors(session, row.case_id, row.kinds, most=most)
        by_kind = row.by_kind if row.role == "initiator" else row.by_kind_agreed
        return _Inputs("prepare", b"", [], selectors=selectors, by_kind=by_kind)
    if row.scalar is None and row.work != "count":
        return None
    found = _Inputs(row.work, row.scalar or b"", peer_groups(row))
    if row.work in ("x", "y"):
        found.selectors = get_selectors(session, sid)
    elif row.work == "z":
        found.points = get_array(session, sid, "x")
    elif row.work == "ya":
        found.points = get_array(session, sid, "y")
    else:
        found.points = get_array(session, sid, "ya")
        found.compared = get_array(session, sid, "z")
    return found


def sweep(node: Node) -> list[str]:
    """Close the sessions past their deadline and tell their peers (the sweeper); the
    write lock is taken only when there is one."""
    with node.session() as session:
        stale = session.scalar(
            select(DeconflictSession.id)
            .where(DeconflictSession.state.in_(ACTIVE), DeconflictSession.expires_at < utcnow())
            .limit(1)
        )
    if stale is None:
        return []
    with node.write_session() as session:
        return expire_stalled(session, node_keys(node))


class Worker:
    """The serving node's deconfliction thread: owed steps, then the sweeper, in a loop."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.interval = node.settings.deconflict_poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="jointprobe-psi", daemon=True)

    def start(self) -> None:
        on_work(self._wake.set)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        remove_listener(self._wake.set)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            _guarded(run_pending, self.node)
            _guarded(sweep, self.node)  # in its own try: the sweeper runs even if a step failed
            self._wake.wait(self.interval)


def _guarded(job: Callable[[Node], object], node: Node) -> None:
    """Run one of the worker's jobs; whatever it raises is logged, never fatal."""
    try:
        job(node)
    except JointprobeError as exc:
        log.warning("deconfliction worker: %s (%s)", exc.code, exc.message)
    except Exception:  # a bug must not stop the worker for good
        log.exception("deconfliction worker: %s crashed; retrying", getattr(job, "__name__", job))


__all__ = ["Worker", "owed", "run_pending", "run_step", "sweep"]
