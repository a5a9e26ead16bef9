"""Delivery: send a peer's claimed batch, read the signed receipt, settle every row.

Every outbound message ends in exactly one state (``tables.OutboxEntry``):
the peer recorded it (``delivered``), refused it with a code (``refused``), or
it is ``parked`` for an operator after ``delivery_max_failures`` answers that
did not accept it. Transport errors and answers without a receipt are the
peer's trouble, not the message's: the peer backs off exponentially with
jitter and nothing is parked. A 413 for a batch of one message parks it
(the answer is unsigned: an operator decides). A message an operator drops is
withdrawn: a ``void``, sealed afresh each time it is sent, takes its slot, so
the peer's channel moves on.

Settling a row checks it is still what was claimed (queued, or with the same
void): an operator's retry or drop during a delivery is never overwritten.
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jointprobe.exchange.envelope import envelope_from_dict, resign
from jointprobe.exchange.errors import EnvelopeTooLarge, ExchangeError, SequenceTaken
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.outbox.lease import Claim, Claimed, claim, lease_owner, pending, release
from jointprobe.exchange.outbox.queue import void_envelope
from jointprobe.exchange.outbox.resync import renumber_taken, requeue_after
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
#: Most envelopes in one batch (a 413 halves a peer's limit, success doubles it back).
BATCH_LIMIT = 500
SEQ_TAKEN = SequenceTaken.code
TOO_LARGE = EnvelopeTooLarge.code
#: What a void tells the peer about the message it withdraws (a code, no free text).
VOID_REASON = "dropped"
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
    #: sent as ``X-Request-ID``: the receiver's log line for the batch carries it too
    request_id: str = field(default_factory=lambda: secrets.token_hex(8))
    #: our sequence numbers the peer said another message of ours holds (we went back)
    taken: list[int] = field(default_factory=list)


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
        body, claimed.rows, resigned = _batch_body(keys, claimed, clock())
        try:
            response = client.post(
                claimed.peer.endpoint + INBOX_PATH,
                content=body,
                headers={"content-type": "application/json", "x-request-id": report.request_id},
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
    keys: NodeKeys, claimed: Claim, now: datetime
) -> tuple[bytes, list[Claimed], dict[int, str]]:
    """The batch as bytes and its rows as sent.

    Copies tried before or old get a fresh signature (``resigned``: row id →
    text). A void is sealed afresh each time, to the peer's card as it is now,
    so a void survives the peer's key rotation; its new id replaces the old.
    """
    texts: list[str] = []
    sent: list[Claimed] = []
    resigned: dict[int, str] = {}
    for row in claimed.rows:
        if row.void:
            void = void_envelope(keys, claimed.peer, seq=row.seq, withdrawn=row.original_id,
                                 reason=VOID_REASON, now=now)  # fmt: skip
            row = replace(row, message_id=void.id, digest=void.digest(),
                          text=void.to_json().decode())  # fmt: skip
            resigned[row.row_id] = row.text
        elif row.attempts > 0 or now - as_utc(row.created) > RESIGN_AFTER:
            fresh = resign(envelope_from_dict(json.loads(row.text)), keys, now=now)
            row = replace(row, text=fresh.to_json().decode())
            resigned[row.row_id] = row.text
        texts.append(row.text)
        sent.append(row)
    return ("[" + ",".join(texts) + "]").encode(), sent, resigned


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
        copies = [answer.get(k) for k in RECEIPT_FIELDS] if response.status_code == 200 else []
    except (ValueError, AttributeError):
        copies = []
    copies = [c for c in copies if c is not None]
    if not copies:
        report.error = f"HTTP {response.status_code} {_code_of(response)}".strip()
        blamed = _unsigned_refusals(claimed, response)
        report.parked = _peer_failed(node, claimed, report.error, now, resigned, blamed)
        return
    try:
        receipt, data = _read_any(node, keys, claimed, copies, now)
    except ExchangeError as exc:
        report.error = f"invalid receipt: {exc.code}"
        _peer_failed(node, claimed, report.error, now, resigned)
        return
    with node.write_session() as session:
        stored = Receipt(peer_id=claimed.peer.node_id, received_at=now, envelope=json.dumps(data))
        session.add(stored)
        session.flush()
        _record_receipt(session, node, claimed, receipt, stored.id, report, now, resigned)
        _resync(session, keys, claimed, receipt, report.taken, now)


#: Where an answer carries the receipt: signed with the peer's current keys, and (while
#: some of the batch was sealed to the keys it had before a rotation) with those too.
RECEIPT_FIELDS = ("receipt", "receipt_previous")


def _read_any(
    node: Node, keys: NodeKeys, claimed: Claim, copies: list[object], now: datetime
) -> tuple[ReceiptBody, object]:
    """The first copy of the receipt that verifies with the keys we trust for the peer."""
    peer = trusted(claimed.peer)
    if peer is None:
        raise ExchangeError(f"peer {claimed.peer.node_id} is no longer trusted")
    window = node.settings.replay_window_seconds
    error: ExchangeError | None = None
    for data in copies:
        try:
            return read_receipt(data, keys=keys, peer=peer, now=now, window_seconds=window), data
        except ExchangeError as exc:
            error = error or exc
    assert error is not None
    raise error


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
        entry = entries.get(row.row_id)
        if entry is None:  # an operator retried or dropped it meanwhile: theirs stands
            continue
        result = results.get(row.message_id)
        outcome = _outcome(row, result)
        if outcome == "delivered":
            report.delivered += 1
            if row.void:
                entry.void_at = now
            else:
                entry.state, entry.delivered_at, entry.receipt_id = "delivered", now, receipt_id
                entry.last_error = None
        elif outcome == ORIGINAL_APPLIED:  # a void found the withdrawn message in its slot
            report.delivered += 1
            entry.state, entry.delivered_at, entry.receipt_id = "delivered", now, receipt_id
            entry.void_at, entry.last_error = now, "applied by the peer before it was withdrawn"
        elif outcome == "refused":
            report.rejected += 1
            entry.state, entry.receipt_id = "refused", receipt_id
            entry.last_error = _code(result) or "refused"
        elif outcome.startswith(SEQ_TAKEN) and not row.void:
            report.taken.append(row.seq)  # another message of ours holds it: renumbered below
        elif _code(result) in CHANNEL_CODES:
            entry.last_error = outcome  # the channel's trouble: the peer backs off below
            channel_trouble = True
        else:
            entry.failures += 1
            entry.last_error = outcome
            if not row.void and entry.failures >= limit:
                entry.state = "parked"
                report.parked += 1
    peer_row = session.get(Peer, claimed.peer.node_id)
    assert peer_row is not None
    if report.delivered:
        peer_row.last_delivered_at = now
    if report.delivered or report.rejected:
        peer_row.batch_limit = min(BATCH_LIMIT, max(peer_row.batch_limit, 1) * 2)
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


def _resync(
    session: Session,
    keys: NodeKeys,
    claimed: Claim,
    receipt: ReceiptBody,
    taken: list[int],
    now: datetime,
) -> None:
    """Mend the channel when either side went back to a backup (``outbox.resync``)."""
    peer = session.get(Peer, claimed.peer.node_id)
    assert peer is not None
    through = receipt.applied_through
    if through is None:
        return
    if through < peer.peer_applied_seq:  # the peer went back: send again what it lost
        requeue_after(session, peer, through, keep=[r.row_id for r in claimed.rows])
    peer.peer_applied_seq = through
    if taken:  # we went back: our numbers are the peer's already
        renumber_taken(session, keys, peer, taken, through, now=now)
    elif through > peer.out_seq:  # we went back, and have not yet reused a number
        peer.out_seq = through


ORIGINAL_APPLIED = "original applied"


def _outcome(row: Claimed, result: ReceiptResult | None) -> str:
    """``delivered``, ``refused``, :data:`ORIGINAL_APPLIED`, or why the peer did not accept it."""
    if result is None:
        return "the receipt does not mention this message"
    if result.status in DELIVERED:
        if result.digest == row.digest:
            return "delivered"
        return "digest mismatch: the peer holds another message under this id"
    if result.status == REFUSED:
        return "delivered" if row.void else "refused"  # a refused void still settles the slot
    if result.status == INVALID and row.void and result.code == SEQ_TAKEN:
        # the slot is settled; the peer names what holds it (its digest)
        return ORIGINAL_APPLIED if result.digest == row.original_digest else "delivered"
    return f"{result.code or result.status}: not accepted"


def _code(result: ReceiptResult | None) -> str | None:
    return result.code if result is not None else None


def _entries(session: Session, claimed: Claim, resigned: dict[int, str]) -> dict[int, OutboxEntry]:
    """The claimed rows that are still as claimed (queued, or with the claimed void)."""
    ids = [row.row_id for row in claimed.rows]
    found = {e.id: e for e in session.scalars(select(OutboxEntry).where(OutboxEntry.id.in_(ids)))}
    entries: dict[int, OutboxEntry] = {}
    for row in claimed.rows:
        entry = found.get(row.row_id)
        if entry is None:
            continue
        if row.void and entry.void_id != row.claimed_void:
            continue
        if not row.void and entry.state != "queued":
            continue
        entry.attempts += 1
        if row.void:
            entry.void_id, entry.void_digest = row.message_id, row.digest
            entry.void_envelope = row.text
        elif row.row_id in resigned:
            entry.envelope = resigned[row.row_id]
        entries[row.row_id] = entry
    return entries


def _too_large(
    node: Node,
    keys: NodeKeys,
    claimed: Claim,
    report: PeerDelivery,
    now: datetime,
    resigned: dict[int, str],
) -> None:
    """413: halve the batch; a single message the peer will not take is parked.

    A 413 is unsigned (a proxy in front of the peer answers so too): the
    message is not withdrawn on its word; an operator retries it once the
    limit is raised, or drops it.
    """
    if len(claimed.rows) > 1:
        report.error = "the peer refused the batch as too large; halving it"
        report.again = True
        with node.write_session() as session:
            peer = session.get(Peer, claimed.peer.node_id)
            assert peer is not None
            peer.batch_limit = max(1, len(claimed.rows) // 2)
        return
    row = claimed.rows[0]
    if row.void:  # a void is tiny: a peer that refuses it is failing, not the message
        report.error = "HTTP 413 for a void message"
        _peer_failed(node, claimed, report.error, now, resigned)
        return
    reason = f"{TOO_LARGE}: the peer refuses a {len(row.text):,}-byte message (HTTP 413)"
    report.error, report.again = reason, True
    with node.write_session() as session:
        for entry in _entries(session, claimed, resigned).values():
            entry.state, entry.last_error = "parked", reason
            report.parked += 1


def withdraw(
    session: Session, keys: NodeKeys, peer: Peer, entry: OutboxEntry, *, now: datetime
) -> None:
    """Queue the ``void`` that takes ``entry``'s sequence slot at the peer."""
    void = void_envelope(
        keys, peer, seq=entry.seq, withdrawn=entry.message_id, reason=VOID_REASON, now=now
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
