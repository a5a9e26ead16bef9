"""The case graph the pages draw: built in ``network.graph``, named here for the pages."""

from __future__ import annotations

from jointprobe.network.graph import (
    MAX_NODES,
    Graph,
    GraphEdge,
    GraphNode,
    case_graph,
    case_schemata,
    is_relation,
    neighbourhood,
)

__all__ = [
    "MAX_NODES",
    "Graph",
    "GraphEdge",
    "GraphNode",
    "case_graph",
    "case_schemata",
    "is_relation",
    "neighbourhood",
]
