"""The idempotent inbox: record each message once, apply it once, in sequence order.

``receive`` runs the checks of docs/protocol.md §4 on a batch (or a single
envelope), records authenticated messages and applies every message whose turn
has come, all in one transaction; then it signs a receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.errors import JointprobeError
from jointprobe.exchange.db import write_session
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
    Undecryptable,
)
from jointprobe.exchange.identity import previous_keys
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import may_release
from jointprobe.exchange.payloads import Body, markings_of, parse_body
from jointprobe.exchange.peers import revoked_only
from jointprobe.exchange.receipts import Result, make_receipt
from jointprobe.exchange.tables import InboxEntry, Peer
from jointprobe.node import Node
from jointprobe.timeutil import utcnow


@dataclass(frozen=True)
class Applied:
    """What a handler gets: the message as recorded and its validated body."""

    entry: InboxEntry
    body: Body
    me: str


Handler = Callable[[Session, Applied], None]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that applies messages of ``kind``."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


@dataclass
class Received:
    """The answer to a delivery: per-envelope results and the signed receipt."""

    results: list[Result] = field(default_factory=list)
    receipt: Envelope | None = None
    errors: list[ExchangeError | None] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "results": [r.to_dict() for r in self.results],
            "receipt": self.receipt.to_dict() if self.receipt else None,
        }


def receive(
    node: Node, keys: NodeKeys, raw: bytes, *, now: datetime | None = None
) -> tuple[Received, bool]:
    """Parse the body; a JSON array is a batch, an object a single envelope."""
    data = load_json(raw, max_bytes=node.settings.max_body_bytes)
    if isinstance(data, list):
        if not data:
            raise MalformedEnvelope("a batch holds at least one envelope")
        return receive_batch(node, keys, data, now=now), True
    return receive_batch(node, keys, [data], now=now), False


def receive_batch(
    node: Node, keys: NodeKeys, items: list[Any], *, now: datetime | None = None
) -> Received:
    now = now or utcnow()
    answer = Received()
    with write_session(node) as session:
        intake = _Intake(
            session, keys, now, node.settings.replay_window_seconds, lambda: previous_keys(node)
        )
        intake.preload(items)
        for item in items:
            result, error = intake.take(item)
            answer.results.append(result)
            answer.errors.append(error)
        intake.apply_in_order()
        for index, result in enumerate(answer.results):
            entry = intake.recorded.get(result.id)
            if entry is not None and answer.errors[index] is None:
                status = "applied" if entry.state == "applied" else entry.state
                answer.results[index] = Result(result.id, result.digest, status, entry.error_code)
        if intake.peer is not None:
            record(
                session,
                f"peer:{intake.peer.node_id}",
                "receive",
                "exchange",
                intake.peer.node_id,
                {"messages": len(items), "recorded": len(intake.recorded)},
            )
    if intake.peer is not None:
        signer = intake.sealed_to or keys
        answer.receipt = make_receipt(signer, intake.peer, answer.results, now=now)
    return answer


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
    def __init__(
        self,
        session: Session,
        keys: NodeKeys,
        now: datetime,
        window: float,
        previous: Callable[[], NodeKeys | None] = lambda: None,
    ) -> None:
        self.session, self.keys, self.now, self.window = session, keys, now, window
        self.previous = previous
        #: keys of ours the batch was sealed to when they are not the current ones: a peer
        #: that has not applied our card update yet also verifies our receipt with those
        self.sealed_to: NodeKeys | None = None
        self.peer: TrustedPeer | None = None
        self.recorded: dict[str, InboxEntry] = {}
        self.bodies: dict[str, Body] = {}
        self._slots: dict[str, tuple[int, set[int]]] = {}
        self._batch_slots: set[tuple[str, int]] = set()
        self.known: dict[tuple[str, str], InboxEntry] = {}
        self._peers: dict[str, TrustedPeer | None] = {}

    def preload(self, items: list[Any]) -> None:
        """Load, in one query, what the inbox already holds for this batch's ids."""
        ids = [i.get("id") for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]
        self.known = {}
        for start in range(0, len(ids), 500):
            query = select(InboxEntry).where(InboxEntry.message_id.in_(ids[start : start + 500]))
            for entry in self.session.scalars(query):
                self.known[(entry.sender, entry.message_id)] = entry

    def lookup(self, node_id: str) -> TrustedPeer | None:
        if node_id not in self._peers:
            row = self.session.get(Peer, node_id)
            self._peers[node_id] = revoked_only(row) if row is not None else None
        return self._peers[node_id]

    def take(self, item: Any) -> tuple[Result, ExchangeError | None]:
        ident = str(item.get("id", ""))[:32] if isinstance(item, dict) else ""
        try:
            envelope = envelope_from_dict(item)
            peer = verify(
                envelope, peers=self.lookup, me=self.keys.node_id, now=self.now,
                window_seconds=self.window,
            )  # fmt: skip
            if self.peer is not None and peer.node_id != self.peer.node_id:
                raise MalformedEnvelope("a batch comes from one sender")
            self.peer = peer
        except EnvelopeError as exc:
            return Result(ident, "", "rejected", exc.code), exc
        return self._record(envelope, peer)

    def _record(self, envelope: Envelope, peer: TrustedPeer) -> tuple[Result, ExchangeError | None]:
        digest = envelope.digest()
        earlier = self.recorded.get(envelope.id) or self.known.get((envelope.sender, envelope.id))
        if earlier is not None:
            replay = ReplayedEnvelope(f"message {envelope.id} was already received")
            return Result(envelope.id, earlier.digest, "duplicate", replay.code), replay
        seq = envelope.seq_for(self.keys.node_id)
        if seq is None:
            wrong = MalformedEnvelope("receipts are answers, not inbox messages")
            return Result(envelope.id, digest, "rejected", wrong.code), wrong
        if self._taken(envelope.sender, seq) or (envelope.sender, seq) in self._batch_slots:
            reused = ReplayedEnvelope(f"sequence number {seq} was already used")
            return Result(envelope.id, digest, "rejected", reused.code), reused
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
            envelope=envelope.to_json().decode(),
        )
        error: ExchangeError | None = None
        try:
            authorise(envelope, peer)
            message = self._open(envelope)
            body = parse_body(envelope.kind, message.body)
            self._check_markings(body, peer)
            entry.body = message.body
            self.bodies[envelope.id] = body
        except AUTHENTICATED_REJECTIONS as exc:
            entry.state, entry.error_code, error = "rejected", exc.code, exc
        # Not added to the session: this batch's rows are written with one
        # INSERT in apply_in_order, their final states with one UPDATE.
        self.recorded[envelope.id] = entry
        self._batch_slots.add((envelope.sender, seq))
        return Result(envelope.id, digest, entry.state, entry.error_code), error

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

    def _check_markings(self, body: Body, peer: TrustedPeer) -> None:
        """The sender may not send us more than our agreement with it allows."""
        for marking in markings_of(body):
            decision = may_release(
                marking, self.keys.node_id, holder=peer.node_id, now=self.now,
                max_tlp=peer.agreement.max_tlp,
            )  # fmt: skip
            if not decision:
                raise MarkingForbidden(decision.reason)

    def apply_in_order(self) -> None:
        if self.peer is None or not self.recorded:
            return
        sender = self.peer.node_id
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
        pending: dict[int, InboxEntry] = {}
        earlier: list[int] = []
        for seq, message_id, row_id in slots:
            entry = ours.get((sender, seq))
            if entry is not None and entry.message_id == message_id:
                pending[seq] = entry
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
        return None

    def _handle(self, entry: InboxEntry) -> None:
        handler = HANDLERS.get(entry.kind)
        body = self.bodies.get(entry.message_id) or parse_body(entry.kind, entry.body or {})
        if handler is not None:
            handler(self.session, Applied(entry, body, self.keys.node_id))

    def _apply(self, entry: InboxEntry) -> None:
        try:
            with self.session.begin_nested():
                self._handle(entry)
        except JointprobeError as exc:
            entry.state, entry.error_code = "rejected", f"apply:{exc.code}"[:64]
            return
        entry.state, entry.applied_at = "applied", self.now


__all__ = ["HANDLERS", "Applied", "Received", "handles", "receive", "receive_batch"]
