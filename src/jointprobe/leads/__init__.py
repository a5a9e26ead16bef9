"""Buyer leads from foreign partners: routed to field offices by US state.

Each office works one referral's leads in a case of their own (need-to-know,
see :mod:`jointprobe.leads.routing`). ``jointprobe.wiring`` connects
:func:`routing.route_on_arrival` to the inbox, so a US node routes the Person
leads of a referral as it applies it, and :func:`routing.revoke_lead_access` to
case membership, so a user removed from a case also leaves the lead cases it
gave them. Importing this package registers nothing.
"""

from jointprobe.leads.routing import (
    DEFAULT_QUEUE,
    Lead,
    Office,
    Route,
    RoutingTable,
    find_lead_case,
    lead_case_key,
    load_table,
    revoke_lead_access,
    route_leads,
    route_on_arrival,
)

__all__ = [
    "DEFAULT_QUEUE",
    "Lead",
    "Office",
    "Route",
    "RoutingTable",
    "find_lead_case",
    "lead_case_key",
    "load_table",
    "route_leads",
    "revoke_lead_access",
    "route_on_arrival",
]
