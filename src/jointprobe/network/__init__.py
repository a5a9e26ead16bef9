"""C4 network analysis: the case graph, its key players and groups, paths and money.

- ``graph``: the case graph (entities as nodes, FtM relations as edges), drawn by the
  graph page;
- ``analysis``: centrality (igraph) and communities (Leiden) of any graph given as ids and pairs;
- ``paths``: shortest paths between two entities with the evidence of each step;
- ``money``: FtM Payments and crypto-wallet transfers summed by counterparty and currency;
- ``service``: what users ask of a case, need-to-know checked and audited.
"""

from jointprobe.network.analysis import Analysis, Community, NodeScore, analyse
from jointprobe.network.money import Money, case_money
from jointprobe.network.paths import Paths, find_paths
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
    "Money",
    "NodeScore",
    "Paths",
    "analyse",
    "analyse_case",
    "analyse_graph",
    "case_money",
    "case_paths",
    "find_paths",
    "money_of_case",
]
