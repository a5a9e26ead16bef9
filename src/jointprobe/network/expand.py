"""Expand a network from one selector (or entity) across every case the user may see.

Hop 0 is the entities holding the start selector (normalised as instant hits
normalise it: ``resolve.hits.query_keys``; names through the name keys) or
the start entity. Each further hop follows, from every entity of the hop
before, (1) the entities that share one of its normalised selectors of the
kinds in :data:`LINK_KINDS` and (2) its explicit edges (FtM relations such as
Ownership, Call, Payment, kept in the ``edges`` table). Names are a way in,
not a link: two people called Wang Wei are not thereby one network.

Need-to-know (``cases.service.visible_case_ids``) decides each entity: one of
a case the user may not see becomes a :class:`Placeholder` for that case
("known elsewhere — ask the case owner"), with no id, caption or schema, and
the expansion never continues through it. The expansion stops at ``limit``
nodes and placeholders (at most :data:`MAX_LIMIT`) and says at which hop and
entity. A selector held by more than :data:`MAX_HOLDERS` entities (a call
centre's phone, a hosting domain: noise, usually) is not followed past hop 0,
and the result says so (``Expansion.capped``); the cap is in the SQL, so such a
selector never loads all its holders. Likewise an entity with more than
:data:`MAX_EDGES` relations one way (a bank, a courier hub) has only its first
followed, in the SQL, and the result says so (``Expansion.capped_entities``).
Names (and company keys) start an
expansion only among what the user may see: a hidden case gets a placeholder
at hop 0 only through an exact linking selector. Each expansion is one audit
entry (``expand network``) naming the visible cases it read and the hidden
cases it met (``hidden_case_ids``, for their owners: the user never sees those
ids).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.service import visible_case_ids
from jointprobe.entities.ftm import is_relation
from jointprobe.entities.normalise import guess_kind
from jointprobe.entities.service import get_entity
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.network.owners import case_owners
from jointprobe.network.queries import (
    EdgeRow,
    EntityRow,
    edges_touching,
    entity_rows,
    holders,
    rows_of,
    selectors_of,
    visible_holders,
)
from jointprobe.network.result import (
    CappedEntity,
    CappedSelector,
    Expansion,
    NetworkEdge,
    NetworkNode,
    Placeholder,
    StopPoint,
)
from jointprobe.resolve.hits import query_keys
from jointprobe.store.tables import User

DEFAULT_HOPS = 2
MAX_HOPS = 4
DEFAULT_LIMIT = 500
MAX_LIMIT = 5000
#: Holders of one selector one hop takes: a selector held by more is not followed (hops
#: 1 and on) or only its first holders by id are (hop 0), and the result says so.
MAX_HOLDERS = 500
#: Relations of one entity one hop follows each way (from it, to it): the first by the other
#: end; an entity with more (a hub) says so in the result (``Expansion.capped_entities``).
MAX_EDGES = 1000
#: Selector kinds that link two entities (``id:<property>`` identifiers too).
LINK_KINDS = frozenset({"phone", "email", "wallet", "domain", "url", "passport", "iban", "id:"})


class UnknownSelector(NotFound):
    """No entity of this node holds the selector (in a case the user may see or not)."""

    code = "network.unknown_selector"


@dataclass
class _Walk:
    """The state of one expansion: what is reached, the hidden cases, the edges."""

    user: User
    visible: frozenset[str] | None
    result: Expansion
    seen: set[str] = field(default_factory=set)
    hidden: dict[str, Placeholder] = field(default_factory=dict)  # case id -> placeholder
    edge_keys: set[tuple[str, str, str]] = field(default_factory=set)
    capped: set[str] = field(default_factory=set)

    def sees(self, case_id: str | None) -> bool:
        return case_id is None or self.visible is None or case_id in self.visible

    def full(self) -> bool:
        return len(self.result.nodes) + len(self.result.placeholders) >= self.result.limit

    def adds(self, entity_id: str, case_id: str | None) -> bool:
        """Whether reaching this entity would add a node or a placeholder (a hidden case's
        placeholder is made once)."""
        if self.sees(case_id):
            return entity_id not in self.seen
        return case_id is not None and case_id not in self.hidden

    def add_node(self, row: EntityRow, hop: int, via: str) -> bool:
        """Add a visible entity once; False when it was there already."""
        if row.id in self.seen:
            return False
        self.seen.add(row.id)
        self.result.nodes.append(NetworkNode(row.id, row.schema, row.caption, row.case_id,
                                             hop, via, row.tlp, row.fictional))  # fmt: skip
        return True

    def add_hidden(self, case_id: str, hop: int, via: str, by_selector: bool) -> str:
        """The placeholder of a hidden case (made once), its marker returned."""
        holder = self.hidden.get(case_id)
        if holder is None:
            holder = Placeholder(f"hidden-{len(self.hidden) + 1}", hop, via)
            self.hidden[case_id] = holder
            self.result.placeholders.append(holder)
        if by_selector and holder.owner is None:
            holder.owner = ""  # filled in once, at the end (one query per hidden case)
        return holder.marker

    def cap(self, selector: str, hop: int, note: str) -> None:
        """Say once that ``selector`` had more holders than a hop takes."""
        if selector not in self.capped:
            self.capped.add(selector)
            self.result.capped.append(CappedSelector(selector, hop, note))

    def cap_entity(self, entity_id: str, hop: int) -> None:
        """Say that ``entity_id`` (a visible frontier entity) had more relations than a hop
        follows."""
        note = f"more than {MAX_EDGES} relations one way: only the first {MAX_EDGES} followed"
        self.result.capped_entities.append(CappedEntity(entity_id, hop, note))

    def add_edge(self, source: str, target: str, kind: str, evidence: str,
                 schema: str | None = None) -> None:  # fmt: skip
        key = (min(source, target), max(source, target), evidence)
        if source != target and key not in self.edge_keys:
            self.edge_keys.add(key)
            self.result.edges.append(NetworkEdge(source, target, kind, evidence, schema))


def _visible(session: Session, user: User) -> frozenset[str] | None:
    query = visible_case_ids(user)
    return None if query is None else frozenset(r[0] for r in rows_of(session, query))


def _link_kind(kind: str) -> bool:
    return kind in LINK_KINDS or kind.startswith("id:")


def _capped_holders(
    session: Session, walk: _Walk, keys: Collection[tuple[str, str]], hop: int
) -> dict[tuple[str, str], list[tuple[str, str | None]]]:
    """(entity id, case id) of the holders of each key, by key, at most :data:`MAX_HOLDERS`
    each (the cap in the SQL). A key held by more is said in the result: at hop 0 its first
    holders are taken (the user asked for it), later it is not followed at all. A name or
    company key (hop 0 only) is looked up among the visible cases alone, so that neither
    its holders nor the cap count anything hidden."""
    exact = [key for key in keys if _link_kind(key[0])]
    found = holders(session, exact, MAX_HOLDERS + 1)
    fuzzy = [key for key in keys if not _link_kind(key[0])]
    if fuzzy:
        found += (holders(session, fuzzy, MAX_HOLDERS + 1) if walk.visible is None
                  else visible_holders(session, fuzzy, MAX_HOLDERS + 1, walk.visible))  # fmt: skip
    by_key: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    for kind, value, entity_id, case_id in found:
        by_key.setdefault((kind, value), []).append((entity_id, case_id))
    for (kind, value), held in list(by_key.items()):
        if len(held) <= MAX_HOLDERS:
            continue
        if hop == 0:
            del held[MAX_HOLDERS:]
            note = f"held by more than {MAX_HOLDERS} entities: only the first {MAX_HOLDERS} taken"
        else:
            del by_key[(kind, value)]
            note = f"held by more than {MAX_HOLDERS} entities: not followed further"
        walk.cap(f"{kind}:{value}", hop, note)
    return by_key


def _start(session: Session, walk: _Walk, keys: list[tuple[str, str]], label: str) -> list[str]:
    """Hop 0: the holders of the start keys; visible ones returned as the first frontier.

    A hidden case becomes a placeholder only through an exact linking selector
    (:data:`LINK_KINDS`): a name or company key is fuzzy, and instant hits hide
    such matches in hidden cases entirely, so naming the owners who hold a
    similar name would tell more than the hits search does. Those holders are
    dropped before anything else, so that a name held only in hidden cases is
    as unknown (404) as one held nowhere.
    """
    held = [(kind, value, entity_id, case_id)
            for (kind, value), found in _capped_holders(session, walk, keys, 0).items()
            for entity_id, case_id in found
            if _link_kind(kind) or walk.sees(case_id)]  # fmt: skip
    if not held:
        raise UnknownSelector(f"no entity on this node holds {label}", where="q")
    rows = entity_rows(session, {entity_id for _, _, entity_id, _ in held})
    frontier: list[str] = []
    for kind, value, entity_id, _case in sorted(held, key=lambda h: h[2]):
        row = rows.get(entity_id)
        if row is None or is_relation(row.schema):
            continue
        if walk.full() and walk.adds(row.id, row.case_id):
            walk.result.stopped = StopPoint(0, entity_id if walk.sees(row.case_id) else "",
                                            "size limit")  # fmt: skip
            break
        if walk.sees(row.case_id):
            if walk.add_node(row, 0, f"{kind}:{value}"):
                frontier.append(row.id)
        elif row.case_id is not None:
            walk.add_hidden(row.case_id, 0, f"{kind}:{value}", by_selector=True)
    return frontier


def _neighbours(
    session: Session, walk: _Walk, frontier: list[str], hop: int
) -> tuple[dict[str, list[tuple[str, str, str | None]]], list[EdgeRow]]:
    """For each frontier entity: (kind:value, holder id, holder case) sharing a link selector
    (one held by more than :data:`MAX_HOLDERS` entities is not followed); and the edges
    touching the frontier, at most :data:`MAX_EDGES` each way an entity (one with more is
    said in the result)."""
    own = [(e, k, v) for e, k, v in selectors_of(session, frontier) if _link_kind(k)]
    by_key = _capped_holders(session, walk, {(k, v) for _, k, v in own}, hop)
    shared: dict[str, list[tuple[str, str, str | None]]] = {}
    for entity_id, kind, value in sorted(own):
        for other, case_id in sorted(by_key.get((kind, value), []), key=lambda p: p[0]):
            if other != entity_id:
                shared.setdefault(entity_id, []).append((f"{kind}:{value}", other, case_id))
    edges, cut = edges_touching(session, frontier, MAX_EDGES)
    for entity_id in sorted(cut):
        walk.cap_entity(entity_id, hop)
    return shared, edges


@dataclass(frozen=True, slots=True)
class _Step:
    """One way from a frontier entity to another: a shared selector or an edge."""

    other: str
    kind: str  # selector or relation
    evidence: str
    schema: str | None
    hidden_case: str | None  # an edge of a case the user may not see: only its case is shown
    inward: bool = False  # a relation pointing at the frontier entity (kept as stored)

    def link(self, walk: _Walk, here: str, there: str, schema: str | None) -> None:
        """The edge between ``here`` (the frontier) and ``there``, in its stored direction."""
        source, target = (there, here) if self.inward else (here, there)
        walk.add_edge(source, target, self.kind, self.evidence, schema)


def _steps(walk: _Walk, entity_id: str, shared: list[tuple[str, str, str | None]],
           edges: list[EdgeRow]) -> list[_Step]:  # fmt: skip
    steps = [_Step(other, "selector", via, None, None) for via, other, _ in shared]
    for edge in edges:
        inward = edge.source_id != entity_id
        other = edge.source_id if inward else edge.target_id
        if walk.sees(edge.case_id):
            steps.append(_Step(other, "relation", edge.relation_id,
                               edge.schema.partition(".")[0], None, inward))  # fmt: skip
        else:
            steps.append(_Step(other, "relation", "held elsewhere", None, edge.case_id, inward))
    return steps


def _take(walk: _Walk, rows: dict[str, EntityRow], entity_id: str, step: _Step, hop: int) -> bool:
    """Follow one step; True when it reached a new visible entity (next frontier)."""
    via = f"{step.kind} {step.evidence}" if step.kind == "relation" else step.evidence
    if step.hidden_case is not None:
        marker = walk.add_hidden(step.hidden_case, hop, via, by_selector=False)
        step.link(walk, entity_id, marker, None)
        return False
    if step.other in walk.seen:
        step.link(walk, entity_id, step.other, step.schema)
        return False
    row = rows.get(step.other)
    if row is None or is_relation(row.schema):
        return False
    if walk.sees(row.case_id):
        walk.add_node(row, hop, via)
        step.link(walk, entity_id, row.id, step.schema)
        return True
    assert row.case_id is not None
    marker = walk.add_hidden(row.case_id, hop, via, by_selector=step.kind == "selector")
    step.link(walk, entity_id, marker, None)
    return False


def _hop(session: Session, walk: _Walk, frontier: list[str], hop: int) -> list[str]:
    """Follow shared selectors and edges from ``frontier``; the next frontier returned."""
    shared, edges = _neighbours(session, walk, frontier, hop)
    by_end: dict[str, list[EdgeRow]] = {}
    for edge in edges:
        by_end.setdefault(edge.source_id, []).append(edge)
        if edge.target_id != edge.source_id:
            by_end.setdefault(edge.target_id, []).append(edge)
    wanted = {other for links in shared.values() for _, other, _ in links}
    wanted |= {e.source_id for e in edges if walk.sees(e.case_id)}
    wanted |= {e.target_id for e in edges if walk.sees(e.case_id)}
    rows = entity_rows(session, wanted - walk.seen)
    following: list[str] = []
    for entity_id in frontier:
        for step in _steps(walk, entity_id, shared.get(entity_id, []), by_end.get(entity_id, [])):
            if step.hidden_case is not None:
                fresh = step.hidden_case not in walk.hidden
            else:
                row = rows.get(step.other)
                fresh = row is not None and walk.adds(row.id, row.case_id)
            if fresh and walk.full():
                walk.result.stopped = StopPoint(hop, entity_id, "size limit")
                return following
            if _take(walk, rows, entity_id, step, hop):
                following.append(step.other)
    return following


def _fill_owners(session: Session, walk: _Walk) -> None:
    wanted = [case_id for case_id, holder in walk.hidden.items() if holder.owner == ""]
    owners = case_owners(session, wanted) if wanted else {}
    for case_id in wanted:  # reached through a shared selector
        walk.hidden[case_id].owner = owners.get(case_id)


def _check(hops: int, limit: int) -> None:
    if not 0 <= hops <= MAX_HOPS:
        raise InvalidInput(f"hops must be 0–{MAX_HOPS}", where="hops")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be 1–{MAX_LIMIT}", where="limit")


def expand(
    session: Session,
    user: User,
    selector: str | None = None,
    *,
    entity_id: str | None = None,
    kind: str | None = None,
    region: str | None = None,
    hops: int = DEFAULT_HOPS,
    limit: int = DEFAULT_LIMIT,
) -> Expansion:
    """The network around ``selector`` (or ``entity_id``) to ``hops`` hops, for ``user``.

    Raises :class:`~jointprobe.errors.InvalidSelector` for a selector that does
    not normalise, :class:`UnknownSelector` for one no entity holds and
    :class:`~jointprobe.errors.NotFound` for an entity the user may not see.
    """
    _check(hops, limit)
    if (selector is None) == (entity_id is None):
        raise InvalidInput("give a selector or an entity id, not both", where="q")
    walk = _Walk(user, _visible(session, user), Expansion("", "", hops, limit))
    if entity_id is not None:
        row = get_entity(session, user, entity_id)  # 404 when hidden; records the read
        walk.result.start, walk.result.kind = row.id, "entity"
        found = entity_rows(session, [row.id])[row.id]
        walk.add_node(found, 0, "start")
        frontier = [row.id]
    else:
        assert selector is not None
        chosen = kind or guess_kind(selector)
        keys = query_keys(selector, chosen, region)  # InvalidSelector: 422
        walk.result.start, walk.result.kind = keys[0][1] if keys else selector, chosen
        frontier = _start(session, walk, keys, f"{chosen} {selector!r}")
    for hop in range(1, hops + 1):
        if not frontier or walk.result.stopped is not None:
            break
        frontier = _hop(session, walk, frontier, hop)
    _fill_owners(session, walk)
    _audit(session, user, walk.result, sorted(walk.hidden))
    return walk.result


def _audit(session: Session, user: User, result: Expansion, hidden_case_ids: list[str]) -> None:
    """One entry per expansion, naming the visible cases it read and the hidden cases it met
    (one chained write, not one per case: an expansion may read hundreds of cases). The
    hidden ids stay in the audit log: the user is never shown them."""
    detail = {
        "kind": result.kind,
        "hops": result.hops,
        "nodes": len(result.nodes),
        "hidden_cases": len(result.placeholders),
        # which hidden cases were probed, so that their owners can learn who asked
        "hidden_case_ids": hidden_case_ids,
        "stopped": result.stopped is not None,
        "capped": [c.selector for c in result.capped],
        "cases": result.cases(),
    }
    record(session, user.username, "expand", "network", f"{result.kind}:{result.start}"[:128],
           detail)  # fmt: skip
