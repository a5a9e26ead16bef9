"""C4 network analysis: expand a network from one selector across the cases a user may
see (``expand``), and cross-case link suggestions (``crosscase``)."""

from __future__ import annotations

from jointprobe.network.crosscase import CrossCaseLink, cross_case_links
from jointprobe.network.expand import UnknownSelector, expand
from jointprobe.network.result import Expansion, NetworkEdge, NetworkNode, Placeholder, StopPoint

__all__ = [
    "CrossCaseLink",
    "Expansion",
    "NetworkEdge",
    "NetworkNode",
    "Placeholder",
    "StopPoint",
    "UnknownSelector",
    "cross_case_links",
    "expand",
]
