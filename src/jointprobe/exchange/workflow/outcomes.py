"""Turning an outcome a peer reports into an event of the linked case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from jointprobe.cases import EventIn
from jointprobe.cases.events import EventKind
from jointprobe.exchange.markings import Marking
from jointprobe.exchange.workflow.records import marked, received_note

_EVENT_KIND: dict[str, EventKind] = {
    "arrest": "arrest",
    "seizure": "seizure",
    "charge": "charge",
    "indictment": "charge",
    "sentence": "court_outcome",
    "investigation": "investigation",
}


def event_for(outcome: dict[str, Any], text: str, marking: Marking) -> EventIn:
    """A case event for an outcome; a plain note when the details do not fit one.

    Either way the event keeps the outcome's marking as it came.
    """
    details = dict(outcome.get("details") or {})
    try:
        quantity = details.get("quantity")
        return EventIn(
            kind=_EVENT_KIND.get(outcome["type"], "note"),
            title=text[:500],
            occurred_on=_date(outcome.get("date")),
            place=details.get("place"),
            substance=details.get("substance"),
            quantity=Decimal(str(quantity)) if quantity is not None else None,
            unit=details.get("unit"),
            outcome=details.get("outcome"),
            term_months=details.get("term_months"),
            details={**details, "via": "exchange"},
            **marked(marking),
        )
    except (ValueError, InvalidOperation):
        return received_note(text, marking, details)


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


__all__ = ["event_for"]
