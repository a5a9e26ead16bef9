"""Centrality and communities on graphs whose answer is known."""

from __future__ import annotations

import pytest

from jointprobe.network.analysis import analyse

from .fixtures import BRIDGE, A, B


def two_cliques() -> tuple[list[str], list[tuple[str, str]]]:
    edges = [(p, q) for group in (A, B) for i, p in enumerate(group) for q in group[i + 1 :]]
    return [*A, *B, BRIDGE], [*edges, ("a1", BRIDGE), (BRIDGE, "b1")]


def test_the_bridge_has_the_highest_betweenness_and_leiden_finds_the_two_groups() -> None:
    nodes, edges = two_cliques()
    result = analyse(nodes, edges)
    ranked = result.ranked("betweenness")
    assert ranked[0].id == BRIDGE
    assert ranked[0].betweenness > ranked[1].betweenness > 0
    assert {ranked[1].id, ranked[2].id} == {"a1", "b1"}
    # 25 of the 45 pairs of the other ten nodes pass through the bridge, every time
    assert ranked[0].betweenness == pytest.approx(25 / 45)
    groups = {frozenset(c.members) - {BRIDGE} for c in result.communities}
    assert groups == {frozenset(A), frozenset(B)}
    assert result.scores["a2"].community != result.scores["b2"].community
    assert result.scores["a1"].reaches or result.scores["b1"].reaches
    assert result.scores[BRIDGE].reaches  # it touches the group it is not in
    assert result.scores["a2"].degree == 4 and result.scores["a1"].degree == 5


def test_the_same_graph_gets_the_same_groups_whatever_the_order() -> None:
    nodes, edges = two_cliques()
    first = analyse(nodes, edges)
    again = analyse(list(reversed(nodes)), list(reversed(edges)))
    assert [c.members for c in first.communities] == [c.members for c in again.communities]
    assert [c.number for c in first.communities] == [1, 2]


def test_parallel_edges_weigh_more_and_self_loops_are_dropped() -> None:
    result = analyse(["a", "b", "c"], [("a", "b"), ("b", "a"), ("b", "c"), ("c", "c")])
    assert result.edges == 2
    assert result.scores["a"].pagerank > result.scores["c"].pagerank
    assert result.scores["b"].betweenness == pytest.approx(1.0)


def test_sampled_betweenness_from_every_source_is_the_exact_one() -> None:
    nodes, edges = two_cliques()
    exact = analyse(nodes, edges)
    sampled = analyse(nodes, edges, betweenness_sources=nodes)
    for node in nodes:
        assert sampled.scores[node].betweenness == pytest.approx(exact.scores[node].betweenness)


def test_an_edge_to_an_unknown_node_is_refused() -> None:
    with pytest.raises(ValueError, match="not in the graph"):
        analyse(["a"], [("a", "b")])
    with pytest.raises(ValueError, match="weights"):
        analyse(["a", "b"], [("a", "b")], [1.0, 2.0])


def test_an_empty_graph_has_no_scores_and_no_groups() -> None:
    result = analyse([], [])
    assert result.scores == {} and result.communities == []
    lonely = analyse(["a", "b"], [])
    assert [len(c.members) for c in lonely.communities] == [1, 1]


def test_paths_stop_at_the_limit_in_a_graph_with_very_many_shortest_ones() -> None:
    from jointprobe.network.graph import Graph, GraphEdge, GraphNode
    from jointprobe.network.paths import node_paths

    # ten layers of ten nodes, each node tied to every node of the next: 10^8 shortest paths
    layers = [[f"n{i}-{j}" for j in range(10)] for i in range(10)]
    names = ["start", *(n for layer in layers for n in layer), "end"]
    pairs = [("start", n) for n in layers[0]] + [(n, "end") for n in layers[-1]]
    pairs += [
        (a, b) for one, two in zip(layers, layers[1:], strict=False) for a in one for b in two
    ]
    graph = Graph(
        [GraphNode(n, n, "Person", "AMBER", None, True, "c") for n in names],
        [GraphEdge(f"e{i}", a, b, "tie", "UnknownLink", True) for i, (a, b) in enumerate(pairs)],
    )
    found = node_paths(graph, "start", "end", limit=5)
    assert len(found) == 6 and all(len(path) == 12 for path in found)
    assert node_paths(graph, "start", "start") == [["start"]]
