"""The graph pages' data: the case graph and expansions, built in ``network.graph``."""

from __future__ import annotations

from jointprobe.entities.ftm import is_relation
from jointprobe.network.graph import (
    HIDDEN,
    MAX_NODES,
    Graph,
    GraphEdge,
    GraphNode,
    case_graph,
    case_schemata,
    expansion_graph,
    neighbourhood,
)

__all__ = [
    "HIDDEN",
    "MAX_NODES",
    "Graph",
    "GraphEdge",
    "GraphNode",
    "case_graph",
    "case_schemata",
    "expansion_graph",
    "is_relation",
    "neighbourhood",
]
