"""Chaos test harness: two real node processes, a fault proxy each way, kills, a key rotation.

    us-hsi-nola ──► proxy ──► cn-mps-nnc      referrals, notices, RFIs
    us-hsi-nola ◄── proxy ◄── cn-mps-nnc      acks of some referrals

Messages are created through the sender's REST API; at random points either
node is killed (SIGKILL) and restarted; half way the sender's keys are rotated
while it is down and the receiver applies the card update. Then the proxies
stop injecting faults, the outboxes drain (with a deadline), both nodes stop,
and :mod:`tests.exchange.chaos_checks` reads both databases.

Fault types are selectable (``ChaosConfig.faults``): the proxy's (see
:mod:`tests.exchange.chaos_proxy`), ``oversize`` (a receiver body limit that
some large referrals exceed) and ``rotate`` (the key rotation). Kills are
always on (``ChaosConfig.kills``).
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update

import jointprobe
from jointprobe.accounts import create_token
from jointprobe.exchange.identity import node_keys, rotate_own_keys
from jointprobe.exchange.outbox import drop, outbox_rows, retry
from jointprobe.exchange.peers import apply_card_update
from jointprobe.exchange.tables import Peer
from jointprobe.node import Node

from .chaos_checks import Direction, check
from .chaos_proxy import PROXY_FAULTS, FaultProxy
from .chaos_traffic import Api, Created, Replier, create, message
from .live import case, make_node, peer
from .procs import Process

ALL_FAULTS = (*PROXY_FAULTS, "oversize", "rotate")
#: What the delivery code before the rewrite of issue 13 should survive.
SAFE_FAULTS = ("drop", "delay", "duplicate", "reset", "http_500", "http_503")
US, CN = "us-hsi-nola", "cn-mps-nnc"
OVERSIZE_BYTES = 40_000  # about 120 selectors: the largest referrals exceed it


@dataclass(frozen=True)
class ChaosConfig:
    messages: int = 250
    seed: int = 13
    faults: frozenset[str] = frozenset(ALL_FAULTS)
    rate: float = 0.25  # share of requests that meet a fault
    kills: int = 2
    replies: bool = True
    drain_seconds: float = 45.0


@dataclass
class ChaosReport:
    config: ChaosConfig
    sent: int = 0  # messages the sender queued for the receiver
    created: Counter[str] = field(default_factory=Counter)  # confirmed by the API, by kind
    unsure: int = 0  # API calls cut off by a kill (committed or not)
    replies: int = 0
    applied: int = 0
    ended: Counter[str] = field(default_factory=Counter)  # refused, parked, rejected …
    end_reasons: Counter[str] = field(default_factory=Counter)
    duplicates_seen: int = 0
    receipt_results: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    requests: int = 0  # requests through the proxies, both ways
    kills: Counter[str] = field(default_factory=Counter)
    rotations: int = 0
    operator: Counter[str] = field(default_factory=Counter)  # parked messages dropped, retried
    drained: bool = False
    elapsed: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds: start, produce, drain
    directions: list[Direction] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.directions)

    def problems(self) -> list[str]:
        return [p for d in self.directions for p in d.problems()]


@dataclass
class Side:
    """One node: its database object, its process and its API."""

    node: Node
    process: Process
    api: Api

    @property
    def data_dir(self) -> Path:
        return self.node.settings.data_dir


@dataclass
class Cluster:
    us: Side
    cn: Side
    to_cn: FaultProxy
    to_us: FaultProxy
    rng: random.Random
    report: ChaosReport
    #: parked messages the operator has retried once already (node id, outbox id)
    retried: set[tuple[str, int]] = field(default_factory=set)

    def restart(self, side: Side, name: str) -> None:
        side.process.kill()
        self.report.kills[name] += 1
        time.sleep(self.rng.uniform(0.1, 1.0))
        side.process.start()


def faults_from(text: str | None) -> frozenset[str]:
    """``all``, ``safe`` or a comma-separated list of fault names."""
    if not text or text == "all":
        return frozenset(ALL_FAULTS)
    if text == "safe":
        return frozenset(SAFE_FAULTS)
    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    unknown = names - set(ALL_FAULTS)
    if unknown:
        raise ValueError(f"unknown fault types: {sorted(unknown)}; known: {ALL_FAULTS}")
    return names


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Node processes run the code this harness imports (a worktree, not the installed one)."""
    src = str(Path(jointprobe.__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH", "")) if p)
    return {"PYTHONPATH": path, **(extra or {})}


def token(node: Node) -> str:
    with node.write_session() as session:
        return create_token(session, "analyst", "chaos")


def point(node: Node, peer_id: str, url: str) -> None:
    """Send this node's envelopes for ``peer_id`` to ``url`` (a proxy)."""
    with node.write_session() as session:
        session.execute(update(Peer).where(Peer.node_id == peer_id).values(endpoint=url))


def build(base: Path, config: ChaosConfig) -> Cluster:
    us_node = make_node(base, US, "HSI New Orleans", "US")
    cn_node = make_node(base, CN, "MPS narcotics bureau", "CN")
    peer(us_node, cn_node)
    case(us_node)
    proxy_faults = config.faults & set(PROXY_FAULTS)
    to_cn = FaultProxy(
        cn_node.settings.endpoint or "", proxy_faults, config.rate, config.seed
    ).start()
    to_us = FaultProxy(
        us_node.settings.endpoint or "", proxy_faults, config.rate, config.seed + 7
    ).start()
    point(us_node, CN, to_cn.url)
    point(cn_node, US, to_us.url)
    limit = (
        {"JOINTPROBE_MAX_BODY_BYTES": str(OVERSIZE_BYTES)} if "oversize" in config.faults else {}
    )
    us = Side(
        us_node,
        Process(us_node, child_env(), log=base / "us.log", startup_seconds=60),
        Api("", token(us_node)),
    )
    cn = Side(
        cn_node,
        Process(cn_node, child_env(limit), log=base / "cn.log", startup_seconds=60),
        Api("", token(cn_node)),
    )
    us.api.url, cn.api.url = us.process.url, cn.process.url
    return Cluster(us, cn, to_cn, to_us, random.Random(config.seed), ChaosReport(config))


def schedule(config: ChaosConfig, rng: random.Random) -> dict[int, str]:
    """Message index → what happens before it: kill one side, or rotate the sender's keys."""
    n = config.messages
    points = sorted(rng.sample(range(n // 10, max(n // 10 + 1, 9 * n // 10)), config.kills))
    first = rng.choice(("sender", "receiver"))
    other = "receiver" if first == "sender" else "sender"
    events = {at: (first, other)[i % 2] for i, at in enumerate(points)}
    if "rotate" in config.faults:
        events[n // 2 if n // 2 not in events else n // 2 + 1] = "rotate"
    return events


def rotate(cluster: Cluster) -> None:
    """Rotate the sender's keys while it is down; the receiver applies the card update."""
    cluster.us.process.kill()
    cluster.report.kills["sender"] += 1
    rotation = rotate_own_keys(cluster.us.node)
    with cluster.cn.node.write_session() as session:
        apply_card_update(session, rotation.update)
    point(cluster.cn.node, US, cluster.to_us.url)  # the new card names the node's own address
    cluster.report.rotations += 1
    cluster.us.process.start()


#: Messages between two looks of the operator at parked messages while traffic runs.
OPERATOR_EVERY = 250


def produce(cluster: Cluster, config: ChaosConfig) -> Created:
    created = Created()
    events = schedule(config, cluster.rng)
    traffic = random.Random(config.seed + 3)
    for index in range(config.messages):
        event = events.get(index)
        if event == "rotate":
            rotate(cluster)
        elif event is not None:
            cluster.restart(cluster.us if event == "sender" else cluster.cn, event)
        kind, path, body = message(traffic, index, "diana-2017", CN)
        create(cluster.us.api, path, body, created, kind)
        if index % OPERATOR_EVERY == OPERATOR_EVERY - 1:  # the operator looks in now and then
            settle_parked(cluster)
    return created


def queued_or_held(cluster: Cluster) -> int:
    count = 0
    for side, table, state in (
        (cluster.us, "exchange_outbox", "queued"), (cluster.cn, "exchange_outbox", "queued"),
        (cluster.cn, "exchange_inbox", "held"), (cluster.us, "exchange_inbox", "held"),
    ):  # fmt: skip
        with sqlite3.connect(f"file:{side.data_dir / 'node.db'}?mode=ro", uri=True) as db:
            row = db.execute(f"SELECT COUNT(*) FROM {table} WHERE state = ?", (state,)).fetchone()
            count += int(row[0])
    return count


def drain(cluster: Cluster, seconds: float) -> bool:
    """Wait until no message is queued or held anywhere, or the deadline passes.

    Meanwhile an operator settles parked messages, as one would from
    ``jointprobe peer outbox --failed``: each is retried once; one the peer
    refuses as too large (HTTP 413) a second time is dropped (a void takes its
    slot).
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        settle_parked(cluster)
        if queued_or_held(cluster) == 0:
            return True
        time.sleep(0.25)
    return False


def settle_parked(cluster: Cluster) -> None:
    for side in (cluster.us, cluster.cn):
        with side.node.write_session() as session:
            for row in outbox_rows(session, failed=True, limit=10_000):
                if row.state != "parked":
                    continue
                key = (side.node.identity.id, row.id)
                if "too_large" in (row.last_error or "") and key in cluster.retried:
                    drop(session, "operator", node_keys(side.node), row.id, reason="too large")
                    cluster.report.operator["drop"] += 1
                else:
                    retry(session, "operator", row.id)
                    cluster.retried.add(key)
                    cluster.report.operator["retry"] += 1


def run(base: Path, config: ChaosConfig) -> ChaosReport:
    cluster = build(base, config)
    report = cluster.report
    started = time.monotonic()
    replier = Replier(cluster.cn.api, random.Random(config.seed + 5))
    try:
        cluster.cn.process.start()
        cluster.us.process.start()
        report.phases["start"] = time.monotonic() - started
        if config.replies:
            replier.start()
        created = produce(cluster, config)
        replier.finish()
        report.phases["produce"] = time.monotonic() - started - report.phases["start"]
        cluster.to_cn.calm()
        cluster.to_us.calm()
        calm = time.monotonic()
        report.drained = drain(cluster, config.drain_seconds)
        report.phases["drain"] = time.monotonic() - calm
    finally:
        replier.finish()
        cluster.us.process.stop()
        cluster.cn.process.stop()
        cluster.to_cn.stop()
        cluster.to_us.stop()
        cluster.us.node.close()
        cluster.cn.node.close()
    report.elapsed = time.monotonic() - started
    report.created, report.unsure, report.replies = created.kinds, created.unsure, len(replier.acks)
    summarise(report, cluster, created)
    return report


def summarise(report: ChaosReport, cluster: Cluster, created: Created) -> None:
    forward = check(cluster.us.data_dir, cluster.cn.data_dir, US, CN)
    back = check(cluster.cn.data_dir, cluster.us.data_dir, CN, US)
    report.directions = [forward, back]
    report.sent, report.applied = forward.queued_by_sender, forward.applied
    report.ended, report.end_reasons = (
        forward.ended + back.ended,
        forward.end_reasons + back.end_reasons,
    )
    report.faults = merged(p.injected for p in (cluster.to_cn, cluster.to_us))
    report.requests = report.faults.pop("requests", 0)
    report.receipt_results = merged(p.seen for p in (cluster.to_cn, cluster.to_us))
    report.duplicates_seen = sum(
        n for k, n in report.receipt_results.items() if k.startswith("duplicate")
    )
    missing = set(created.ids) - _outbox_ids(cluster.us.data_dir)
    forward.lost += [f"created {mid} but never queued" for mid in sorted(missing)]


def merged(counters: Iterable[Counter[str]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for counter in counters:
        total.update(counter)
    return total


def _outbox_ids(data_dir: Path) -> set[str]:
    with sqlite3.connect(f"file:{data_dir / 'node.db'}?mode=ro", uri=True) as db:
        return {row[0] for row in db.execute("SELECT message_id FROM exchange_outbox")}


def summary(report: ChaosReport) -> str:
    """The report as plain text, for a failing test's message."""
    lines = [
        f"faults enabled: {', '.join(sorted(report.config.faults)) or 'none'}",
        f"sent {report.sent} ({dict(report.created)}), applied {report.applied}, "
        f"ended {dict(report.ended)}, replies {report.replies}, unsure API calls {report.unsure}",
        f"faults injected: {dict(report.faults)} in {report.requests} requests",
        f"kills: {dict(report.kills)}, rotations: {report.rotations}, "
        f"operator: {dict(report.operator)}, drained: {report.drained}",
        f"receipt results seen by the proxies: {dict(report.receipt_results)}",
        f"end reasons: {dict(report.end_reasons)}",
    ]
    for d in report.directions:
        lines.append(
            f"{d.sender}→{d.receiver}: sender rows {dict(d.sender_states)}, receiver rows "
            f"{dict(d.receiver_states)}, out_seq {d.out_seq}, in_seq {d.in_seq}"
        )
    return "\n".join([*lines, *report.problems()])


__all__ = [
    "ALL_FAULTS",
    "SAFE_FAULTS",
    "ChaosConfig",
    "ChaosReport",
    "faults_from",
    "run",
    "summary",
]
