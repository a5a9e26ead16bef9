"""Applying the ``psi-*`` kinds: one function per kind, :func:`inbox_handlers` for wiring.

A peer that breaks the protocol (a bad point, a reused session, more elements
than it announced, a round sent twice or out of turn) gets its session closed
with the code, is told so, and learns nothing more; the message itself is
applied (it was read and acted on), so the channel moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases import EventIn, add_event
from jointprobe.config import Settings
from jointprobe.deconflict import sodium
from jointprobe.deconflict.caps import require_session_quota, require_set_size
from jointprobe.deconflict.crypto import SUITE, check_points
from jointprobe.deconflict.errors import (
    BadGroups,
    BadPointError,
    CapExceeded,
    ProtocolViolation,
    ReplayedRound,
    SessionReused,
    TooManyElements,
    UnsupportedSuite,
)
from jointprobe.deconflict.groups import merge_small_groups, require_valid_groups
from jointprobe.deconflict.rounds import FINAL, close, send
from jointprobe.deconflict.service import expire_stalled
from jointprobe.deconflict.steps import count_as_responder, next_for_initiator, reveal_if_agreed
from jointprobe.deconflict.store import (
    complete,
    drop_arrays,
    expected_chunks,
    get_selectors,
    has_chunk,
    put_chunk,
    received,
)
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.deconflict.visibility import holders
from jointprobe.deconflict.wake import owe
from jointprobe.errors import InvalidInput
from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.inbox import Applied, Handler
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.payloads import (
    DeconflictAcceptBody,
    DeconflictCloseBody,
    DeconflictOfferBody,
    DeconflictPointsBody,
    DeconflictRevealBody,
)
from jointprobe.exchange.wire import b64d, parse_time
from jointprobe.exchange.workflow.records import system_user

#: which rounds each role receives, and which of its sizes bounds them
_ROUNDS = {"responder": {"x": "peer", "w": "own"}, "initiator": {"y": "peer", "z": "own"}}
_Step = Callable[[Session, Applied, NodeKeys, Settings, DeconflictSession], None]


def _context(msg: Applied) -> tuple[NodeKeys, Settings]:
    if msg.keys is None or msg.settings is None:
        raise InvalidInput("deconfliction messages are applied by the inbox")
    return msg.keys, msg.settings


def _session_of(session: Session, msg: Applied, sid: str) -> DeconflictSession:
    row = session.get(DeconflictSession, sid)
    if row is None or row.peer_id != msg.entry.sender:
        raise InvalidInput(f"no deconfliction session {sid} with {msg.entry.sender}")
    return row


def _guarded(step: _Step) -> Handler:
    """Find the session; a protocol violation closes it (and tells the peer)."""

    @wraps(step)
    def handler(session: Session, msg: Applied) -> None:
        keys, settings = _context(msg)
        sid = getattr(msg.body, "session", "")
        row = _session_of(session, msg, sid)
        if row.state in FINAL:
            return  # a late message for an ended session changes nothing
        expire_stalled(session, keys, now=msg.entry.received_at, sid=row.id)
        if row.state in FINAL:
            return
        try:
            step(session, msg, keys, settings, row)
        except ProtocolViolation as exc:
            close(session, keys, row, exc.code, exc.message, actor=f"peer:{row.peer_id}")

    return handler


def on_offer(session: Session, msg: Applied) -> None:
    keys, settings = _context(msg)
    body = msg.body
    assert isinstance(body, DeconflictOfferBody)
    sender, now = msg.entry.sender, msg.entry.received_at
    expire_stalled(session, keys, now=now, peer=sender)
    if session.get(DeconflictSession, body.session) is not None:
        refusal = SessionReused(f"session id {body.session} was used before")
        earlier = session.get(DeconflictSession, body.session)
        assert earlier is not None
        if earlier.peer_id == sender and earlier.state not in FINAL:
            close(session, keys, earlier, refusal.code, refusal.message, actor=f"peer:{sender}")
        else:
            _refuse_unrecorded(session, keys, sender, body.session, refusal)
        return
    deadline = min(parse_time(body.expires, field="expires"),
                   now + timedelta(seconds=settings.deconflict_timeout_seconds))  # fmt: skip
    row = DeconflictSession(
        id=body.session, peer_id=sender, role="responder", case_id=None,
        peer_case_ref=body.case_ref, kinds=list(body.kinds), by_kind=False,
        by_kind_agreed=False, state="invited", own_size=0, peer_size=body.size, own_groups=[],
        peer_groups=[[g.kind, g.size] for g in body.groups], created_by=f"peer:{sender}",
        created_at=now, updated_at=now, expires_at=deadline,
    )  # fmt: skip
    try:
        if body.suite != SUITE:
            raise UnsupportedSuite(
                f"this node runs deconfliction suite {SUITE}, not {body.suite}; "
                "both nodes must run the same jointprobe deconfliction version"
            )
        require_session_quota(session, settings, sender, now)
        require_set_size(settings, body.size, whose=f"{sender}'s")
        require_valid_groups(body.kinds, [(g.kind, g.size) for g in body.groups])
    except (CapExceeded, UnsupportedSuite, BadGroups) as exc:
        session.add(row)
        session.flush()
        close(session, keys, row, exc.code, exc.message, actor=f"peer:{sender}")
        return
    session.add(row)
    record(session, f"peer:{sender}", "offer", "deconfliction", row.id,
           {"peer": sender, "peer_size": body.size, "kinds": list(body.kinds),
            "by_kind": body.by_kind})  # fmt: skip


def _refuse_unrecorded(
    session: Session, keys: NodeKeys, peer: str, sid: str, refusal: ProtocolViolation
) -> None:
    """Tell the peer no without touching the session that holds the id."""
    stub = DeconflictSession(id=sid, peer_id=peer)
    send(session, keys, stub, "close", {"code": refusal.code, "reason": refusal.message})
    record(session, f"peer:{peer}", "refuse", "deconfliction", sid,
           {"peer": peer, "code": refusal.code})  # fmt: skip


def _on_accept(
    session: Session, msg: Applied, keys: NodeKeys, settings: Settings, row: DeconflictSession
) -> None:
    body = msg.body
    assert isinstance(body, DeconflictAcceptBody)
    if row.role != "initiator":
        raise ProtocolViolation("only the session's responder accepts it")
    if row.state != "offered":
        raise ProtocolViolation("the session was not offered yet")
    if row.peer_size:
        raise ReplayedRound("the session was already accepted")
    try:
        require_set_size(settings, body.size, whose=f"{row.peer_id}'s")
    except CapExceeded as exc:
        raise TooManyElements(exc.message) from None
    require_valid_groups(row.kinds, [(g.kind, g.size) for g in body.groups])
    row.peer_size, row.peer_case_ref = body.size, body.case_ref
    row.peer_groups = [[g.kind, g.size] for g in body.groups]
    row.by_kind_agreed = body.by_kind and row.by_kind
    detail = {"peer": row.peer_id, "peer_size": body.size, "by_kind": row.by_kind_agreed,
              "groups_merged": merge_small_groups(row, settings.deconflict_min_group)}  # fmt: skip
    record(session, f"peer:{row.peer_id}", "accept", "deconfliction", row.id, detail)


def _on_points(
    session: Session, msg: Applied, keys: NodeKeys, settings: Settings, row: DeconflictSession
) -> None:
    body = msg.body
    assert isinstance(body, DeconflictPointsBody)
    bound = _ROUNDS[row.role].get(body.round)
    if bound is None or not _in_turn(row, body.round):
        raise ProtocolViolation(f"round {body.round} is not expected now")
    if has_chunk(session, row.id, body.round, body.chunk):
        raise ReplayedRound(f"chunk {body.chunk} of round {body.round} came twice")
    expected = expected_chunks(session, row.id, body.round)
    if expected is not None and expected != body.chunks:
        raise ProtocolViolation(f"round {body.round} was announced in {expected} chunks")
    points = _decode(body.points)
    size = row.peer_size if bound == "peer" else row.own_size
    chunks, items = received(session, row.id, body.round)
    if items + len(points) // sodium.POINT > size:
        raise TooManyElements(f"round {body.round} holds more than the {size:,} announced")
    if body.round in ("z", "w"):  # compared, never multiplied: check every point now
        _check(points)
    put_chunk(session, row.id, body.round, body.chunk, body.chunks,
              len(points) // sodium.POINT, points)  # fmt: skip
    if chunks + 1 == body.chunks and items + len(points) // sodium.POINT != size:
        raise ProtocolViolation(f"round {body.round} holds fewer than the {size:,} announced")
    _advance(session, keys, settings, row)


def _in_turn(row: DeconflictSession, round_name: str) -> bool:
    if row.role == "initiator":
        return row.state == "offered" and row.peer_size > 0
    if round_name == "x":
        return row.state in ("invited", "joining")
    return row.state == "joined"


def _decode(text: str) -> bytes:
    try:
        points = b64d(text, field="points")
    except MalformedEnvelope as exc:
        raise BadPointError(exc.message) from None
    if not points or len(points) % sodium.POINT:
        raise BadPointError("points must be whole 32-byte encodings")
    return points


def _check(points: bytes) -> None:
    try:
        check_points(points)
    except sodium.BadPoint as exc:
        raise BadPointError(str(exc)) from None


def _advance(session: Session, keys: NodeKeys, settings: Settings, row: DeconflictSession) -> None:
    """Queue the next computing step for the worker once every chunk it needs is here
    (the comparison of step 4 is cheap and runs now)."""
    if row.role == "initiator":  # never over an owed step (x still to send): it follows x
        next_for_initiator(session, row)
    elif row.state == "joined" and complete(session, row.id, "w"):
        count_as_responder(session, settings, row)
    elif row.state == "joining" and row.work is None and complete(session, row.id, "x"):
        owe(session, row, "z")  # y is sent; if it is still owed, the worker goes on to z after it


def _on_consent(
    session: Session, msg: Applied, keys: NodeKeys, settings: Settings, row: DeconflictSession
) -> None:
    if row.state != "counted":
        raise ProtocolViolation("consent comes after the count")
    if row.peer_consent_at is not None:
        raise ReplayedRound("the peer already consented")
    row.peer_consent_at = msg.entry.received_at
    record(session, f"peer:{row.peer_id}", "consent", "deconfliction", row.id,
           {"peer": row.peer_id})  # fmt: skip
    reveal_if_agreed(session, keys, row)


def _on_reveal(
    session: Session, msg: Applied, keys: NodeKeys, settings: Settings, row: DeconflictSession
) -> None:
    body = msg.body
    assert isinstance(body, DeconflictRevealBody)
    if row.state != "counted" or row.consent_at is None or row.peer_consent_at is None:
        raise ProtocolViolation("a reveal comes only after both owners agreed")
    positions = body.positions
    if len(set(positions)) != len(positions) or len(positions) != row.count:
        raise ProtocolViolation(f"the reveal must name {row.count} distinct positions")
    if any(p >= row.own_size for p in positions):
        raise ProtocolViolation("the reveal names a position outside our set")
    own = get_selectors(session, row.id)
    shared = sorted(own[p] for p in positions)
    row.shared = [[kind, value] for kind, value in shared]
    row.state, row.revealed_at = "revealed", msg.entry.received_at
    drop_arrays(session, row)
    _notice(session, row)
    record(session, f"peer:{row.peer_id}", "revealed", "deconfliction", row.id,
           {"peer": row.peer_id, "case": row.case_id, "shared": len(shared)})  # fmt: skip


def _notice(session: Session, row: DeconflictSession) -> None:
    """The deconfliction notice in our case: the peer, the date, what we hold in common."""
    if row.case_id is None or row.revealed_at is None:
        return
    found = holders(session, row.case_id, [(k, v) for k, v in row.shared or []])
    day = row.revealed_at.date().isoformat()
    add_event(session, system_user(session), row.case_id, EventIn(
        kind="note",
        title=f"Deconfliction with {row.peer_id} on {day}: "
              f"{len(row.shared or [])} shared selector(s)",
        details={"deconfliction": row.id, "peer": row.peer_id, "date": day,
                 "shared": row.shared, "records": found},
        tlp="AMBER",
    ))  # fmt: skip


def _on_close(
    session: Session, msg: Applied, keys: NodeKeys, settings: Settings, row: DeconflictSession
) -> None:
    body = msg.body
    assert isinstance(body, DeconflictCloseBody)
    close(session, keys, row, f"peer:{body.code}"[:64], body.reason,
          actor=f"peer:{row.peer_id}", tell=False)  # fmt: skip


def inbox_handlers() -> dict[str, Handler]:
    """What the inbox calls for each deconfliction kind."""
    return {
        "psi-offer": on_offer,
        "psi-accept": _guarded(_on_accept),
        "psi-points": _guarded(_on_points),
        "psi-consent": _guarded(_on_consent),
        "psi-reveal": _guarded(_on_reveal),
        "psi-close": _guarded(_on_close),
    }


__all__ = ["inbox_handlers", "on_offer"]
