"""Rows of the precursor register and their markings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from jointprobe.errors import InvalidInput
from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import ANY_PEER, Marking, Tlp, Use, marking_from_store
from jointprobe.exchange.payloads import Consignment
from jointprobe.exchange.wire import check_node_id
from jointprobe.precursors.forms import Handling
from jointprobe.precursors.tables import PrecursorMessage
from jointprobe.store.tables import Case


def own_marking(keys: NodeKeys, handling: Handling, case: Case | None = None) -> Marking:
    """This node's marking for what a user wrote, held at least as strictly as its case.

    The user's ``tlp``, ``use`` and ``consent`` are local input: a bad one is InvalidInput.
    """
    try:
        consent = [
            n if n == ANY_PEER else check_node_id(n, field="consent") for n in handling.consent
        ]
        mine = Marking(
            Tlp.from_input(handling.tlp), keys.node_id, Use(handling.use), frozenset(consent),
            None, None,
        )  # fmt: skip
    except MalformedEnvelope as exc:
        raise InvalidInput(exc.message) from None
    if case is None:
        return mine
    return mine.stricter(
        marking_from_store(case.tlp, case.handling, case.grading, originator=keys.node_id)
    )


def title_of(kind: str, consignments: list[Consignment], parties: str) -> str:
    first = consignments[0]
    more = f" (+{len(consignments) - 1})" if len(consignments) > 1 else ""
    return f"{kind}: {first.substance} {first.quantity:g} {first.unit}{more} — {parties}"[:500]


def add_row(
    session: Session,
    *,
    message_id: str,
    peer_id: str,
    kind: str,
    direction: str,
    title: str,
    body: dict[str, Any],
    marking: Marking,
    now: datetime,
    due: datetime | None = None,
    author: str | None = None,
) -> PrecursorMessage:
    row = PrecursorMessage(
        id=message_id, peer_id=peer_id, kind=kind, direction=direction, title=title,
        state="sent" if direction == "out" else "received", due=due, decision=None, body=body,
        marking=marking.to_dict(), answers=[], author=author, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(row)
    return row


__all__ = ["add_row", "own_marking", "title_of"]
