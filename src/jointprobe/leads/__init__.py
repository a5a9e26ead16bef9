"""Buyer leads: routed to the node's offices by region (US state, Chinese province).

The node's routing table is chosen in :mod:`jointprobe.leads.tables` (the setting
``JOINTPROBE_LEADS_ROUTING_FILE``, else the packaged table for the node's country).

Each office works one referral's leads in a case of their own (need-to-know,
see :mod:`jointprobe.leads.routing`). ``jointprobe.wiring`` connects
:func:`routing.route_on_arrival` to the inbox, so a node routes the Person
leads of a referral placed in its country as it applies it, and
:func:`routing.revoke_lead_access` to case membership, so a user removed from a
case also leaves the lead cases it gave them. Importing this package registers nothing.
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
from jointprobe.leads.tables import RoutingTableInvalid, node_table, validate_table

__all__ = [
    "DEFAULT_QUEUE",
    "Lead",
    "Office",
    "Route",
    "RoutingTable",
    "RoutingTableInvalid",
    "find_lead_case",
    "lead_case_key",
    "load_table",
    "node_table",
    "route_leads",
    "revoke_lead_access",
    "route_on_arrival",
    "validate_table",
]
