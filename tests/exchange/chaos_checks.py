"""The end checks of the chaos test, read with sqlite3 from the stopped nodes' databases.

For one direction (sender → receiver):

- **lost**: a message the sender queued that the receiver did not apply, unless
  the sender ended it (refused, parked, dropped) with a reason *and* the
  receiver accounted for its slot: recorded it as rejected, or applied the
  ``void`` the sender put in its place (a withdrawn message);
- **applied twice**: an inbox id recorded twice, or a timeline effect
  (``exchange_referral_events``) written twice for one message;
- **out of order**: applied sequence numbers not increasing, or a gap in the
  receiver's slots 1..in_seq;
- **wedged**: a sender row still ``queued`` or with its void not yet recorded, a
  receiver row still ``held``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: Sender states that end a message without delivery.
ENDED = frozenset({"refused", "parked", "dropped"})


@dataclass
class OutRow:
    message_id: str
    seq: int
    state: str
    kind: str
    last_error: str | None
    void_id: str | None
    void_at: str | None


@dataclass
class InRow:
    message_id: str
    seq: int
    state: str
    error_code: str | None
    kind: str


@dataclass
class Direction:
    """What the checks found for sender → receiver."""

    sender: str
    receiver: str
    queued_by_sender: int = 0
    out_seq: int = 0
    in_seq: int = 0
    applied: int = 0
    ended: Counter[str] = field(default_factory=Counter)  # sender state → count
    end_reasons: Counter[str] = field(default_factory=Counter)
    sender_states: Counter[str] = field(default_factory=Counter)
    receiver_states: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    applied_twice: list[str] = field(default_factory=list)
    out_of_order: list[str] = field(default_factory=list)
    wedged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.applied_twice or self.out_of_order or self.wedged)

    def problems(self) -> list[str]:
        head = f"{self.sender}→{self.receiver}"
        return [
            f"{head} {name}: {len(items)} (e.g. {items[:3]})"
            for name, items in (("lost", self.lost), ("applied twice", self.applied_twice),
                                ("out of order", self.out_of_order), ("wedged", self.wedged))
            if items
        ]  # fmt: skip


def database(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{data_dir / 'node.db'}?mode=ro", uri=True, timeout=30)


def outbox(db: sqlite3.Connection, peer: str) -> list[OutRow]:
    rows = db.execute(
        "SELECT message_id, seq, state, kind, last_error, void_id, void_at FROM exchange_outbox"
        " WHERE peer_id = ? ORDER BY seq",
        (peer,),
    )
    return [OutRow(*row) for row in rows]


def inbox(db: sqlite3.Connection, sender: str) -> list[InRow]:
    rows = db.execute(
        "SELECT message_id, seq, state, error_code, kind FROM exchange_inbox WHERE sender = ?"
        " ORDER BY applied_at, seq",
        (sender,),
    )
    return [InRow(*row) for row in rows]


def peer_counter(db: sqlite3.Connection, peer: str, column: str) -> int:
    row = db.execute(f"SELECT {column} FROM exchange_peers WHERE node_id = ?", (peer,)).fetchone()
    return int(row[0]) if row else 0


def check(sender_dir: Path, receiver_dir: Path, sender: str, receiver: str) -> Direction:
    found = Direction(sender, receiver)
    with database(sender_dir) as sdb, database(receiver_dir) as rdb:
        sent = outbox(sdb, receiver)
        got = inbox(rdb, sender)
        found.out_seq = peer_counter(sdb, receiver, "out_seq")
        found.in_seq = peer_counter(rdb, sender, "in_seq")
        found.applied_twice += _effects_twice(rdb, sender)
    found.queued_by_sender = len(sent)
    found.sender_states = Counter(r.state for r in sent)
    found.receiver_states = Counter(r.state for r in got)
    found.applied = found.receiver_states["applied"]
    _check_delivery(found, sent, got)
    _check_once(found, got)
    _check_order(found, got)
    found.wedged += [f"queued seq {r.seq}" for r in sent if r.state == "queued"]
    found.wedged += [f"void of seq {r.seq} pending" for r in sent if r.void_id and not r.void_at]
    found.wedged += [f"held seq {r.seq}" for r in got if r.state == "held"]
    return found


def _check_delivery(found: Direction, sent: list[OutRow], got: list[InRow]) -> None:
    by_id = {r.message_id: r for r in got}
    # a void is sealed afresh (new id) each time it is sent: the copy the receiver
    # applied may be an earlier one than the id the sender keeps, so match by slot
    voids = {r.seq for r in got if r.kind == "void" and r.state == "applied"}
    for row in sent:
        there = by_id.get(row.message_id)
        if there is not None and there.state == "applied":
            continue
        if row.state in ENDED:
            found.ended[row.state] += 1
            found.end_reasons[row.last_error or "(no reason)"] += 1
            refused = there is not None and there.state == "rejected" and there.seq == row.seq
            voided = row.void_id is not None and row.seq in voids
            if row.last_error and (refused or voided or row.state == "parked"):
                continue
        found.lost.append(f"seq {row.seq} {row.kind} {row.state} ({row.last_error})")
    known = {r.message_id for r in sent} | {r.void_id for r in sent if r.void_id}
    withdrawn = {r.seq for r in sent if r.void_id}
    found.lost += [
        f"unknown id {r.message_id} at the receiver"
        for r in got
        if r.message_id not in known and not (r.kind == "void" and r.seq in withdrawn)
    ]


def _check_once(found: Direction, got: list[InRow]) -> None:
    counts = Counter(r.message_id for r in got)
    found.applied_twice += [f"inbox id {mid} ×{n}" for mid, n in counts.items() if n > 1]
    seqs = Counter(r.seq for r in got)
    found.applied_twice += [f"inbox seq {seq} ×{n}" for seq, n in seqs.items() if n > 1]


def _effects_twice(db: sqlite3.Connection, sender: str) -> list[str]:
    rows = db.execute(
        "SELECT message_id, kind, COUNT(*) FROM exchange_referral_events"
        " WHERE peer_id = ? AND message_id IS NOT NULL"
        " GROUP BY message_id, kind HAVING COUNT(*) > 1",
        (sender,),
    )
    return [f"{kind} event of {mid} ×{n}" for mid, kind, n in rows]


def _check_order(found: Direction, got: list[InRow]) -> None:
    applied = [r.seq for r in got if r.state == "applied"]
    found.out_of_order += [
        f"seq {b} applied after {a}" for a, b in zip(applied, applied[1:], strict=False) if b <= a
    ]
    slots = {r.seq for r in got if r.state in ("applied", "rejected")}
    found.out_of_order += [f"gap at seq {n}" for n in range(1, found.in_seq + 1) if n not in slots]
    if found.in_seq > found.out_seq:
        found.out_of_order.append(f"in_seq {found.in_seq} past out_seq {found.out_seq}")


__all__ = ["ENDED", "Direction", "check"]
