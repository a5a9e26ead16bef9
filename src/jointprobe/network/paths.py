"""Shortest paths between two entities of a case graph, each step with its evidence.

The path is found on the undirected graph (igraph's all shortest paths by hop
count): a tie is a tie whichever way the relation points. Each step names every
relation that joins its two entities, with what backs it: the relation entity
(an Ownership, a Payment, a Call…; for a tie read off a property, the entity
holding it), its schema, properties, dates, source and markings, and which way
it points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from followthemoney import model, registry
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.network.analysis import build_graph
from jointprobe.network.graph import Graph, GraphEdge, GraphNode
from jointprobe.store.tables import Entity

#: At most this many shortest paths are returned (a dense graph has very many).
MAX_PATHS = 20


@dataclass(frozen=True)
class Evidence:
    relation_id: str
    schema: str
    label: str
    caption: str
    source_id: str  # which way the relation points
    target_id: str
    properties: dict[str, Any]
    dates: dict[str, list[str]]
    source: str | None
    tlp: str
    grading: str | None
    fictional: bool


@dataclass(frozen=True)
class Step:
    source: GraphNode
    target: GraphNode
    evidence: list[Evidence]


@dataclass(frozen=True)
class Paths:
    source: GraphNode
    target: GraphNode
    hops: int | None  # None: not connected
    paths: list[list[Step]]
    more: bool  # more shortest paths than returned
    truncated: bool  # the case graph was cut off at its size limit

    @property
    def connected(self) -> bool:
        return self.hops is not None


def node_paths(graph: Graph, source: str, target: str, limit: int = MAX_PATHS) -> list[list[str]]:
    """The shortest paths from ``source`` to ``target`` as node ids, at most ``limit`` + 1.

    igraph's k shortest paths (Yen), kept while as short as the first: a dense graph can
    have very many shortest paths, and only ``limit`` + 1 are ever looked for.
    """
    ids = [node.id for node in graph.nodes]
    g = build_graph(ids, [(e.source, e.target) for e in graph.edges])
    if source == target:
        return [[source]]
    start, end = g.vs.find(name=source).index, g.vs.find(name=target).index
    if end not in g.subcomponent(start):
        return []
    found = g.get_k_shortest_paths(start, to=end, k=limit + 1, mode="all", output="vpath")
    shortest = [path for path in found if len(path) == len(found[0])]
    return sorted([ids[v] for v in path] for path in shortest)


def _dates(row: Entity) -> dict[str, list[str]]:
    schema = model.get(row.schema)
    if schema is None:
        return {}
    return {
        name: list(values)
        for name, values in row.properties.items()
        if name in schema.properties and schema.properties[name].type is registry.date
    }


def _evidence(edge: GraphEdge, row: Entity | None) -> Evidence:
    if row is None:  # the relation is gone since the graph was read: say so, keep the tie
        return Evidence(edge.relation_id, edge.schema, edge.label, "", edge.source, edge.target,
                        {}, {}, None, "AMBER", None, edge.fictional)  # fmt: skip
    return Evidence(
        relation_id=row.id,
        schema=row.schema,
        label=edge.label,
        caption=row.caption,
        source_id=edge.source,
        target_id=edge.target,
        properties=row.properties,
        dates=_dates(row),
        source=row.source,
        tlp=row.tlp,
        grading=row.grading,
        fictional=row.fictional,
    )


def find_paths(
    session: Session, graph: Graph, source: str, target: str, limit: int = MAX_PATHS
) -> Paths:
    """Shortest paths between two nodes of ``graph`` with the evidence of each step."""
    nodes = {node.id: node for node in graph.nodes}
    found = node_paths(graph, source, target, limit)
    between: dict[frozenset[str], list[GraphEdge]] = {}
    for edge in graph.edges:
        between.setdefault(frozenset((edge.source, edge.target)), []).append(edge)
    wanted = {e.relation_id for path in found for a, b in zip(path, path[1:], strict=False)
              for e in between.get(frozenset((a, b)), [])}  # fmt: skip
    rows = {r.id: r for r in session.scalars(select(Entity).where(Entity.id.in_(wanted)))}
    paths = [
        [
            Step(
                nodes[a],
                nodes[b],
                [_evidence(e, rows.get(e.relation_id)) for e in between[frozenset((a, b))]],
            )  # fmt: skip
            for a, b in zip(path, path[1:], strict=False)
        ]
        for path in found[:limit]
    ]
    hops = len(found[0]) - 1 if found else None
    return Paths(nodes[source], nodes[target], hops, paths, len(found) > limit, graph.truncated)
