"""Exchange benchmark: throughput, latency at 100 msg/s, durability under receiver kills.

    .venv/bin/python bench/exchange.py            # full run (10,000 msgs, 10 kills)
    .venv/bin/python bench/exchange.py --quick    # smaller, for a smoke run

The receiver is a real ``jointprobe serve`` process on loopback with its own
SQLite database; the sender is this process with its own SQLite database.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.exchange.factories import referral_body  # noqa: E402
from tests.exchange.live import keys, make_node, peer  # noqa: E402
from tests.exchange.procs import Process  # noqa: E402

from jointprobe.exchange.envelope import (  # noqa: E402
    TrustedPeer,
    envelope_from_dict,
    open_envelope,
    seal,
    verify,
)
from jointprobe.exchange.identity import own_card  # noqa: E402
from jointprobe.exchange.outbox import deliver_outbox, enqueue  # noqa: E402
from jointprobe.exchange.runner import Deliverer  # noqa: E402
from jointprobe.exchange.tables import (  # noqa: E402
    InboxEntry,
    OutboxEntry,
    Peer,
    Referral,
    ReferralEvent,
)
from jointprobe.timeutil import utcnow  # noqa: E402


def fresh_pair(base: Path):
    us = make_node(base, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(base, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    return us, cn


def fill(us, n: int) -> float:
    start = time.perf_counter()
    with us.write_session() as session:
        for _ in range(n):
            enqueue(session, keys(us), kind="referral", body=referral_body(), to=["cn-mps-nnc"])
    return n / (time.perf_counter() - start)


def delivered(us) -> int:
    with us.session() as s:
        return s.query(OutboxEntry).filter_by(state="delivered").count()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to see past a busy machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def floors(us, cn, n: int) -> dict[str, float]:
    """What the same messages cost at the least, measured now, in this process (CPU ms/msg).

    - sender crypto: sign + seal each message (``seal``), no database;
    - receiver crypto: parse, verify the signature and open the sealed payload of
      each queued envelope (``envelope_from_dict`` + ``verify`` + ``open_envelope``);
    - parse only: ``json.loads`` of each envelope;
    - durable commit: the same envelopes written to a scratch SQLite table (WAL,
      ``synchronous=FULL``) in batches of 500, one commit per batch, as the inbox does.
    """
    with us.session() as s:
        texts = [row.envelope for row in s.query(OutboxEntry).order_by(OutboxEntry.seq).limit(n)]
    cn_keys, us_keys = keys(cn), keys(us)
    box = own_card(cn).box_public
    body = referral_body()
    start = time.process_time()
    for i in range(len(texts)):
        seal(us_keys, kind="referral", body=body, recipients={"cn-mps-nnc": box},
             now=utcnow(), seq={"cn-mps-nnc": i + 1})  # fmt: skip
    sender = time.process_time() - start
    start = time.process_time()
    docs = [json.loads(t) for t in texts]
    parse = time.process_time() - start
    trusted_us = TrustedPeer(own_card(us))
    now = utcnow()
    start = time.process_time()
    for doc in docs:
        env = envelope_from_dict(doc)
        verify(env, peers=lambda _node: trusted_us, me="cn-mps-nnc", now=now,
               window_seconds=10**9)  # fmt: skip
        open_envelope(env, cn_keys)
    receiver = time.process_time() - start
    scratch = us.settings.data_dir / "floor.db"
    db = sqlite3.connect(scratch, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, envelope TEXT)")
    start = time.perf_counter()
    for at in range(0, len(texts), 500):
        db.execute("BEGIN")
        db.executemany("INSERT INTO t (envelope) VALUES (?)", [(t,) for t in texts[at : at + 500]])
        db.execute("COMMIT")
    commit = time.perf_counter() - start
    db.close()
    count = max(1, len(texts))
    return {
        "sender_crypto_ms": round(1000 * sender / count, 4),
        "receiver_crypto_ms": round(1000 * receiver / count, 4),
        "parse_only_ms": round(1000 * parse / count, 4),
        "durable_commit_ms": round(1000 * commit / count, 4),
    }


def throughput(base: Path, n: int) -> dict[str, float]:
    us, cn = fresh_pair(base / "tp")
    seal_rate = fill(us, n)
    floor = floors(us, cn, n)
    receiver = Process(cn).start()
    assert receiver.proc is not None
    try:
        receiver_cpu = cpu_seconds(receiver.proc.pid)
        sender_cpu = time.process_time()
        start = time.perf_counter()
        with httpx.Client(timeout=30) as client:
            while delivered(us) < n:
                deliver_outbox(us, keys(us), client=client)
        elapsed = time.perf_counter() - start
        sender_cpu = time.process_time() - sender_cpu
        receiver_cpu = cpu_seconds(receiver.proc.pid) - receiver_cpu
    finally:
        receiver.stop()
    with cn.session() as s:
        applied = s.query(InboxEntry).filter_by(state="applied").count()
    assert applied == n
    receiver_ms = 1000 * receiver_cpu / n
    # the rate one core could reach if the receiver did only its crypto and a durable commit
    floor_rate = 1000 / (floor["receiver_crypto_ms"] + floor["durable_commit_ms"])
    return {
        "n": n,
        "seal_enqueue_per_s": round(seal_rate),
        "delivered_per_s": round(n / elapsed),
        # CPU per message on each side: the figure a busy machine disturbs least.
        "receiver_cpu_ms_per_msg": round(receiver_ms, 3),
        "sender_cpu_ms_per_msg": round(1000 * sender_cpu / n, 3),
        **floor,
        # the targets as ratios to floors measured in this run
        "receiver_cpu_x_crypto_floor": round(receiver_ms / floor["receiver_crypto_ms"], 2),
        "delivered_vs_floor_rate": round((n / elapsed) / floor_rate, 3),
        "load_avg_1m": os.getloadavg()[0],
    }


def latency(base: Path, seconds: float, rate: float = 100.0) -> dict[str, float]:
    us, cn = fresh_pair(base / "lat")
    receiver = Process(cn).start()
    deliverer = Deliverer(us)
    deliverer.start()
    try:
        interval = 1.0 / rate
        count = int(seconds * rate)
        next_at = time.perf_counter()
        for _ in range(count):
            with us.write_session() as session:
                enqueue(session, keys(us), kind="referral", body=referral_body(),
                        to=["cn-mps-nnc"])  # fmt: skip
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))
        deadline = time.monotonic() + 30
        while delivered(us) < count and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        deliverer.stop()
        receiver.stop()
    with cn.session() as s:
        lat = [
            (r.applied_at - r.created).total_seconds() * 1000
            for r in s.query(InboxEntry).filter_by(state="applied")
        ]
    lat.sort()
    return {
        "n": len(lat),
        "p50_ms": statistics.median(lat),
        "p99_ms": lat[int(0.99 * (len(lat) - 1))],
    }


def durability(base: Path, n: int, kills: int) -> dict[str, int]:
    us, cn = fresh_pair(base / "dur")
    fill(us, n)
    started = time.perf_counter()
    with us.write_session() as s:
        s.get(Peer, "cn-mps-nnc").batch_limit = 100
    receiver = Process(cn).start()
    stop = threading.Event()

    errors: Counter[str] = Counter()

    def pump() -> None:
        with httpx.Client(timeout=5) as client:
            while not stop.is_set() and delivered(us) < n:
                with us.write_session() as s:
                    s.get(Peer, "cn-mps-nnc").next_attempt_at = None
                for report in deliver_outbox(us, keys(us), client=client, max_batches=1):
                    if report.error:
                        errors[report.error] += 1

    thread = threading.Thread(target=pump)
    thread.start()
    step = n // (kills + 1)
    try:
        for k in range(kills):
            while delivered(us) < step * (k + 1) and thread.is_alive():
                time.sleep(0.005)
            receiver.kill()
            receiver.start()
        thread.join(600)
    finally:
        stop.set()
        receiver.stop()
    with cn.session() as s:
        rows = s.query(InboxEntry).all()
        seqs = [r.seq for r in rows]
        applied = [r for r in rows if r.state == "applied"]
        in_order = [r.seq for r in sorted(applied, key=lambda r: (r.applied_at, r.id))]
        # Effects, not bookkeeping: "received" timeline events have no unique
        # constraint, so a message applied twice would show up here twice.
        effects = [
            e.referral_id
            for e in s.query(ReferralEvent).filter_by(peer_id="us-hsi-nola", kind="received")
        ]
        referrals = s.query(Referral).filter_by(direction="in").count()
        in_seq = s.get(Peer, "us-hsi-nola").in_seq
    return {
        "messages": n,
        "kills": kills,
        "seconds": round(time.perf_counter() - started, 1),
        "recorded": len(rows),
        "applied": len(applied),
        "lost": n - len(set(effects)),
        "applied_twice": len(effects) - len(set(effects)),
        "in_order": in_order == list(range(1, n + 1)) and in_seq == n,
        "referrals": referrals,
        "distinct_seqs": len(set(seqs)),
        # A batch sent and then cut off by a kill (no answer read): the receiver
        # may or may not have committed it; the sender must not know which.
        "batches_cut_off": sum(c for e, c in errors.items() if "ConnectError" not in e),
        "connections_refused": errors.get("transport: ConnectError", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["throughput", "latency", "durability"], action="append")
    parser.add_argument("--n", type=int, help="messages for the throughput run")
    args = parser.parse_args()
    n, seconds, dn, kills = (2000, 5, 1000, 3) if args.quick else (10000, 30, 10000, 10)
    n = args.n or n
    runs = args.only or ["throughput", "latency", "durability"]
    with tempfile.TemporaryDirectory(prefix="jp-bench-") as tmp:
        base = Path(tmp)
        if "throughput" in runs:
            print("throughput:", throughput(base, n), flush=True)
        if "latency" in runs:
            print("latency @100 msg/s:", latency(base, seconds), flush=True)
        if "durability" in runs:
            print("durability:", durability(base, dn, kills), flush=True)


if __name__ == "__main__":
    main()
