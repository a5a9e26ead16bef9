"""Precursor trade (C6): pre-export notifications, suspicious order reports, incidents.

Message kinds between nodes (``exchange.payloads``: ``pen``, ``pen-answer``,
``sor``, ``incident``) and the node's precursor register that keeps them:

- ``forms``: what a user writes (:class:`PenIn`, :class:`SorIn`, :class:`IncidentIn`)
- ``access``: need-to-know for the register (roles)
- ``sending``: notify, report, share and pass on incidents, markings released per peer
- ``answering``: the importing regulator's answer
- ``applying``: what arrives, handed to the inbox by :func:`precursor_handlers`
- ``queries``: lists (overdue as for referrals) and audited reads
"""

from __future__ import annotations

from jointprobe.precursors.access import DECIDE_ROLES, REGISTER_ROLES, can_see_register
from jointprobe.precursors.answering import answer_pen, received_pen
from jointprobe.precursors.applying import precursor_handlers
from jointprobe.precursors.forms import IncidentIn, PenIn, SorIn, parse_form
from jointprobe.precursors.queries import KINDS, list_register, read_item
from jointprobe.precursors.sending import (
    Shared,
    forward_incident,
    send_pen,
    send_sor,
    share_incident,
)
from jointprobe.precursors.tables import PrecursorMessage

__all__ = [
    "DECIDE_ROLES",
    "KINDS",
    "REGISTER_ROLES",
    "IncidentIn",
    "PenIn",
    "PrecursorMessage",
    "Shared",
    "SorIn",
    "answer_pen",
    "can_see_register",
    "forward_incident",
    "list_register",
    "parse_form",
    "precursor_handlers",
    "read_item",
    "received_pen",
    "send_pen",
    "send_sor",
    "share_incident",
]
