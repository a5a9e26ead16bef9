"""What users ask of a case's network: key players and groups, paths, money.

Every function here takes the acting user, checks need-to-know on the case
(``cases.service.visible_case``: a case the user may not see is not found) and
records the read in the audit log, then reads the case graph
(``network.graph.case_graph``) and hands it to the pure parts
(``analysis``, ``paths``, ``money``). CLI, API and pages all call these.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.service import visible_case
from jointprobe.errors import NotFound
from jointprobe.network.analysis import Analysis, NodeScore, analyse
from jointprobe.network.graph import Graph, GraphNode, case_graph
from jointprobe.network.money import Money, case_money
from jointprobe.network.paths import MAX_PATHS, Paths, find_paths
from jointprobe.store.tables import Case, User

DEFAULT_TOP = 10
MAX_TOP = 200


@dataclass(frozen=True)
class KeyPlayer:
    node: GraphNode
    score: NodeScore
    why: list[str]


@dataclass(frozen=True)
class Group:
    number: int
    members: list[GraphNode]  # most central first (PageRank)


@dataclass(frozen=True)
class CaseAnalysis:
    case: Case
    graph: Graph
    analysis: Analysis
    top: list[KeyPlayer]
    groups: list[Group]


def read_case_graph(session: Session, actor: User, case_id: str, what: str) -> tuple[Case, Graph]:
    """The case graph, need-to-know checked and the read recorded (``{"network": what}``)."""
    case = visible_case(session, actor, case_id)
    record(session, actor.username, "read", "case", case.id, {"network": what})
    return case, case_graph(session, case)


def annotate(graph: Graph, analysis: Analysis) -> None:
    """Copy each node's degree, betweenness, PageRank and community onto the graph's nodes."""
    for node in graph.nodes:
        score = analysis.scores.get(node.id)
        if score is not None:
            node.degree, node.betweenness = score.degree, score.betweenness
            node.pagerank, node.community = score.pagerank, score.community


def analyse_graph(graph: Graph) -> Analysis:
    """Centrality and communities of a drawn graph (the case's or an expansion's)."""
    analysis = analyse([n.id for n in graph.nodes], [(e.source, e.target) for e in graph.edges])
    annotate(graph, analysis)
    return analysis


def _joined(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _why(score: NodeScore, ranks: dict[str, int], top: int) -> list[str]:
    reasons = []
    rank = ranks["betweenness"]
    if score.betweenness > 0 and rank <= top:
        head = "highest betweenness" if rank == 1 else f"betweenness #{rank}"
        if score.reaches:
            bridge = f": bridges communities {_joined(sorted([score.community, *score.reaches]))}"
        else:
            bridge = f": a go-between inside community {score.community}"
        reasons.append(f"{head} ({score.betweenness:.3f}){bridge}")
    rank = ranks["degree"]
    if score.degree and rank <= top:
        head = "most ties" if rank == 1 else f"degree #{rank}"
        reasons.append(f"{head}: {score.degree} entit{'y' if score.degree == 1 else 'ies'}")
    rank = ranks["pagerank"]
    if rank <= top:
        head = "highest PageRank" if rank == 1 else f"PageRank #{rank}"
        reasons.append(f"{head} ({score.pagerank:.3f}): tied to well-tied entities")
    return reasons or [f"member of community {score.community}"]


def key_players(graph: Graph, analysis: Analysis, top: int) -> list[KeyPlayer]:
    """The ``top`` entities, each with why: first those ranked highest in any of the three
    measures (a broker first in betweenness, a hub first in degree), then by summed ranks."""
    ranks: dict[str, dict[str, int]] = {node_id: {} for node_id in analysis.scores}
    for measure in ("betweenness", "degree", "pagerank"):
        for i, score in enumerate(analysis.ranked(measure)):
            ranks[score.id][measure] = i + 1

    def order_key(s: NodeScore) -> tuple[int, int, str]:
        return min(ranks[s.id].values()), sum(ranks[s.id].values()), s.id

    order = sorted(analysis.scores.values(), key=order_key)
    nodes = {node.id: node for node in graph.nodes}
    return [KeyPlayer(nodes[s.id], s, _why(s, ranks[s.id], top)) for s in order[:top]]


def groups(graph: Graph, analysis: Analysis) -> list[Group]:
    nodes = {node.id: node for node in graph.nodes}
    return [
        Group(c.number, sorted((nodes[m] for m in c.members), key=lambda n: (-n.pagerank, n.id)))
        for c in analysis.communities
    ]


def analyse_case(
    session: Session, actor: User, case_id: str, top: int = DEFAULT_TOP
) -> CaseAnalysis:
    """Key players (with why) and groups of a case's network."""
    case, graph = read_case_graph(session, actor, case_id, "analysis")
    analysis = analyse_graph(graph)
    return CaseAnalysis(
        case, graph, analysis, key_players(graph, analysis, top), groups(graph, analysis)
    )


def case_paths(
    session: Session, actor: User, case_id: str, source: str, target: str, limit: int = MAX_PATHS
) -> Paths:
    """Shortest paths between two entities of a case; an entity not in it is not found."""
    _case, graph = read_case_graph(session, actor, case_id, "path")
    present = {node.id for node in graph.nodes}
    for entity_id in (source, target):
        if entity_id not in present:  # in no case, in a hidden one, or a relation: one answer
            raise NotFound(f"no entity {entity_id!r} in the graph of case {case_id!r}")
    return find_paths(session, graph, source, target, limit)


def money_of_case(session: Session, actor: User, case_id: str) -> Money:
    """Payments and crypto-wallet transfers of a case, summed by counterparty and currency."""
    case = visible_case(session, actor, case_id)
    record(session, actor.username, "read", "case", case.id, {"network": "money"})
    return case_money(session, case.id)
