"""What an expansion answers: nodes, placeholders for what is known elsewhere, edges with
their evidence, and where it stopped.

Plain classes (no FastAPI, no SQL): ``web/api/network.py`` turns them into
response models, ``cli/network.py`` into a table, and :meth:`Expansion.graph`
gives the bare ids and pairs another module (centrality, communities) needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: What a placeholder says; never an id, caption or schema of what it stands for.
KNOWN_ELSEWHERE = "known elsewhere — ask the case owner"


@dataclass(frozen=True, slots=True)
class NetworkNode:
    """An entity the user may see; ``via`` says how it was reached (selector or relation)."""

    id: str
    schema: str
    caption: str
    case_id: str | None
    hop: int
    via: str
    tlp: str
    fictional: bool


@dataclass(slots=True)
class Placeholder:
    """Entities of one case the user may not see, reached from what they may see.

    ``marker`` is opaque and numbered within this expansion only. ``owner``
    names the hidden case's owner only when it was reached through a shared
    selector: the same a member sees in that case's cross-case link suggestions
    (``network.crosscase``); through a relation, nothing is named.
    """

    marker: str
    hop: int
    via: str
    owner: str | None = None
    note: str = KNOWN_ELSEWHERE


@dataclass(frozen=True, slots=True)
class NetworkEdge:
    """``source`` → ``target`` (entity ids or a placeholder's marker) and why they are linked.

    A relation keeps its stored direction (owner → asset, member → organisation);
    a shared selector points from the entity reached first.

    ``kind`` is ``selector`` (``evidence`` is the shared ``kind:value``) or
    ``relation`` (``evidence`` is the relation entity's id, or
    ``held elsewhere`` when that entity is in a case the user may not see).
    """

    source: str
    target: str
    kind: str
    evidence: str
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class CappedSelector:
    """A selector held by more entities than one hop follows (``network.expand.MAX_HOLDERS``):
    usually noise (a call centre's phone, a shared hosting domain). ``note`` says what the
    walk did with it."""

    selector: str  # kind:value
    hop: int
    note: str


@dataclass(frozen=True, slots=True)
class CappedEntity:
    """An entity (always one the user may see: the walk goes on from those only) with more
    relations one way than one hop follows (``network.expand.MAX_EDGES``): a bank, a
    courier hub, a marketplace. ``note`` says which were followed."""

    entity_id: str
    hop: int
    note: str


@dataclass(frozen=True, slots=True)
class StopPoint:
    """Where the expansion stopped before its hops were done, and why."""

    hop: int
    entity_id: str
    reason: str


@dataclass
class Expansion:
    start: str
    kind: str
    hops: int
    limit: int
    nodes: list[NetworkNode] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    edges: list[NetworkEdge] = field(default_factory=list)
    stopped: StopPoint | None = None
    capped: list[CappedSelector] = field(default_factory=list)
    capped_entities: list[CappedEntity] = field(default_factory=list)

    def graph(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The visible part as bare ids and (source id, target id) pairs, for graph algorithms."""
        ids = [node.id for node in self.nodes]
        known = set(ids)
        pairs = [(e.source, e.target) for e in self.edges if {e.source, e.target} <= known]
        return ids, pairs

    def cases(self) -> list[str]:
        """The visible cases the expansion read (for the audit log)."""
        return sorted({node.case_id for node in self.nodes if node.case_id is not None})
