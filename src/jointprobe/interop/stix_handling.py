"""Handling beyond the TLP, as a STIX 2.1 statement marking-definition.

A TLP 2.0 marking says who may see an item, not how it may be used or passed
on. Where an item's marking restricts more than that (:func:`restricted`),
its exported objects also carry a ``marking-definition`` with
``definition_type: statement`` whose statement is the item's banner
(:meth:`Marking.banner`, the line shown wherever the item is shown) and its
originator, e.g. ``Handling (jointprobe): TLP:AMBER · intelligence only · no
onward disclosure without consent of mx-sedena · originator mx-sedena``.

Objects with the same handling share one definition: its id is a UUIDv4-shaped
digest of the statement, so exporting again gives the same id.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

import stix2

from jointprobe.exchange.markings import ANY_PEER, Marking, Tlp, Use
from jointprobe.timeutil import as_utc

#: Our namespace for statement ids (not the objects' one: a statement is not an item).
STATEMENT_NAMESPACE = uuid.UUID("0c6b8a52-51f4-4c1c-9a57-6a70206861e6")
STATEMENT_PREFIX = "Handling (jointprobe): "


def restricted(marking: Marking, *, holder: str) -> bool:
    """Does ``marking`` govern more than its TLP says?

    Intelligence only (not evidential use), onward disclosure limited (a
    non-CLEAR item not consented to any peer), an expiry, or another node as
    originator (whose consent rules onward disclosure).
    """
    onward_limited = marking.tlp is not Tlp.CLEAR and ANY_PEER not in marking.consent
    return (
        marking.use is Use.INTELLIGENCE
        or onward_limited
        or marking.expires is not None
        or marking.originator != holder
    )


def handling_statement(marking: Marking, *, holder: str) -> str | None:
    """The statement an item so marked carries, or ``None`` if the TLP says it all."""
    if not restricted(marking, holder=holder):
        return None
    return f"{STATEMENT_PREFIX}{marking.banner()} · originator {marking.originator}"


def statement_id(statement: str) -> str:
    digest = hashlib.sha256(STATEMENT_NAMESPACE.bytes + statement.encode()).digest()
    return f"marking-definition--{uuid.UUID(bytes=digest[:16], version=4)}"


def statement_marking(
    statement: str, *, created_by: str, created: datetime
) -> stix2.MarkingDefinition:
    """The statement marking-definition (STIX 2.1 section 7.2.1.3) for ``statement``."""
    return stix2.MarkingDefinition(
        id=statement_id(statement),
        name="jointprobe handling",
        created=as_utc(created),
        created_by_ref=created_by,
        definition_type="statement",
        definition=stix2.StatementMarking(statement=statement),
    )


__all__ = ["handling_statement", "restricted", "statement_id", "statement_marking"]
