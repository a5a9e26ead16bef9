"""Shared aggregates: seizure counts by quarter, substance class and origin, sent to peers.

Only counts travel (never a case, an event, a person or a place), under a
marking released like any other message. A cell smaller than the node's
minimum (``JOINTPROBE_AGGREGATE_MIN_CELL``) could point at one case, so it is
suppressed on sending (the message says how many were); aggregates from a peer
holding a cell under our minimum are refused whole (``aggregates.small_cell``)
and nothing of them is stored. A newer message from a peer for the same period
replaces the older one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from jointprobe.analytics.periods import DateRange, quarter, quarter_start
from jointprobe.analytics.seizures import SeizureRecord, seizure_records
from jointprobe.analytics.tables import PeerAggregate
from jointprobe.audit import record
from jointprobe.errors import InvalidInput
from jointprobe.exchange.inbox import Applied
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.outbox import enqueue
from jointprobe.exchange.payloads import AggregateCell, AggregatesBody
from jointprobe.exchange.wire import parse_time
from jointprobe.exchange.workflow.release import released_marking
from jointprobe.store.tables import User
from jointprobe.timeutil import utcnow

KIND = "aggregates"
Key = tuple[str, str, str]  # quarter, substance class, origin


class SmallCell(InvalidInput):
    """Aggregates from a peer with a cell under this node's minimum: refused whole."""

    code = "aggregates.small_cell"


def count_cells(records: Iterable[SeizureRecord]) -> Counter[Key]:
    """Seizures per (quarter, substance class, origin)."""
    return Counter((quarter(r.day), r.substance_class, r.origin) for r in records)


def suppress(cells: Counter[Key], min_cell: int) -> tuple[list[AggregateCell], int]:
    """The cells at or above ``min_cell``, in order, and how many were left out."""
    kept = [
        AggregateCell(quarter=q, substance_class=c, origin=o, count=n)  # type: ignore[arg-type]
        for (q, c, o), n in sorted(cells.items())
        if n >= min_cell
    ]
    return kept, len(cells) - len(kept)


@dataclass(frozen=True)
class Published:
    message_id: str
    cells: int
    suppressed: int


def publish_aggregates(
    session: Session,
    actor: User,
    keys: NodeKeys,
    *,
    to: Sequence[str],
    period: DateRange,
    min_cell: int,
    tlp: str = "GREEN",
    now: datetime | None = None,
) -> Published:
    """Queue this node's aggregates over ``period`` (what ``actor`` may see) to peers ``to``."""
    now = now or utcnow()
    peers = sorted(set(to))
    if not peers:
        raise InvalidInput("name at least one peer to send the aggregates to")
    marking = released_marking(session, keys, peers, now, tlp=tlp)
    cells, suppressed = suppress(count_cells(seizure_records(session, actor, period)), min_cell)
    body = AggregatesBody(
        period_from=period.start.isoformat(), period_to=period.end.isoformat(),
        min_cell=min_cell, suppressed=suppressed, cells=cells, marking=marking,
    )  # fmt: skip
    envelope = enqueue(session, keys, kind=KIND, body=body.model_dump(), to=peers, now=now)
    detail = {"to": peers, "cells": len(cells), "suppressed": suppressed,
              "from": body.period_from, "until": body.period_to}  # fmt: skip
    record(session, actor.username, "send", KIND, envelope.id, detail)
    return Published(envelope.id, len(cells), suppressed)


def apply_aggregates(session: Session, msg: Applied, *, min_cell: int) -> None:
    """Inbox handler for ``aggregates``: refuse small cells, else store the counts."""
    body = msg.body
    assert isinstance(body, AggregatesBody)
    small = [c for c in body.cells if c.count < min_cell]
    if small:
        raise SmallCell(
            f"{len(small)} cell(s) under this node's minimum of {min_cell} "
            f"(first: {small[0].quarter} {small[0].substance_class} {small[0].origin})"
        )
    sender = msg.entry.sender
    marking = body.marking.parsed().to_dict()
    session.execute(
        delete(PeerAggregate).where(
            PeerAggregate.peer_id == sender,
            PeerAggregate.period_from == body.period_from,
            PeerAggregate.period_to == body.period_to,
        )
    )
    session.add_all(
        PeerAggregate(
            peer_id=sender, message_id=msg.entry.message_id, period_from=body.period_from,
            period_to=body.period_to, quarter=c.quarter, substance_class=c.substance_class,
            origin=c.origin, count=c.count, marking=marking, received_at=msg.entry.received_at,
        )
        for c in body.cells
    )  # fmt: skip
    detail = {"cells": len(body.cells), "suppressed": body.suppressed}
    record(session, sender, "receive", KIND, msg.entry.message_id, detail)


def peer_aggregates(session: Session, period: DateRange) -> dict[str, Counter[Key]]:
    """What peers shared, per peer, for the quarters that start inside ``period``.

    Counts only, published by the peer to this node: readable by every user
    who may read the report. A peer's counts under a marking past its expiry
    are left out.
    """
    out: dict[str, Counter[Key]] = {}
    for row in session.scalars(select(PeerAggregate).order_by(PeerAggregate.id)):
        if quarter_start(row.quarter) not in period or _expired(row.marking):
            continue
        key = (row.quarter, row.substance_class, row.origin)
        out.setdefault(row.peer_id, Counter())[key] += row.count
    return out


def peer_markings(session: Session) -> dict[str, str]:
    """Per peer, the TLP its latest shared aggregates came under (shown with them)."""
    out: dict[str, str] = {}
    for row in session.scalars(select(PeerAggregate).order_by(PeerAggregate.id)):
        out[row.peer_id] = str(row.marking.get("tlp", "AMBER"))
    return out


def _expired(marking: dict[str, Any]) -> bool:
    expires = marking.get("expires")
    return bool(expires) and parse_time(str(expires), field="expires") < utcnow()


__all__ = [
    "KIND",
    "Published",
    "SmallCell",
    "apply_aggregates",
    "count_cells",
    "peer_aggregates",
    "peer_markings",
    "publish_aggregates",
    "suppress",
]
