"""C4 network analysis: expansion across cases, key players and groups, paths and money.

- ``expand``: a network from one selector or entity across the cases a user may see
  (``result`` what it answers, ``queries`` the indexed look-ups);
- ``crosscase``: link suggestions between this node's cases (``owners``: whom to ask);
- ``graph``: the case graph (entities as nodes, FtM relations as edges), drawn by the
  graph page;
- ``analysis``: centrality (igraph) and communities (Leiden) of any graph given as ids and pairs;
- ``paths``: shortest paths between two entities with the evidence of each step;
- ``money``: FtM Payments and crypto-wallet transfers summed by counterparty and currency;
- ``service``: what users ask of a case, need-to-know checked and audited.
"""

from __future__ import annotations

from jointprobe.network.analysis import Analysis, Community, NodeScore, analyse
from jointprobe.network.crosscase import CrossCaseLink, cross_case_links
from jointprobe.network.expand import UnknownSelector, expand
from jointprobe.network.money import Money, case_money
from jointprobe.network.paths import Paths, find_paths
from jointprobe.network.result import Expansion, NetworkEdge, NetworkNode, Placeholder, StopPoint
from jointprobe.network.service import (
    CaseAnalysis,
    analyse_case,
    analyse_graph,
    case_paths,
    money_of_case,
)

__all__ = [
    "Analysis",
    "CaseAnalysis",
    "Community",
    "CrossCaseLink",
    "Expansion",
    "Money",
    "NetworkEdge",
    "NetworkNode",
    "NodeScore",
    "Paths",
    "Placeholder",
    "StopPoint",
    "UnknownSelector",
    "analyse",
    "analyse_case",
    "analyse_graph",
    "case_money",
    "case_paths",
    "cross_case_links",
    "expand",
    "find_paths",
    "money_of_case",
]
