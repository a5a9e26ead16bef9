"""The durable outbox, in three parts that can be read alone.

- ``queue``: seal and queue in the producing transaction (size cap, sequence numbers)
- ``lease``: one deliverer per peer; what a batch claims
- ``delivery``: send, read the receipt, settle every message (delivered, refused, parked)
- ``failed``: what an operator sees and does with messages that did not go through
"""

from __future__ import annotations

from jointprobe.exchange.outbox.delivery import (
    INBOX_PATH,
    PeerDelivery,
    backoff,
    deliver_outbox,
    deliver_peer,
    due_peers,
)
from jointprobe.exchange.outbox.failed import FAILED_STATES, OutboxRow, drop, outbox_rows, retry
from jointprobe.exchange.outbox.lease import lease_owner
from jointprobe.exchange.outbox.queue import enqueue, on_enqueue, remove_listener

__all__ = [
    "FAILED_STATES",
    "INBOX_PATH",
    "OutboxRow",
    "PeerDelivery",
    "backoff",
    "deliver_outbox",
    "deliver_peer",
    "drop",
    "due_peers",
    "enqueue",
    "lease_owner",
    "on_enqueue",
    "outbox_rows",
    "remove_listener",
    "retry",
]
