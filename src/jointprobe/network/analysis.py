"""Key players and groups of a graph: centrality (igraph) and communities (Leiden).

A pure function over node ids and (source, target) edge pairs, so that the case
graph, an expansion graph and the benchmark's generated graph all go through
the same code. The graph is read as undirected (who is tied to whom, whichever
way an FtM relation points); parallel edges become one edge whose weight is
their count (or the sum of the weights given), and self-loops are dropped.

- degree: distinct neighbours;
- betweenness: igraph's, unweighted, normalised to 0..1 as for an undirected
  graph (pairs of other nodes); with ``betweenness_sources`` only shortest paths
  from those nodes count (an estimate for large graphs, scaled up by n / k);
- PageRank: igraph's (PRPACK), edge weights counted, damping 0.85;
- communities: Leiden (``leidenalg``) optimising modularity on the weights, with
  a fixed seed so the same graph gets the same groups, and leidenalg's two
  iterations (iterating until nothing moves cost 8× the CPU on a 5,000-node
  graph for 2 % more modularity). Groups are numbered
  1, 2, … by size (largest first), ties by their smallest member id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import igraph as ig
import leidenalg

#: Leiden's seed unless one is given: the same graph always gets the same groups.
DEFAULT_SEED = 20171124
DAMPING = 0.85


@dataclass(frozen=True)
class NodeScore:
    id: str
    degree: int
    betweenness: float
    pagerank: float
    community: int
    #: the communities of this node's neighbours other than its own, sorted
    reaches: tuple[int, ...]


@dataclass(frozen=True)
class Community:
    number: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class Analysis:
    scores: dict[str, NodeScore]
    communities: list[Community]
    modularity: float
    edges: int  # distinct undirected ties after merging parallel edges

    def ranked(self, measure: str) -> list[NodeScore]:
        """Nodes by ``measure`` (degree, betweenness, pagerank), highest first, ties by id."""
        return sorted(self.scores.values(), key=lambda s: (-getattr(s, measure), s.id))


def build_graph(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    weights: Sequence[float] | None = None,
) -> ig.Graph:
    """An undirected igraph graph, vertex attribute ``name``, edge attribute ``weight``."""
    if weights is not None and len(weights) != len(edges):
        raise ValueError(f"{len(weights)} weights for {len(edges)} edges")
    index = {node: i for i, node in enumerate(nodes)}
    if len(index) != len(nodes):
        raise ValueError("node ids repeat")
    pairs: list[tuple[int, int]] = []
    kept: list[float] = []
    for i, (source, target) in enumerate(edges):
        try:
            pair = (index[source], index[target])
        except KeyError as exc:
            raise ValueError(f"edge {i} names a node that is not in the graph: {exc}") from None
        if pair[0] != pair[1]:
            pairs.append(pair)
            kept.append(1.0 if weights is None else float(weights[i]))
    graph = ig.Graph(n=len(nodes), edges=pairs, directed=False)
    graph.vs["name"] = list(nodes)
    graph.es["weight"] = kept
    graph.simplify(multiple=True, loops=True, combine_edges={"weight": "sum"})
    return graph


def _betweenness(graph: ig.Graph, sources: Sequence[str] | None) -> list[float]:
    n = graph.vcount()
    pairs = (n - 1) * (n - 2) / 2
    if n < 3:
        return [0.0] * n
    if sources is None:
        raw = graph.betweenness(directed=False)
        return [b / pairs for b in raw]
    picked = [graph.vs.find(name=s).index for s in sources]
    raw = graph.betweenness(directed=False, sources=picked, targets=None)
    scale = n / len(picked) if picked else 0.0
    # igraph halves undirected sums (all sources give the full figure): scale by n / k
    return [b * scale / pairs for b in raw]


def communities(graph: ig.Graph, *, seed: int = DEFAULT_SEED) -> tuple[list[int], float]:
    """Leiden membership per vertex (0-based, as leidenalg gives it) and its modularity."""
    if graph.ecount() == 0:
        return list(range(graph.vcount())), 0.0
    partition = leidenalg.find_partition(
        graph, leidenalg.ModularityVertexPartition, weights="weight", seed=seed, n_iterations=2
    )
    return list(partition.membership), float(partition.modularity)


def _numbered(names: list[str], membership: list[int]) -> tuple[list[int], list[Community]]:
    groups: dict[int, list[str]] = {}
    for name, group in zip(names, membership, strict=True):
        groups.setdefault(group, []).append(name)
    order = sorted(groups.values(), key=lambda members: (-len(members), min(members)))
    number = {min(members): i + 1 for i, members in enumerate(order)}
    by_group = {group: number[min(members)] for group, members in groups.items()}
    listed = [Community(i + 1, tuple(sorted(members))) for i, members in enumerate(order)]
    return [by_group[group] for group in membership], listed


def analyse(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    weights: Sequence[float] | None = None,
    *,
    seed: int = DEFAULT_SEED,
    betweenness_sources: Sequence[str] | None = None,
) -> Analysis:
    """Degree, betweenness, PageRank and Leiden community of every node."""
    graph = build_graph(nodes, edges, weights)
    names: list[str] = graph.vs["name"] if graph.vcount() else []
    degree = graph.degree()
    betweenness = _betweenness(graph, betweenness_sources)
    pagerank = graph.pagerank(directed=False, damping=DAMPING, weights="weight") if names else []
    membership, modularity = communities(graph, seed=seed)
    numbers, listed = _numbered(names, membership)
    scores = {}
    for v, name in enumerate(names):
        own = numbers[v]
        reaches = tuple(sorted({numbers[u] for u in graph.neighbors(v)} - {own}))
        scores[name] = NodeScore(name, degree[v], betweenness[v], float(pagerank[v]), own, reaches)
    return Analysis(scores, listed, modularity, graph.ecount())
