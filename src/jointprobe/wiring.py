"""How capabilities are connected, built once where the app and the CLI are built.

Nothing registers itself by being imported: the inbox gets its handlers per
message kind, and case membership its hooks, from a :class:`Wiring` that
:func:`default_wiring` builds and ``create_app`` (and the CLI) pass along.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from jointprobe.analytics.aggregates import KIND as AGGREGATES
from jointprobe.analytics.aggregates import apply_aggregates
from jointprobe.cases.service import MemberRemovedHook
from jointprobe.config import Settings
from jointprobe.deconflict import inbox_handlers as deconflict_handlers
from jointprobe.exchange.inbox import Handler
from jointprobe.exchange.workflow import inbox_handlers
from jointprobe.leads import revoke_lead_access, route_on_arrival
from jointprobe.precursors import precursor_handlers

AGGREGATE_MIN_CELL: int = Settings.model_fields["aggregate_min_cell"].default


@dataclass(frozen=True)
class Wiring:
    #: what the inbox calls per message kind (the channel's own kinds are added by it)
    inbox_handlers: Mapping[str, Handler]
    #: called after a member leaves a case, to take back access derived from it
    member_removed: tuple[MemberRemovedHook, ...]


def default_wiring(settings: Settings | None = None) -> Wiring:
    """The node as shipped: the referral workflow with lead routing (with the node's
    routing table, ``settings.leads_routing_file``), precursor trade,
    deconfliction, and shared aggregates held to ``settings.aggregate_min_cell``
    (default settings without)."""
    min_cell = settings.aggregate_min_cell if settings else AGGREGATE_MIN_CELL
    routing_file = settings.leads_routing_file if settings else None
    route = partial(route_on_arrival, routing_file=routing_file) if routing_file else None
    handlers: dict[str, Handler] = {
        **inbox_handlers(referral_hooks=[route or route_on_arrival]),
        **precursor_handlers(),
        **deconflict_handlers(),
        AGGREGATES: partial(apply_aggregates, min_cell=min_cell),
    }
    return Wiring(inbox_handlers=handlers, member_removed=(revoke_lead_access,))


__all__ = ["Wiring", "default_wiring"]
