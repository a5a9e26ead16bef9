"""Markings stored on every item: TLP 2.0 label, handling codes, Admiralty grade.

This module validates what is stored; the exchange enforces what may travel.
TLP labels and Admiralty grades have one definition, ``exchange.markings``
(:class:`Tlp`, :class:`Grading`); this module stores their canonical text.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator

from jointprobe.errors import InvalidInput
from jointprobe.exchange.markings import ANY_PEER, Grading, Tlp
from jointprobe.node import NODE_ID, NodeIdText
from jointprobe.timeutil import Day, UtcDatetime, as_utc

TLP_LABELS = tuple(label.value for label in Tlp)
HANDLING_KEYS = {
    "onward_disclosure": ("originator_consent", "permitted"),
    "use": ("intelligence_only", "evidential"),
}

# --- the same rules as input-model fields (the API's schema says what is accepted) ---


def _any_case(word: str) -> str:
    """``word`` as a regular expression of any case, written so JSON Schema reads it too."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


_LABELS = "|".join(_any_case(w) for w in ("CLEAR", "WHITE", "GREEN", "RED"))
TlpLabel = Annotated[
    str,
    Field(
        pattern=f"^({_any_case('TLP:')})?({_LABELS}|{_any_case('AMBER')}([+_]{_any_case('STRICT')})?)$",
        description="TLP 2.0 label: CLEAR, GREEN, AMBER, AMBER+STRICT or RED (any case, "
        "TLP: in front, WHITE for CLEAR)",
    ),
]
"""A TLP label as the API takes it: what :meth:`Tlp.parse` reads, without spaces."""

AdmiraltyGrade = Annotated[
    str, Field(pattern=r"^[A-Fa-f][1-6]$", description="Admiralty code, e.g. B2")
]


class HandlingIn(BaseModel):
    """Handling codes of a marking; any may be left out."""

    model_config = ConfigDict(extra="forbid")

    onward_disclosure: Literal["originator_consent", "permitted"] | None = None
    use: Literal["intelligence_only", "evidential"] | None = None
    expires: Day | UtcDatetime | None = None
    #: on received items: the node whose marking this is, and whom it allowed onward disclosure
    originator: NodeIdText | None = None
    consent: list[NodeIdText | Literal["*"]] | None = Field(default=None, max_length=64)


def _handling_dict(value: object) -> dict[str, Any]:
    return HandlingIn.model_validate(value).model_dump(exclude_none=True)


Handling = Annotated[
    dict[str, Any], PlainValidator(_handling_dict, json_schema_input_type=HandlingIn)
]
"""``handling`` of an input model: validated as :class:`HandlingIn`, kept as a dict."""


def check_marking(
    tlp: str, handling: dict[str, Any] | None, grading: str | None
) -> tuple[str, dict[str, Any], str | None]:
    """Validate and normalise a marking; raise InvalidInput naming the bad part."""
    label = Tlp.from_input(tlp).value
    clean: dict[str, Any] = {}
    for key, value in (handling or {}).items():
        if key == "expires":
            clean[key] = _expiry(value)
            continue
        if key == "originator":  # the node whose marking this is (received items)
            if not isinstance(value, str) or not NODE_ID.match(value):
                raise InvalidInput(f"handling originator {value!r} is not a node id")
            clean[key] = value
            continue
        if key == "consent":  # nodes the originator allowed onward disclosure to
            if not isinstance(value, list) or not all(
                v == ANY_PEER or (isinstance(v, str) and NODE_ID.match(v)) for v in value
            ):
                raise InvalidInput("handling consent must be a list of node ids or '*'")
            clean[key] = sorted(value)
            continue
        allowed = HANDLING_KEYS.get(key)
        if allowed is None:
            raise InvalidInput(f"unknown handling code {key!r}")
        if value not in allowed:
            raise InvalidInput(f"handling {key} must be one of {', '.join(allowed)}")
        clean[key] = value
    grade = str(Grading.from_input(grading)) if grading else None
    return label, clean, grade


def _expiry(value: Any) -> str:
    """An expiry as an ISO 8601 date or aware date-time (UTC assumed when no offset)."""
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"handling expires {text!r} is not an ISO 8601 date or date-time"
        ) from None
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def describe(tlp: str, handling: dict[str, Any], grading: str | None) -> str:
    """One line for banners and tables: ``TLP:AMBER · intelligence only · B2``."""
    parts = [f"TLP:{tlp}"]
    if handling.get("use") == "intelligence_only":
        parts.append("intelligence only")
    elif handling.get("use") == "evidential":
        parts.append("evidential use allowed")
    if handling.get("onward_disclosure") == "originator_consent":
        parts.append("no onward disclosure without originator consent")
    if handling.get("expires"):
        parts.append(f"expires {handling['expires']}")
    if grading:
        parts.append(grading)
    return " · ".join(parts)
