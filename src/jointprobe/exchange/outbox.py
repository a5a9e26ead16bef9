"""The durable outbox: queue in the producing transaction, deliver in sequence order.

``enqueue`` seals one envelope for all recipients and queues one row per
recipient with that recipient's next sequence number. ``deliver_peer`` sends a
peer's queued rows as one batch, reads the signed receipt, and marks rows
delivered; failures back off exponentially with jitter, per peer.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Table, insert, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from jointprobe.exchange.db import write_session
from jointprobe.exchange.envelope import (
    Agreement,
    Envelope,
    TrustedPeer,
    envelope_from_dict,
    resign,
    seal,
)
from jointprobe.exchange.errors import CardError, ExchangeError, KindNotAllowed
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Tlp
from jointprobe.exchange.peers import card_of, get_peer, trusted
from jointprobe.exchange.receipts import DELIVERED, read_receipt
from jointprobe.exchange.tables import OutboxEntry, Peer, Receipt
from jointprobe.node import Node
from jointprobe.timeutil import utcnow

INBOX_PATH = "/api/v1/exchange/inbox"
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0
LEASE_SECONDS = 120
RESIGN_AFTER = timedelta(seconds=60)
#: Receipt codes after which a message stays queued and is re-signed and retried.
TRANSIENT_CODES = frozenset({"envelope.stale", "storage.unavailable"})

Clock = Callable[[], datetime]


def enqueue(
    session: Session,
    keys: NodeKeys,
    *,
    kind: str,
    body: Mapping[str, Any],
    to: Sequence[str],
    now: datetime | None = None,
    conversation_id: str | None = None,
    in_reply_to: str | None = None,
) -> Envelope:
    """Seal ``body`` for ``to`` and queue it, in the caller's transaction."""
    recipients = sorted(set(to))
    seq: dict[str, int] = {}
    boxes: dict[str, bytes] = {}
    for node_id in recipients:
        # One statement takes the next sequence number and reads what sealing
        # needs; the ORM flushes the caller's pending changes first (autoflush),
        # so an agreement changed earlier in this transaction is what we see.
        row = session.execute(
            update(Peer)
            .where(Peer.node_id == node_id, Peer.active.is_(True))
            .values(out_seq=Peer.out_seq + 1)
            .returning(Peer.out_seq, Peer.card, Peer.allowed_kinds, Peer.max_tlp, Peer.revoked),
            execution_options={"synchronize_session": False},
        ).one_or_none()
        if row is None:
            get_peer(session, node_id)  # raises NotFound for unknown peers
            raise KindNotAllowed(f"peer {node_id} is not active")
        number, card, kinds, max_tlp, revoked = row
        peer = _sealing_peer(card, kinds, max_tlp, revoked)
        if peer is None:
            raise KindNotAllowed(f"peer {node_id} is not active")
        if not peer.agreement.allows_kind(kind):
            raise KindNotAllowed(f"the agreement with {node_id} does not cover {kind}")
        seq[node_id] = number
        boxes[node_id] = peer.card.box_public
    envelope = seal(
        keys,
        kind=kind,
        body=body,
        recipients=boxes,
        seq=seq,
        now=now or utcnow(),
        conversation_id=conversation_id,
        in_reply_to=in_reply_to,
    )
    text = envelope.to_json().decode()
    digest = envelope.digest()
    # A plain INSERT, not an ORM object: nothing reads the row back in this
    # transaction, and the unit of work would cost more than the statement.
    session.execute(
        insert(cast(Table, OutboxEntry.__table__)),
        [
            {
                "message_id": envelope.id,
                "peer_id": node_id,
                "seq": seq[node_id],
                "kind": kind,
                "envelope": text,
                "digest": digest,
                "state": "queued",
                "attempts": 0,
                "created_at": envelope.created,
            }
            for node_id in recipients
        ],
    )
    if not session.info.get(_WAKE_PENDING):
        session.info[_WAKE_PENDING] = True
        sa_event.listen(session, "after_commit", _notify_after_commit, once=True)
    return envelope


def _sealing_peer(card: Any, kinds: Any, max_tlp: str, revoked: Any) -> TrustedPeer | None:
    """The peer as :func:`peers.trusted` sees it, from the columns ``enqueue`` read."""
    try:
        parsed = card_of(card)
    except CardError:
        return None
    agreement = Agreement(frozenset(kinds), Tlp.parse(max_tlp))
    return TrustedPeer(parsed, agreement, frozenset(revoked or ()))


# --- waking the in-process deliverer ----------------------------------------

_listeners: list[Callable[[], None]] = []


def on_enqueue(callback: Callable[[], None]) -> None:
    _listeners.append(callback)


def remove_listener(callback: Callable[[], None]) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


_WAKE_PENDING = "jointprobe.exchange.wake_pending"


def _notify_after_commit(session: Session) -> None:
    session.info.pop(_WAKE_PENDING, None)
    _notify()


def _notify() -> None:
    for callback in list(_listeners):
        callback()


# --- delivery -----------------------------------------------------------------


@dataclass
class PeerDelivery:
    peer_id: str
    sent: int = 0
    delivered: int = 0
    rejected: int = 0
    error: str | None = None


@dataclass
class _Claim:
    peer: Peer
    rows: list[tuple[int, str, int, str, str, int, datetime]] = field(default_factory=list)


def backoff(failures: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with equal jitter: half fixed, half random."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * float(2 ** max(0, failures - 1)))
    jitter: float = (rng or random.Random()).uniform(0, delay / 2)
    return delay / 2 + jitter


def due_peers(node: Node, now: datetime) -> list[str]:
    """Peers with queued messages whose backoff has passed."""
    with node.session() as session:
        query = (
            select(Peer.node_id)
            .join(OutboxEntry, OutboxEntry.peer_id == Peer.node_id)
            .where(OutboxEntry.state == "queued", Peer.active.is_(True))
            .where(or_(Peer.next_attempt_at.is_(None), Peer.next_attempt_at <= now))
            .distinct()
        )
        return list(session.scalars(query))


def deliver_peer(
    node: Node,
    keys: NodeKeys,
    peer_id: str,
    client: httpx.Client,
    *,
    clock: Clock = utcnow,
    owner: str | None = None,
) -> PeerDelivery:
    """Send one batch of a peer's queued messages and record the receipt."""
    owner = owner or lease_owner()
    report = PeerDelivery(peer_id)
    claim = _claim(node, peer_id, owner, clock())
    if claim is None:
        return report
    try:
        if not claim.rows:
            return report
        report.sent = len(claim.rows)
        body, resigned = _batch_body(keys, claim.rows, clock())
        try:
            response = client.post(
                claim.peer.endpoint + INBOX_PATH,
                content=body,
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as exc:
            report.error = f"transport: {type(exc).__name__}"
            _fail(node, claim, report.error, clock(), resigned=resigned)
            return report
        _settle(node, keys, claim, response, report, clock(), resigned)
        return report
    finally:
        _release(node, peer_id, owner)


def lease_owner() -> str:
    """Who holds a lease: host, process id and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def _holder_is_dead(owner: str | None) -> bool:
    """A lease held by a process of this host that no longer runs may be taken over."""
    if not owner or owner.count(":") != 2:
        return False
    host, pid, _ = owner.split(":")
    if host != socket.gethostname()[:30] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _claim(node: Node, peer_id: str, owner: str, now: datetime) -> _Claim | None:
    with write_session(node) as session:
        holder = session.scalar(select(Peer.lease_owner).where(Peer.node_id == peer_id))
        free = or_(Peer.lease_until.is_(None), Peer.lease_until < now)
        if _holder_is_dead(holder):
            free = or_(free, Peer.lease_owner == holder)
        got = session.execute(  # type: ignore[attr-defined]
            update(Peer)
            .where(Peer.node_id == peer_id)
            .where(free)
            .values(lease_owner=owner, lease_until=now + timedelta(seconds=LEASE_SECONDS)),
            execution_options={"synchronize_session": False},
        ).rowcount
        if not got:
            return None
        peer = session.get(Peer, peer_id)
        assert peer is not None
        if peer.next_attempt_at is not None and _aware(peer.next_attempt_at) > now:
            return _Claim(peer)
        rows = session.execute(
            select(
                OutboxEntry.id,
                OutboxEntry.message_id,
                OutboxEntry.seq,
                OutboxEntry.envelope,
                OutboxEntry.digest,
                OutboxEntry.attempts,
                OutboxEntry.created_at,
            )
            .where(OutboxEntry.peer_id == peer_id, OutboxEntry.state == "queued")
            .order_by(OutboxEntry.seq)
            .limit(max(1, peer.batch_limit))
        ).all()
        session.expunge(peer)
        return _Claim(peer, [tuple(row) for row in rows])  # type: ignore[misc]


def _batch_body(
    keys: NodeKeys, rows: Sequence[tuple[int, str, int, str, str, int, datetime]], now: datetime
) -> tuple[bytes, dict[int, str]]:
    """The batch as bytes; copies that were tried before or are old get a fresh signature."""
    texts: list[str] = []
    resigned: dict[int, str] = {}
    for row_id, _mid, _seq, text, _digest, attempts, created in rows:
        if attempts > 0 or now - _aware(created) > RESIGN_AFTER:
            fresh = resign(envelope_from_dict(json.loads(text)), keys, now=now)
            text = fresh.to_json().decode()
            resigned[row_id] = text
        texts.append(text)
    return ("[" + ",".join(texts) + "]").encode(), resigned


def _settle(
    node: Node,
    keys: NodeKeys,
    claim: _Claim,
    response: httpx.Response,
    report: PeerDelivery,
    now: datetime,
    resigned: dict[int, str],
) -> None:
    if response.status_code == 413:
        report.error = "peer refused the batch as too large; halving it"
        _fail(node, claim, report.error, now, resigned=resigned, shrink=True)
        return
    try:
        answer = response.json()
        results = answer["receipt"] if response.status_code == 200 else None
    except (ValueError, KeyError, TypeError):
        results = None
    if results is None:
        code = _code_of(response)
        report.error = f"HTTP {response.status_code} {code}"
        _fail(node, claim, report.error, now, resigned=resigned)
        return
    peer = trusted(claim.peer)
    try:
        if peer is None:
            raise ExchangeError(f"peer {claim.peer.node_id} is no longer trusted")
        window = node.settings.replay_window_seconds
        receipt = read_receipt(results, keys=keys, peer=peer, now=now, window_seconds=window)
    except ExchangeError as exc:
        report.error = f"invalid receipt: {exc.code}"
        _fail(node, claim, report.error, now, resigned=resigned)
        return
    with write_session(node) as session:
        stored = Receipt(peer_id=claim.peer.node_id, received_at=now, envelope=json.dumps(results))
        session.add(stored)
        session.flush()
        delivered: list[int] = []
        ids = [row[0] for row in claim.rows]
        entries = {
            e.id: e for e in session.scalars(select(OutboxEntry).where(OutboxEntry.id.in_(ids)))
        }
        for row_id, message_id, _seq, _text, digest, _attempts, _created in claim.rows:
            result = receipt.get(message_id)
            entry = entries[row_id]
            entry.attempts += 1
            if row_id in resigned:
                entry.envelope = resigned[row_id]
            if result is None:
                continue
            if result.status in DELIVERED and result.digest == digest:
                delivered.append(row_id)
                entry.state, entry.delivered_at, entry.receipt_id = "delivered", now, stored.id
                entry.last_error = None
            elif result.code in TRANSIENT_CODES:
                entry.last_error = result.code
            else:
                entry.state, entry.last_error = "rejected", result.code or "digest mismatch"
                entry.receipt_id = stored.id
                report.rejected += 1
        report.delivered = len(delivered)
        peer_row = session.get(Peer, claim.peer.node_id)
        assert peer_row is not None
        peer_row.last_delivered_at = now if delivered else peer_row.last_delivered_at
        if report.delivered or report.rejected:
            peer_row.failures, peer_row.failing_since = 0, None
            peer_row.last_error, peer_row.next_attempt_at = None, None
            peer_row.batch_limit = min(500, max(peer_row.batch_limit, 1) * 2)
        else:
            _mark_failure(peer_row, "no message of the batch was accepted", now)


def _fail(
    node: Node,
    claim: _Claim,
    error: str,
    now: datetime,
    *,
    resigned: dict[int, str],
    shrink: bool = False,
) -> None:
    with write_session(node) as session:
        for row_id, *_rest in claim.rows:
            entry = session.get(OutboxEntry, row_id)
            if entry is not None:
                entry.attempts += 1
                entry.last_error = error
                if row_id in resigned:
                    entry.envelope = resigned[row_id]
        peer = session.get(Peer, claim.peer.node_id)
        assert peer is not None
        if shrink:
            peer.batch_limit = max(1, len(claim.rows) // 2)
            peer.last_error = error
            return
        _mark_failure(peer, error, now)


def _mark_failure(peer: Peer, error: str, now: datetime) -> None:
    peer.failures = (peer.failures or 0) + 1
    peer.failing_since = peer.failing_since or now
    peer.last_error = error
    peer.next_attempt_at = now + timedelta(seconds=backoff(peer.failures))


def _release(node: Node, peer_id: str, owner: str) -> None:
    with write_session(node) as session:
        session.execute(
            update(Peer)
            .where(Peer.node_id == peer_id, Peer.lease_owner == owner)
            .values(lease_owner=None, lease_until=None),
            execution_options={"synchronize_session": False},
        )


def _code_of(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))[:64]
    except (ValueError, AttributeError):
        return ""


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def deliver_outbox(
    node: Node,
    keys: NodeKeys,
    *,
    client: httpx.Client | None = None,
    clock: Clock = utcnow,
    max_batches: int = 1000,
) -> list[PeerDelivery]:
    """Deliver every due peer's queue until it is empty or a delivery fails."""
    own = client is None
    http = client or httpx.Client(timeout=30.0)
    reports: list[PeerDelivery] = []
    try:
        for peer_id in due_peers(node, clock()):
            for _ in range(max_batches):
                report = deliver_peer(node, keys, peer_id, http, clock=clock)
                reports.append(report)
                if report.error or report.sent == 0 or report.delivered + report.rejected == 0:
                    break
    finally:
        if own:
            http.close()
    return reports


__all__ = [
    "INBOX_PATH",
    "PeerDelivery",
    "backoff",
    "deliver_outbox",
    "deliver_peer",
    "due_peers",
    "enqueue",
    "on_enqueue",
    "remove_listener",
]
