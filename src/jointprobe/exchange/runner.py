"""The background deliverer of a serving node: a thread that drains the outbox.

Messages queued in this process wake it at once (after their transaction
commits); messages queued by other processes (the CLI) are found by polling
every ``delivery_interval_seconds``.
"""

from __future__ import annotations

import logging
import threading

import httpx

from jointprobe.errors import JointprobeError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.outbox import PeerDelivery, deliver_outbox, on_enqueue, remove_listener
from jointprobe.logs import log_event
from jointprobe.node import Node

log = logging.getLogger(__name__)


class Deliverer:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.interval = node.settings.delivery_interval_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="jointprobe-deliverer", daemon=True)

    def start(self) -> None:
        on_enqueue(self._wake.set)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        remove_listener(self._wake.set)
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        with httpx.Client(timeout=30.0) as client:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    # read each round: keys rotated by another process are used at once
                    for report in deliver_outbox(self.node, node_keys(self.node), client=client):
                        log_delivery(report)
                except JointprobeError as exc:
                    log.warning("outbox delivery failed: %s (%s)", exc.code, exc.message)
                except Exception:  # a bug must not stop delivery for good
                    log.exception("outbox delivery crashed; retrying")
                self._wake.wait(self.interval)


def log_delivery(report: PeerDelivery) -> None:
    """One ``exchange.delivery`` line per batch sent: counts and codes, never content."""
    if report.sent == 0:
        return
    level = logging.WARNING if report.error else logging.INFO
    log_event(log, "exchange.delivery", level, request_id=report.request_id, peer=report.peer_id,
              sent=report.sent, delivered=report.delivered, refused=report.rejected,
              parked=report.parked, error=report.error)  # fmt: skip


__all__ = ["Deliverer", "log_delivery"]
