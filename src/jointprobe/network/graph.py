"""The network graph of a case, or one hop around an entity, as nodes and edges.

Reads the ``entities`` and ``edges`` tables. What a user may see is decided by
the case service (``get_case``, ``visible_case_ids`` and ``get_entity``); an
entity or edge of a case the user may not see is left out.
The graph page draws it (``web/pages/graph.py``), and the network analysis,
paths and money of a case (``network.service``) read it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from followthemoney import model
from sqlalchemy import or_, select, true
from sqlalchemy.orm import Session

from jointprobe.cases.service import visible_case_ids
from jointprobe.entities.ftm import is_relation
from jointprobe.entities.service import get_entity
from jointprobe.network.result import Expansion
from jointprobe.store.tables import Case, Edge, Entity, User

MAX_NODES = 2000


@dataclass
class GraphNode:
    id: str
    label: str
    schema: str
    tlp: str
    grading: str | None
    fictional: bool
    case_id: str | None
    # filled in by network.service.annotate (key players and groups), else empty
    degree: int = 0
    betweenness: float = 0.0
    pagerank: float = 0.0
    community: int | None = None


@dataclass
class GraphEdge:
    id: str
    source: str
    target: str
    label: str
    schema: str
    fictional: bool
    relation_id: str = ""


@dataclass
class Graph:
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    truncated: bool = False
    notes: list[str] = field(default_factory=list)  # e.g. selectors too common to follow

    def schemata(self) -> list[str]:
        return sorted({node.schema for node in self.nodes})

    def neighbours(self) -> dict[str, list[tuple[str, GraphNode]]]:
        """For each node id: (relation label, other node), for tables without JavaScript."""
        by_id = {node.id: node for node in self.nodes}
        out: dict[str, list[tuple[str, GraphNode]]] = {node.id: [] for node in self.nodes}
        for edge in self.edges:
            out[edge.source].append((edge.label, by_id[edge.target]))
            out[edge.target].append((edge.label, by_id[edge.source]))
        return out

    def to_elements(self) -> dict[str, Any]:
        """The graph as Cytoscape.js elements."""
        return {
            "nodes": [{"data": asdict(node)} for node in self.nodes],
            "edges": [{"data": asdict(edge)} for edge in self.edges],
            "truncated": self.truncated,
            "notes": self.notes,
        }


def _node(row: Entity) -> GraphNode:
    return GraphNode(
        row.id, row.caption or row.id, row.schema, row.tlp, row.grading, row.fictional, row.case_id
    )


def _label(edge: Edge, relation: Entity | None) -> str:
    if relation is not None:
        roles = relation.properties.get("role") or []
        if roles:
            return str(roles[0])
    schema_name, _, prop = edge.schema.partition(".")
    schema = model.get(schema_name)
    if prop and schema is not None and prop in schema.properties:
        return str(schema.properties[prop].label)
    return str(schema.label) if schema is not None else edge.schema


def _build(
    session: Session,
    rows: Iterable[Entity],
    edges: Iterable[Edge],
    schemata: Collection[str] | None,
) -> Graph:
    graph = Graph()
    nodes: dict[str, GraphNode] = {}
    for row in rows:
        if is_relation(row.schema) or (schemata and row.schema not in schemata):
            continue
        if len(nodes) >= MAX_NODES:
            graph.truncated = True
            break
        nodes[row.id] = _node(row)
    kept = [e for e in edges if e.source_id in nodes and e.target_id in nodes]
    relation_ids = {e.relation_id for e in kept}
    relations = {
        r.id: r for r in session.scalars(select(Entity).where(Entity.id.in_(relation_ids)))
    }
    for edge in kept:
        relation = relations.get(edge.relation_id)
        graph.edges.append(
            GraphEdge(
                id=f"e{edge.id}",
                source=edge.source_id,
                target=edge.target_id,
                label=_label(edge, relation),
                schema=edge.schema.partition(".")[0],
                fictional=bool(relation is not None and relation.fictional),
                relation_id=edge.relation_id,
            )
        )
    graph.nodes = list(nodes.values())
    return graph


def case_graph(session: Session, case: Case, schemata: Collection[str] | None = None) -> Graph:
    """Every entity of ``case`` and the relations between them.

    ``case`` comes from :func:`jointprobe.cases.service.get_case`, which has
    already applied need-to-know and recorded the read.
    """
    rows = session.scalars(select(Entity).where(Entity.case_id == case.id).order_by(Entity.id))
    edges = session.scalars(select(Edge).where(Edge.case_id == case.id).order_by(Edge.id))
    return _build(session, rows, edges, schemata)


def case_schemata(session: Session, case: Case) -> list[str]:
    """The node schemata present in ``case`` (relations are drawn as edges, not listed)."""
    names = session.scalars(select(Entity.schema).where(Entity.case_id == case.id).distinct())
    return sorted(name for name in names if not is_relation(name))


def neighbourhood(
    session: Session, user: User, entity_id: str, schemata: Collection[str] | None = None
) -> Graph:
    """One hop around an entity the user may see, across every case they may see."""
    centre = get_entity(session, user, entity_id)
    visible = visible_case_ids(user)
    in_sight = (
        or_(Edge.case_id.is_(None), Edge.case_id.in_(visible)) if visible is not None else true()
    )
    touching = or_(Edge.source_id == centre.id, Edge.target_id == centre.id)
    edges = list(session.scalars(select(Edge).where(touching, in_sight).order_by(Edge.id)))
    ids = {centre.id} | {e.source_id for e in edges} | {e.target_id for e in edges}
    entity_in_sight = (
        or_(Entity.case_id.is_(None), Entity.case_id.in_(visible))
        if visible is not None
        else true()
    )
    rows = list(session.scalars(select(Entity).where(Entity.id.in_(ids), entity_in_sight)))
    rows.sort(key=lambda row: (row.id != centre.id, row.id))
    wanted = set(schemata or ()) | {centre.schema} if schemata else None
    return _build(session, rows, edges, wanted)


#: The schema a placeholder is drawn with ("known elsewhere — ask the case owner").
HIDDEN = "Hidden"


def expansion_graph(result: Expansion) -> Graph:
    """A network expansion as a graph; each placeholder one grey node saying whom to ask.

    Placeholder ids carry the start of the expansion (``<start>~hidden-1``), so
    that the placeholders of two expansions drawn together stay apart.
    """
    notes = [f"selector {c.selector}: {c.note}" for c in result.capped]
    notes += [f"entity {c.entity_id}: {c.note}" for c in result.capped_entities]
    graph = Graph(truncated=result.stopped is not None, notes=notes)
    marker_ids = {p.marker: f"{result.start}~{p.marker}" for p in result.placeholders}
    for node in result.nodes:
        graph.nodes.append(GraphNode(node.id, node.caption or node.id, node.schema, node.tlp, None,
                                     node.fictional, node.case_id))  # fmt: skip
    for hidden in result.placeholders:
        label = hidden.note + (f" ({hidden.owner})" if hidden.owner else "")
        graph.nodes.append(GraphNode(marker_ids[hidden.marker], label, HIDDEN, "", None, False,
                                     None))  # fmt: skip
    for edge in result.edges:
        source = marker_ids.get(edge.source, edge.source)
        target = marker_ids.get(edge.target, edge.target)
        label = edge.evidence if edge.kind == "selector" else (edge.schema or "relation")
        first, second = sorted((source, target))  # the same link from either end: one id
        graph.edges.append(GraphEdge(f"x:{first}:{second}:{edge.evidence}", source, target,
                                     label, edge.schema or edge.kind, False))  # fmt: skip
    return graph
