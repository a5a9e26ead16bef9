"""Delivery: send a peer's claimed batch, read the signed receipt, settle every row.

Every outbound message ends in exactly one state (``tables.OutboxEntry``):
the peer recorded it (``delivered``), refused it with a code (``refused``), or
it is ``parked`` for an operator after ``delivery_max_failures`` answers that
did not accept it. Transport errors and answers without a receipt are the
peer's trouble, not the message's: the peer backs off exponentially with
jitter and nothing is parked. A message the peer refused without recording
it (413 for one message) is withdrawn: a ``void`` takes its slot, so the
peer's channel moves on.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jointprobe.exchange.envelope import envelope_from_dict, resign
from jointprobe.exchange.errors import ExchangeError
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.outbox.lease import Claim, Claimed, claim, lease_owner, pending, release
from jointprobe.exchange.outbox.queue import void_envelope
from jointprobe.exchange.payloads import ReceiptBody, ReceiptResult
from jointprobe.exchange.peers import trusted
from jointprobe.exchange.receipts import DELIVERED, INVALID, REFUSED, read_receipt, results_by_id
from jointprobe.exchange.tables import OutboxEntry, Peer, Receipt
from jointprobe.node import Node
from jointprobe.timeutil import as_utc, utcnow

INBOX_PATH = "/api/v1/exchange/inbox"
BACKOFF_BASE = 1.0
BACKOFF_CAP = 300.0
RESIGN_AFTER = timedelta(seconds=60)
SEQ_TAKEN = "envelope.seq_taken"
TOO_LARGE = "envelope.too_large"
#: Refusals that say the channel is unwell (keys, clocks), not the message: they back
#: the peer off and never count towards parking a message.
CHANNEL_CODES = frozenset(
    {"envelope.unknown_sender", "envelope.revoked_key", "envelope.stale", "envelope.not_addressed"}
)

Clock = Callable[[], datetime]


@dataclass
class PeerDelivery:
    peer_id: str
    sent: int = 0
    delivered: int = 0
    rejected: int = 0
    parked: int = 0
    error: str | None = None
    #: the batch was too large for the peer and was halved: send again at once
    again: bool = False


def backoff(failures: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with equal jitter: half fixed, half random."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * float(2 ** max(0, failures - 1)))
    jitter: float = (rng or random.Random()).uniform(0, delay / 2)
    return delay / 2 + jitter


def due_peers(node: Node, now: datetime) -> list[str]:
    """Peers with messages to send whose backoff has passed."""
    with node.session() as session:
        query = (
            select(Peer.node_id)
            .join(OutboxEntry, OutboxEntry.peer_id == Peer.node_id)
            .where(pending(), Peer.active.is_(True))  # type: ignore[arg-type]
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
    claimed = claim(node, peer_id, owner, clock())
    if claimed is None:
        return report
    try:
        if not claimed.rows:
            return report
        report.sent = len(claimed.rows)
        body, resigned = _batch_body(keys, claimed.rows, clock())
        try:
            response = client.post(
                claimed.peer.endpoint + INBOX_PATH,
                content=body,
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as exc:
            report.error = f"transport: {type(exc).__name__}"
            _peer_failed(node, claimed, report.error, clock(), resigned)
            return report
        _settle(node, keys, claimed, response, report, clock(), resigned)
        return report
    finally:
        release(node, peer_id, owner)


def _batch_body(
    keys: NodeKeys, rows: Sequence[Claimed], now: datetime
) -> tuple[bytes, dict[int, str]]:
    """The batch as bytes; copies that were tried before or are old get a fresh signature."""
    texts: list[str] = []
    resigned: dict[int, str] = {}
    for row in rows:
        text = row.text
        if row.attempts > 0 or now - as_utc(row.created) > RESIGN_AFTER:
            fresh = resign(envelope_from_dict(json.loads(text)), keys, now=now)
            text = fresh.to_json().decode()
            resigned[row.row_id] = text
        texts.append(text)
    return ("[" + ",".join(texts) + "]").encode(), resigned


def _settle(
    node: Node,
    keys: NodeKeys,
    claimed: Claim,
    response: httpx.Response,
    report: PeerDelivery,
    now: datetime,
    resigned: dict[int, str],
) -> None:
    if response.status_code == 413:
        _too_large(node, keys, claimed, report, now, resigned)
        return
    try:
        answer = response.json()
        data = answer["receipt"] if response.status_code == 200 else None
    except (ValueError, KeyError, TypeError):
        data = None
    if data is None:
        report.error = f"HTTP {response.status_code} {_code_of(response)}".strip()
        blamed = _unsigned_refusals(claimed, response)
        report.parked = _peer_failed(node, claimed, report.error, now, resigned, blamed)
        return
    peer = trusted(claimed.peer)
    try:
        if peer is None:
            raise ExchangeError(f"peer {claimed.peer.node_id} is no longer trusted")
        window = node.settings.replay_window_seconds
        receipt = read_receipt(data, keys=keys, peer=peer, now=now, window_seconds=window)
    except ExchangeError as exc:
        report.error = f"invalid receipt: {exc.code}"
        _peer_failed(node, claimed, report.error, now, resigned)
        return
    with node.write_session() as session:
        stored = Receipt(peer_id=claimed.peer.node_id, received_at=now, envelope=json.dumps(data))
        session.add(stored)
        session.flush()
        _record_receipt(session, node, claimed, receipt, stored.id, report, now, resigned)


def _record_receipt(
    session: Session,
    node: Node,
    claimed: Claim,
    receipt: ReceiptBody,
    receipt_id: int,
    report: PeerDelivery,
    now: datetime,
    resigned: dict[int, str],
) -> None:
    results = results_by_id(receipt)
    limit = node.settings.delivery_max_failures
    entries = _entries(session, claimed, resigned)
    channel_trouble = False
    for row in claimed.rows:
        entry = entries[row.row_id]
        outcome = _outcome(row, results.get(row.message_id))
        if outcome == "delivered":
            report.delivered += 1
            if row.void:
                entry.void_at = now
            else:
                entry.state, entry.delivered_at, entry.receipt_id = "delivered", now, receipt_id
                entry.last_error = None
        elif outcome == "refused":
            report.rejected += 1
            entry.state, entry.receipt_id = "refused", receipt_id
            entry.last_error = _code(results.get(row.message_id)) or "refused"
        elif _code(results.get(row.message_id)) in CHANNEL_CODES:
            entry.last_error = outcome  # the channel's trouble: the peer backs off below
            channel_trouble = True
        else:
            entry.failures += 1
            entry.last_error = outcome
            if not row.void and (entry.failures >= limit or outcome.startswith(SEQ_TAKEN)):
                entry.state = "parked"
                report.parked += 1
    peer_row = session.get(Peer, claimed.peer.node_id)
    assert peer_row is not None
    if receipt.applied_through is not None:
        peer_row.peer_applied_seq = receipt.applied_through
    if report.delivered:
        peer_row.last_delivered_at = now
    if report.delivered or report.rejected:
        peer_row.batch_limit = min(500, max(peer_row.batch_limit, 1) * 2)
    if channel_trouble:  # keys or clocks disagree: back off as for a failing peer
        peer_row.failures = (peer_row.failures or 0) + 1
        peer_row.failing_since = peer_row.failing_since or now
        peer_row.last_error = "the peer refuses our envelopes: keys or clocks disagree"
        peer_row.next_attempt_at = now + timedelta(seconds=backoff(peer_row.failures))
        return
    # The peer answered with a valid receipt: the channel works, whatever the messages.
    peer_row.failures, peer_row.failing_since = 0, None
    peer_row.last_error, peer_row.next_attempt_at = None, None
    if not (report.delivered or report.rejected):  # only retries in this batch: pace them
        peer_row.next_attempt_at = now + timedelta(seconds=backoff(1))


def _outcome(row: Claimed, result: ReceiptResult | None) -> str:
    """``delivered``, ``refused``, or the reason the peer did not accept the message."""
    if result is None:
        return "the receipt does not mention this message"
    if result.status in DELIVERED:
        if result.digest == row.digest:
            return "delivered"
        return "digest mismatch: the peer holds another message under this id"
    if result.status == REFUSED:
        return "delivered" if row.void else "refused"  # a refused void still settles the slot
    if result.status == INVALID and row.void and result.code == SEQ_TAKEN:
        return "delivered"  # the withdrawn message itself reached the slot first
    return f"{result.code or result.status}: not accepted"


def _code(result: ReceiptResult | None) -> str | None:
    return result.code if result is not None else None


def _entries(session: Session, claimed: Claim, resigned: dict[int, str]) -> dict[int, OutboxEntry]:
    ids = [row.row_id for row in claimed.rows]
    entries = {e.id: e for e in session.scalars(select(OutboxEntry).where(OutboxEntry.id.in_(ids)))}
    by_id = {row.row_id: row for row in claimed.rows}
    for row_id, entry in entries.items():
        entry.attempts += 1
        if row_id in resigned:
            if by_id[row_id].void:
                entry.void_envelope = resigned[row_id]
            else:
                entry.envelope = resigned[row_id]
    return entries


def _too_large(
    node: Node,
    keys: NodeKeys,
    claimed: Claim,
    report: PeerDelivery,
    now: datetime,
    resigned: dict[int, str],
) -> None:
    """413: halve the batch; a single message the peer cannot take is refused and voided."""
    if len(claimed.rows) > 1:
        report.error = "the peer refused the batch as too large; halving it"
        report.again = True
        with node.write_session() as session:
            peer = session.get(Peer, claimed.peer.node_id)
            assert peer is not None
            peer.batch_limit = max(1, len(claimed.rows) // 2)
        return
    row = claimed.rows[0]
    size = len(row.text)
    if row.void:  # a void is tiny: a peer that refuses it is failing, not the message
        _peer_failed(node, claimed, "the peer refused a void message as too large", now, resigned)
        report.error = "HTTP 413 for a void message"
        return
    reason = f"{TOO_LARGE}: the peer refuses a {size:,}-byte message"
    report.rejected, report.error, report.again = 1, reason, True
    with node.write_session() as session:
        entry = session.get(OutboxEntry, row.row_id)
        assert entry is not None
        peer_row = session.get(Peer, claimed.peer.node_id)
        assert peer_row is not None
        entry.attempts += 1
        entry.state, entry.last_error = "refused", reason
        withdraw(session, keys, peer_row, entry, reason=TOO_LARGE, now=now)


def withdraw(
    session: Session, keys: NodeKeys, peer: Peer, entry: OutboxEntry, *, reason: str, now: datetime
) -> None:
    """Queue the ``void`` that takes ``entry``'s sequence slot at the peer."""
    void = void_envelope(
        keys, peer, seq=entry.seq, withdrawn=entry.message_id, reason=reason, now=now
    )
    entry.void_id, entry.void_digest = void.id, void.digest()
    entry.void_envelope, entry.void_at = void.to_json().decode(), None


def _unsigned_refusals(claimed: Claim, response: httpx.Response) -> dict[int, str]:
    """Rows the peer refused unread, message by message, in an answer without a receipt.

    Nothing in such an answer is signed: it never marks a message delivered, it
    only counts towards parking one (which an operator can undo), and only for
    codes that blame the message (a signature broken in transit), not the channel.
    """
    try:
        results = response.json().get("results") if response.status_code == 200 else None
    except (ValueError, AttributeError):
        return {}
    if not isinstance(results, list) or len(results) != len(claimed.rows):
        return {}
    blamed: dict[int, str] = {}
    for row, result in zip(claimed.rows, results, strict=True):
        code = result.get("code") if isinstance(result, dict) else None
        if isinstance(code, str) and code not in CHANNEL_CODES and not row.void:
            blamed[row.row_id] = f"{code[:64]}: not accepted"
    return blamed


def _peer_failed(
    node: Node,
    claimed: Claim,
    error: str,
    now: datetime,
    resigned: dict[int, str],
    blamed: dict[int, str] | None = None,
) -> int:
    """The peer did not answer with a receipt: back off; count ``blamed`` rows' failures.

    Returns how many messages were parked.
    """
    blamed = blamed or {}
    parked = 0
    with node.write_session() as session:
        for row_id, entry in _entries(session, claimed, resigned).items():
            entry.last_error = blamed.get(row_id, error)
            if row_id in blamed:
                entry.failures += 1
                if entry.failures >= node.settings.delivery_max_failures:
                    entry.state = "parked"
                    parked += 1
        peer = session.get(Peer, claimed.peer.node_id)
        assert peer is not None
        peer.failures = (peer.failures or 0) + 1
        peer.failing_since = peer.failing_since or now
        peer.last_error = error
        peer.next_attempt_at = now + timedelta(seconds=backoff(peer.failures))
    return parked


def _code_of(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))[:64]
    except (ValueError, AttributeError):
        return ""


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
                if report.again:
                    continue
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
    "withdraw",
]
