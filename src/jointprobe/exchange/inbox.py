"""The idempotent inbox: record each message once, apply it once, in sequence order.

``receive`` runs the checks of docs/protocol.md §4 on a batch (or a single
envelope), records authenticated messages and applies every message whose turn
has come, all in one transaction; then it signs a receipt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.config import Settings
from jointprobe.errors import JointprobeError
from jointprobe.exchange.envelope import (
    Envelope,
    Message,
    TrustedPeer,
    authorise,
    envelope_from_dict,
    load_json,
    open_envelope,
    verify,
)
from jointprobe.exchange.errors import (
    AUTHENTICATED_REJECTIONS,
    EnvelopeError,
    ExchangeError,
    MalformedEnvelope,
    MarkingForbidden,
    ReplayedEnvelope,
    SequenceTaken,
    Undecryptable,
    UnknownKind,
    UnknownSender,
)
from jointprobe.exchange.identity import previous_keys
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import require_release
from jointprobe.exchange.payloads import Body, VoidBody, markings_of, parse_body
from jointprobe.exchange.peers import revoked_only
from jointprobe.exchange.receipts import INVALID, Result, make_receipt
from jointprobe.exchange.tables import InboxEntry, Peer
from jointprobe.node import Node
from jointprobe.timeutil import utcnow


@dataclass(frozen=True)
class Applied:
    """What a handler gets: the message as recorded and its validated body."""

    entry: InboxEntry
    body: Body
    me: str
    #: this node's keys and settings, for handlers that answer in the same transaction
    #: (deconfliction rounds); None only where a handler is called outside the inbox
    keys: NodeKeys | None = None
    settings: Settings | None = None


Handler = Callable[[Session, Applied], None]


def apply_void(session: Session, msg: Applied) -> None:
    """A ``void`` only settles its sequence slot: the sender withdrew that message."""
    body = msg.body
    assert isinstance(body, VoidBody)
    record(session, f"peer:{msg.entry.sender}", "withdraw", "exchange", msg.entry.sender,
           {"seq": msg.entry.seq, "message": body.withdrawn, "reason": body.reason})  # fmt: skip


#: Handlers of the channel's own kinds, which every node applies whatever it is given.
CHANNEL_HANDLERS: dict[str, Handler] = {"void": apply_void}


@dataclass
class Received:
    """The answer to a delivery: per-envelope results and the signed receipt."""

    results: list[Result] = field(default_factory=list)
    receipt: Envelope | None = None
    errors: list[ExchangeError | None] = field(default_factory=list)
    #: the same receipt signed with the keys this node had before its last rotation,
    #: when some of the batch was sealed to those (a sender that has not applied our
    #: card update yet verifies this one; one that has, the other)
    receipt_previous: Envelope | None = None

    def to_dict(self) -> dict[str, Any]:
        answer = {
            "results": [r.to_dict() for r in self.results],
            "receipt": self.receipt.to_dict() if self.receipt else None,
        }
        if self.receipt_previous is not None:
            answer["receipt_previous"] = self.receipt_previous.to_dict()
        return answer


#: Most envelopes one delivery may carry.
MAX_BATCH = 1000


def receive(
    node: Node,
    keys: NodeKeys,
    raw: bytes,
    *,
    handlers: Mapping[str, Handler],
    now: datetime | None = None,
) -> tuple[Received, bool]:
    """Parse the body; a JSON array is a batch, an object a single envelope."""
    data = load_json(raw, max_bytes=node.settings.max_body_bytes)
    batch = isinstance(data, list)
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > MAX_BATCH:
        raise MalformedEnvelope(f"a batch holds 1–{MAX_BATCH} envelopes")
    return receive_batch(node, keys, items, now=now, handlers=handlers), batch


def receive_batch(
    node: Node,
    keys: NodeKeys,
    items: list[Any],
    *,
    handlers: Mapping[str, Handler],
    now: datetime | None = None,
) -> Received:
    """Check every envelope without the write lock; then record and apply under it.

    ``handlers`` apply each kind (the app factory builds them); a kind without
    one is recorded as rejected (``exchange.unknown_kind``), never skipped.

    Parsing, signatures, decryption and body checks need no lock: a batch that
    authenticates nothing is answered without ever taking it. Only messages
    from a trusted peer with a valid signature are recorded.
    """
    now = now or utcnow()
    with node.session() as session:
        gate = _Gate(session, keys, now, node.settings.replay_window_seconds,
                     lambda: previous_keys(node))  # fmt: skip
        checked = [gate.check(item) for item in items]
    answer = Received()
    if gate.peer is None:
        answer.results = [c.result for c in checked]
        answer.errors = [c.error for c in checked]
        return answer
    peer = gate.peer
    with node.write_session() as session:
        if not _still_trusted(session, peer):
            # revoked or rotated while the batch was checked: record nothing
            gone = UnknownSender(f"{peer.node_id} is no longer trusted as it signed")
            answer.results = [Result(c.result.id, "", INVALID, gone.code) for c in checked]
            answer.errors = [gone for _ in checked]
            return answer
        intake = _Intake(session, keys.node_id, now, {**handlers, **CHANNEL_HANDLERS})
        intake.keys, intake.settings = keys, node.settings
        intake.preload([c.envelope.id for c in checked if c.envelope is not None])
        for c in checked:
            result, error = intake.take(c) if c.envelope is not None else (c.result, c.error)
            answer.results.append(result)
            answer.errors.append(error)
        intake.apply_in_order(peer.node_id)
        for index, result in enumerate(answer.results):
            entry = intake.recorded.get(result.id)
            if entry is not None and answer.errors[index] is None:
                answer.results[index] = Result(result.id, result.digest, entry.state,
                                               entry.error_code)  # fmt: skip
        record(session, f"peer:{peer.node_id}", "receive", "exchange", peer.node_id,
               {"messages": len(items), "recorded": len(intake.recorded)})  # fmt: skip
        applied_through = intake.applied_through
    for signer in (keys, gate.sealed_to):
        if signer is not None:
            receipt = make_receipt(
                signer, peer, answer.results, now=now, applied_through=applied_through
            )
            if signer is keys:
                answer.receipt = receipt
            else:
                answer.receipt_previous = receipt
    return answer


def _still_trusted(session: Session, peer: TrustedPeer) -> bool:
    """Is ``peer`` still active with the card it was checked against (under the lock)?"""
    row = session.get(Peer, peer.node_id)
    return row is not None and row.active and row.fingerprint == peer.card.fingerprint


@dataclass
class _Checked:
    """One envelope after the checks that need no lock."""

    result: Result
    error: ExchangeError | None = None
    envelope: Envelope | None = None
    body: Body | None = None
    raw_body: dict[str, Any] | None = None
    #: the envelope as it came (a dict that passed every shape check), kept as text
    item: Any = None


class _Gate:
    """Steps 1–10 and 12 of docs/protocol.md §4 for each envelope of a batch, lock-free."""

    def __init__(
        self,
        session: Session,
        keys: NodeKeys,
        now: datetime,
        window: float,
        previous: Callable[[], NodeKeys | None],
    ) -> None:
        self.session, self.keys, self.now, self.window = session, keys, now, window
        self.previous = previous
        #: keys of ours the batch was sealed to when they are not the current ones: a peer
        #: that has not applied our card update yet also verifies our receipt with those
        self.sealed_to: NodeKeys | None = None
        self.peer: TrustedPeer | None = None
        self._peers: dict[str, TrustedPeer | None] = {}

    def lookup(self, node_id: str) -> TrustedPeer | None:
        if node_id not in self._peers:
            row = self.session.get(Peer, node_id)
            self._peers[node_id] = revoked_only(row) if row is not None else None
        return self._peers[node_id]

    def check(self, item: Any) -> _Checked:
        ident = item.get("id") if isinstance(item, dict) else None
        ident = ident[:32] if isinstance(ident, str) else ""
        try:
            envelope = envelope_from_dict(item)
            peer = verify(
                envelope, peers=self.lookup, me=self.keys.node_id, now=self.now,
                window_seconds=self.window,
            )  # fmt: skip
            if self.peer is not None and peer.node_id != self.peer.node_id:
                raise MalformedEnvelope("a batch comes from one sender")
            if envelope.seq_for(self.keys.node_id) is None:
                raise MalformedEnvelope("receipts are answers, not inbox messages")
        except EnvelopeError as exc:
            # not authenticated: nothing is recorded, the slot stays open for a good copy
            return _Checked(Result(ident, "", INVALID, exc.code), exc)
        digest = envelope.digest()
        try:
            message = self._open(envelope)
        except Undecryptable as exc:
            # sealed to a key this node does not (yet) hold: not recorded, sent again later
            return _Checked(Result(envelope.id, digest, INVALID, exc.code), exc)
        except EnvelopeError as exc:
            message = None
            rejection: EnvelopeError | None = exc
        else:
            rejection = None
        self.peer = peer
        checked = _Checked(Result(envelope.id, digest, "held"), None, envelope, item=item)
        try:
            if rejection is not None:
                raise rejection
            assert message is not None
            authorise(envelope, peer)
            body = parse_body(envelope.kind, message.body)
            self._check_markings(body, peer)
        except AUTHENTICATED_REJECTIONS as exc:
            checked.result = Result(envelope.id, checked.result.digest, "rejected", exc.code)
            checked.error = exc
            return checked
        checked.body, checked.raw_body = body, message.body
        return checked

    def _open(self, envelope: Envelope) -> Message:
        """Open with this node's keys, else with those it had before its last rotation."""
        try:
            return open_envelope(envelope, self.keys)
        except Undecryptable:
            previous = self.previous()
            if previous is None:
                raise
            opened = open_envelope(envelope, previous)
            self.sealed_to = previous
            return opened

    def _check_markings(self, body: Body, peer: TrustedPeer) -> None:
        """The sender may not send us more than our agreement with it allows, nor
        items it claims this node originated (it could otherwise widen their release)."""
        me = self.keys.node_id
        for marking in markings_of(body):
            if marking.originator == me and peer.node_id != me:
                raise MarkingForbidden(f"{peer.node_id} sent an item marked as originated by {me}")
            require_release(marking, me, holder=peer.node_id, now=self.now,
                            max_tlp=peer.agreement.max_tlp)  # fmt: skip


log = logging.getLogger(__name__)
_INBOX = cast(Table, InboxEntry.__table__)
_SETTLE = (
    update(_INBOX)
    .where(_INBOX.c.sender == bindparam("b_sender"), _INBOX.c.message_id == bindparam("b_id"))
    .values(state=bindparam("b_state"), applied_at=bindparam("b_applied"),
            error_code=bindparam("b_code"))
)  # fmt: skip
_COLUMNS = (
    "message_id", "sender", "seq", "kind", "conversation_id", "in_reply_to", "created",
    "received_at", "applied_at", "state", "error_code", "digest", "body", "envelope",
)  # fmt: skip


def _row(entry: InboxEntry) -> dict[str, Any]:
    row = {name: getattr(entry, name) for name in _COLUMNS}
    if row["body"] is None:  # SQL NULL, as the ORM wrote it (a JSON column would write 'null')
        del row["body"]
    return row


class _Intake:
    """Record checked envelopes once (replay and sequence checks) and apply them in order."""

    def __init__(
        self, session: Session, me: str, now: datetime, handlers: Mapping[str, Handler]
    ) -> None:
        self.session, self.me, self.now, self.handlers = session, me, now, handlers
        self.recorded: dict[str, InboxEntry] = {}
        self.bodies: dict[str, Body] = {}
        self.applied_through: int | None = None
        self._slots: dict[str, tuple[int, set[int]]] = {}
        self._batch_slots: set[tuple[str, int]] = set()
        self.known: dict[tuple[str, str], InboxEntry] = {}
        self.keys: NodeKeys | None = None
        self.settings: Settings | None = None

    def preload(self, ids: list[str]) -> None:
        """Load, in one query, what the inbox already holds for this batch's ids."""
        self.known = {}
        for start in range(0, len(ids), 500):
            query = select(InboxEntry).where(InboxEntry.message_id.in_(ids[start : start + 500]))
            for entry in self.session.scalars(query):
                self.known[(entry.sender, entry.message_id)] = entry

    def take(self, checked: _Checked) -> tuple[Result, ExchangeError | None]:
        envelope = checked.envelope
        assert envelope is not None
        digest = checked.result.digest
        earlier = self.recorded.get(envelope.id) or self.known.get((envelope.sender, envelope.id))
        if earlier is not None:
            replay = ReplayedEnvelope(f"message {envelope.id} was already received")
            return Result(envelope.id, earlier.digest, "duplicate", replay.code), replay
        seq = envelope.seq_for(self.me)
        assert seq is not None
        if self._taken(envelope.sender, seq) or (envelope.sender, seq) in self._batch_slots:
            taken = SequenceTaken(f"sequence number {seq} was already used")
            # the digest of what holds the slot: a sender withdrawing a message learns
            # that the message itself got there first
            holder = self._holder(envelope.sender, seq)
            return Result(envelope.id, holder, INVALID, taken.code), taken
        entry = InboxEntry(
            message_id=envelope.id,
            sender=envelope.sender,
            seq=seq,
            kind=envelope.kind,
            conversation_id=envelope.conversation_id,
            in_reply_to=envelope.in_reply_to,
            created=envelope.created,
            received_at=self.now,
            state="held",
            digest=digest,
            # as it came: orjson writes it ~10x faster than rebuilding the envelope's JSON
            envelope=orjson.dumps(checked.item).decode(),
        )
        if checked.error is not None:
            entry.state, entry.error_code = "rejected", checked.error.code
        else:
            assert checked.body is not None
            entry.body = checked.raw_body
            self.bodies[envelope.id] = checked.body
        # Not added to the session: this batch's rows are written with one
        # INSERT in apply_in_order, their final states with one UPDATE.
        self.recorded[envelope.id] = entry
        self._batch_slots.add((envelope.sender, seq))
        return Result(envelope.id, digest, entry.state, entry.error_code), checked.error

    def _holder(self, sender: str, seq: int) -> str:
        """The digest of the message recorded in slot ``seq`` of ``sender`` ('' if none)."""
        held = [e.digest for e in self.recorded.values() if e.sender == sender and e.seq == seq]
        if held:
            return held[0]
        query = select(InboxEntry.digest).where(InboxEntry.sender == sender, InboxEntry.seq == seq)
        return self.session.scalar(query) or ""

    def _taken(self, sender: str, seq: int) -> bool:
        """Was ``seq`` from ``sender`` recorded before this batch? (applied slots or pending)"""
        if sender not in self._slots:
            row = self.session.get(Peer, sender)
            applied = row.in_seq if row is not None else 0
            later = self.session.scalars(
                select(InboxEntry.seq).where(InboxEntry.sender == sender, InboxEntry.seq > applied)
            )
            self._slots[sender] = (applied, set(later))
        done, pending = self._slots[sender]
        return seq <= done or seq in pending

    def apply_in_order(self, sender: str) -> None:
        if not self.recorded:
            row = self.session.get(Peer, sender)
            self.applied_through = row.in_seq if row is not None else None
            return
        rows = [_row(entry) for entry in self.recorded.values()]
        for group in ([r for r in rows if "body" in r], [r for r in rows if "body" not in r]):
            if group:
                self.session.execute(insert(_INBOX), group)
        row = self.session.get(Peer, sender, with_for_update=True)
        assert row is not None
        ours = {(e.sender, e.seq): e for e in self.recorded.values()}
        slots = self.session.execute(
            select(InboxEntry.seq, InboxEntry.message_id, InboxEntry.id).where(
                InboxEntry.sender == sender,
                InboxEntry.state.in_(("held", "rejected")),
                InboxEntry.seq > row.in_seq,
            )
        ).all()
        by_seq = {seq: (message_id, row_id) for seq, message_id, row_id in slots}
        pending: dict[int, InboxEntry] = {}
        earlier: list[int] = []
        position = row.in_seq
        while position + 1 in by_seq:  # only the run that is now in turn is loaded
            position += 1
            message_id, row_id = by_seq[position]
            entry = ours.get((sender, position))
            if entry is not None and entry.message_id == message_id:
                pending[position] = entry
            else:
                earlier.append(row_id)
        for start in range(0, len(earlier), 500):  # held by earlier deliveries
            query = select(InboxEntry).where(InboxEntry.id.in_(earlier[start : start + 500]))
            for entry in self.session.scalars(query):
                pending[entry.seq] = entry
        position = row.in_seq
        turn: list[InboxEntry] = []
        while position + 1 in pending:
            entry = pending[position + 1]
            if entry.state == "held":
                turn.append(entry)
            position += 1
        self._apply_run(turn)
        settled = [
            {"b_sender": e.sender, "b_id": e.message_id, "b_state": e.state,
             "b_applied": e.applied_at, "b_code": e.error_code}
            for e in turn
            if e.message_id in self.recorded and e.state != "held"
        ]  # fmt: skip
        if settled:  # this batch's rows; rows of earlier batches are ORM objects
            self.session.connection().execute(_SETTLE, settled)
        if position != row.in_seq:
            self.session.execute(
                update(Peer).where(Peer.node_id == sender).values(in_seq=position),
                execution_options={"synchronize_session": False},
            )
            row.in_seq = position
        self.applied_through = position

    def _apply_run(self, entries: list[InboxEntry]) -> None:
        """Apply ``entries`` in order, each exactly as if in a savepoint of its own.

        One savepoint per message costs a flush and two statements each, so a
        run of messages shares one savepoint. When a handler refuses a message
        (``JointprobeError``), the shared savepoint rolls back; the messages
        before it are applied again in a savepoint of their own (handlers are
        functions of the database and the message, so the effect is the
        same), the refused one is applied alone and recorded as rejected, and
        the rest continue as a new run.
        """
        start = 0
        while start < len(entries):
            end = len(entries)
            while end > start:
                failed = self._try_run(entries[start:end])
                if failed is None:
                    break
                end = start + failed
            if end == start:
                self._apply(entries[start])
                start += 1
            else:
                start = end

    def _try_run(self, entries: list[InboxEntry]) -> int | None:
        """Apply all of ``entries`` in one savepoint; on a refusal, roll back and say which."""
        index = 0
        try:
            with self.session.begin_nested():
                for index, entry in enumerate(entries):  # noqa: B007
                    self._handle(entry)
                # Marked at the end of the run, inside its savepoint: one UPDATE
                # for the run instead of one in every handler's autoflush.
                for entry in entries:
                    entry.state, entry.applied_at = "applied", self.now
        except JointprobeError:
            return index
        except OperationalError:
            raise  # the database, not the message: the batch fails and is sent again
        except Exception:  # a handler's bug must not stop the channel: refuse that message
            log.exception("applying %s message %s failed", entries[index].kind,
                          entries[index].message_id)  # fmt: skip
            return index
        return None

    def _handle(self, entry: InboxEntry) -> None:
        handler = self.handlers.get(entry.kind)
        if handler is None:  # a kind this node does not apply is refused, never skipped
            raise UnknownKind(f"this node does not apply {entry.kind} messages")
        body = self.bodies.get(entry.message_id) or parse_body(entry.kind, entry.body or {})
        handler(self.session, Applied(entry, body, self.me, self.keys, self.settings))

    def _apply(self, entry: InboxEntry) -> None:
        try:
            with self.session.begin_nested():
                self._handle(entry)
        except JointprobeError as exc:
            entry.state, entry.error_code = "rejected", f"apply:{exc.code}"[:64]
            return
        except OperationalError:
            raise
        except Exception:
            log.exception("applying %s message %s failed", entry.kind, entry.message_id)
            entry.state, entry.error_code = "rejected", "apply:internal"
            return
        entry.state, entry.applied_at = "applied", self.now


__all__ = ["CHANNEL_HANDLERS", "Applied", "Handler", "Received", "receive", "receive_batch"]
