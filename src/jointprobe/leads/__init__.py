"""Buyer leads from foreign partners: routed to field offices by US state.

Importing this package registers :func:`routing.route_on_arrival` in
``exchange.workflow.REFERRAL_HOOKS``, so a US node routes the Person leads of a
referral as it applies it.
"""

from jointprobe.leads.routing import (
    DEFAULT_QUEUE,
    Lead,
    Office,
    Route,
    RoutingTable,
    load_table,
    route_leads,
    route_on_arrival,
)

__all__ = [
    "DEFAULT_QUEUE",
    "Lead",
    "Office",
    "Route",
    "RoutingTable",
    "load_table",
    "route_leads",
    "route_on_arrival",
]
