"""Prometheus metrics of one node, on a registry of its own (never the global one).

Two kinds: what this process measures as it serves (request latency), and what
the database says at scrape time, so that every process of the node and the
CLI's work (imports, queued messages) count alike: per peer the outbox depth,
the age of its oldest queued message, parked and refused messages and the
messages held in the inbox; failed sign-ins within the window; entities stored.
A scrape that cannot read the database reports ``jointprobe_scrape_ok 0``
instead of failing. docs/operations.md lists what to alert on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from jointprobe import __version__
from jointprobe.errors import JointprobeError
from jointprobe.exchange.tables import InboxEntry, OutboxEntry, Peer
from jointprobe.node import Node
from jointprobe.store.tables import Entity, SignInFailure
from jointprobe.timeutil import as_utc, utcnow

#: Request latency buckets, in seconds (pages and API calls: 5 ms to 30 s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class NodeMetrics:
    """The registry an app serves at ``/metrics`` and the instruments it records into."""

    def __init__(self, node: Node) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.request_seconds = Histogram(
            "jointprobe_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status class.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(StoreCollector(node))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.request_seconds.labels(method, route, f"{status // 100}xx").observe(seconds)


class StoreCollector(Collector):
    """Gauges read from the node database at each scrape."""

    def __init__(self, node: Node) -> None:
        self.node = node

    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily("jointprobe_node_info", "This node.", labels=["node", "version"])
        info.add_metric([self.node.identity.id, __version__], 1)
        yield info
        ok = GaugeMetricFamily("jointprobe_scrape_ok", "1 if the database could be read.")
        try:
            with self.node.session() as session:
                families = list(_store_metrics(session, self.node))
        except (SQLAlchemyError, JointprobeError):
            ok.add_metric([], 0)
            yield ok
            return
        ok.add_metric([], 1)
        yield ok
        yield from families

    def describe(self) -> Iterator[Metric]:
        return iter(())  # read at scrape time only


def _store_metrics(session: Session, node: Node) -> Iterator[Metric]:
    now = utcnow()
    peers = list(session.scalars(select(Peer.node_id).where(Peer.active.is_(True))))
    queued = _gauge("outbox_queued", "Messages waiting to be delivered to the peer.")
    oldest = _gauge("outbox_oldest_queued_age_seconds", "Age of the oldest message waiting "
                    "for the peer (0: none).")  # fmt: skip
    states = _gauge("outbox_failed", "Messages to the peer that did not go through, by state "
                    "(parked, refused).", "state")  # fmt: skip
    held = _gauge("inbox_held", "Messages from the peer held here, waiting for an earlier one.")
    failing = _gauge("peer_failing_seconds", "How long deliveries to the peer have been "
                     "failing (0: they are not).")  # fmt: skip
    waiting = {p: (n, t) for p, n, t in session.execute(
        select(OutboxEntry.peer_id, func.count(), func.min(OutboxEntry.created_at))
        .where(OutboxEntry.state == "queued").group_by(OutboxEntry.peer_id))}  # fmt: skip
    failed = {(p, s): n for p, s, n in session.execute(
        select(OutboxEntry.peer_id, OutboxEntry.state, func.count())
        .where(OutboxEntry.state.in_(("parked", "refused")))
        .group_by(OutboxEntry.peer_id, OutboxEntry.state))}  # fmt: skip
    holding = {s: n for s, n in session.execute(
        select(InboxEntry.sender, func.count()).where(InboxEntry.state == "held")
        .group_by(InboxEntry.sender))}  # fmt: skip
    since = {p: t for p, t in session.execute(select(Peer.node_id, Peer.failing_since))}
    for peer in peers:
        count, first = waiting.get(peer, (0, None))
        queued.add_metric([peer], count)
        oldest.add_metric([peer], (now - as_utc(first)).total_seconds() if first else 0.0)
        for state in ("parked", "refused"):
            states.add_metric([peer, state], failed.get((peer, state), 0))
        held.add_metric([peer], holding.get(peer, 0))
        start = since.get(peer)
        failing.add_metric([peer], (now - as_utc(start)).total_seconds() if start else 0.0)
    yield from (queued, oldest, states, held, failing)
    window = timedelta(seconds=node.settings.signin_failure_window_seconds)
    recent = session.scalar(select(func.count()).select_from(SignInFailure).where(
        SignInFailure.scope == "account", SignInFailure.failed_at > now - window))  # fmt: skip
    signins = GaugeMetricFamily("jointprobe_signin_failures_recent", "Failed web sign-ins "
                                "within the sign-in failure window (all processes).")  # fmt: skip
    signins.add_metric([], recent or 0)
    yield signins
    entities = GaugeMetricFamily("jointprobe_entities", "Entities stored (imports raise it: "
                                 "rate with deriv()).")  # fmt: skip
    entities.add_metric([], session.scalar(select(func.count()).select_from(Entity)) or 0)
    yield entities


def _gauge(name: str, text: str, *labels: str) -> GaugeMetricFamily:
    """A gauge per peer (and ``labels``)."""
    return GaugeMetricFamily(f"jointprobe_{name}", text, labels=["peer", *labels])


__all__ = ["LATENCY_BUCKETS", "NodeMetrics", "StoreCollector"]
