"""Analyst judgements on candidate pairs, and the canonical ids they imply.

Like nomenklatura's resolver, a judgement is an edge between two ids:
``positive`` (same entity), ``negative`` (not the same), ``unsure``, or
``candidate`` (proposed by linkage, not yet judged). Positive edges join ids
into clusters; each cluster has one minted ``canon-…`` id, kept for good, so
references to it stay valid as the cluster grows. A negative edge between two
clusters forbids merging them; confirming across it is a :class:`Conflict`.

The table is part of the node store (Alembic migration 0003).

Need-to-know: an id that names a stored entity of a case the analyst may not
see is hidden from :func:`pending` and reported as not found by
:func:`decide` (ids of records outside the store, such as rows of a linked
file, are open to every analyst; a ``canon-…`` id is open unless every record
in its cluster is hidden). Each decision is
recorded in the audit chain.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Float, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from jointprobe.audit import record
from jointprobe.cases.service import can_see_case_id
from jointprobe.errors import Conflict, InvalidInput, NotFound
from jointprobe.store.tables import Base, Entity, User
from jointprobe.timeutil import utcnow

CANON_PREFIX = "canon-"
IN_CHUNK = 500
JUDGEMENTS = ("positive", "negative", "unsure", "candidate")


class JudgementRow(Base):
    __tablename__ = "resolve_judgements"
    __table_args__ = (Index("ix_resolve_judgements_pair", "left_id", "right_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    left_id: Mapped[str] = mapped_column(String(128), index=True)
    right_id: Mapped[str] = mapped_column(String(128), index=True)
    judgement: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    user: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True, slots=True)
class Candidate:
    left_id: str
    right_id: str
    score: float | None
    source: str


def _pair(a: str, b: str) -> tuple[str, str]:
    if a == b:
        raise InvalidInput(f"cannot judge {a!r} against itself")
    return (a, b) if a < b else (b, a)


def _latest(session: Session) -> dict[tuple[str, str], JudgementRow]:
    latest: dict[tuple[str, str], JudgementRow] = {}
    for row in session.scalars(select(JudgementRow).order_by(JudgementRow.id)):
        latest[(row.left_id, row.right_id)] = row
    return latest


class Resolver:
    """Clusters from the latest judgement of every pair (loaded once per call site)."""

    def __init__(self, edges: Iterable[tuple[str, str, str]]) -> None:
        self.parent: dict[str, str] = {}
        self.negative: set[tuple[str, str]] = set()
        for left, right, judgement in edges:
            if judgement == "positive":
                self._union(left, right)
            elif judgement == "negative":
                self.negative.add((left, right))

    def find(self, node: str) -> str:
        while self.parent.get(node, node) != node:
            node = self.parent[node]
        return node

    def _union(self, a: str, b: str) -> None:
        self.parent.setdefault(a, a)
        self.parent.setdefault(b, b)
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb

    def members(self, node: str) -> set[str]:
        root = self.find(node)
        return {n for n in set(self.parent) | {node} if self.find(n) == root}

    def canonical(self, node: str) -> str:
        canon = sorted(m for m in self.members(node) if m.startswith(CANON_PREFIX))
        return canon[0] if canon else node

    def forbidden(self, a: str, b: str) -> tuple[str, str] | None:
        ma, mb = self.members(a), self.members(b)
        for left, right in self.negative:
            if (left in ma and right in mb) or (left in mb and right in ma):
                return left, right
        return None


def resolver(session: Session) -> Resolver:
    rows = _latest(session).values()
    return Resolver((r.left_id, r.right_id, r.judgement) for r in rows)


def _add(session: Session, a: str, b: str, judgement: str, user: str, **kw: object) -> None:
    left, right = _pair(a, b)
    session.add(JudgementRow(left_id=left, right_id=right, judgement=judgement, user=user, **kw))


def _hidden(session: Session, actor: User, ids: Iterable[str]) -> set[str]:
    """The ids among ``ids`` that name stored entities ``actor`` may not see."""
    wanted = sorted(set(ids))
    hidden: set[str] = set()
    for start in range(0, len(wanted), IN_CHUNK):  # stay under the driver's parameter limit
        chunk = wanted[start : start + IN_CHUNK]
        rows = session.execute(select(Entity.id, Entity.case_id).where(Entity.id.in_(chunk)))
        hidden |= {eid for eid, case_id in rows if not can_see_case_id(session, actor, case_id)}
    return hidden


def _check_cluster_visible(session: Session, actor: User, canon: str) -> None:
    """A ``canon-…`` id is open unless every record in its cluster is hidden from ``actor``:
    judging against such a cluster would reach data of cases they are not in."""
    members = {m for m in resolver(session).members(canon) if not m.startswith(CANON_PREFIX)}
    if members and members <= _hidden(session, actor, members):
        raise NotFound(f"no entity {canon!r}")


def decide(session: Session, actor: User, a: str, b: str, judgement: str) -> str:
    """Record ``actor``'s judgement on ``a``/``b``; return ``a``'s canonical id afterwards."""
    if judgement not in JUDGEMENTS[:3]:
        raise InvalidInput(f"judgement must be one of {', '.join(JUDGEMENTS[:3])}")
    left, right = _pair(a, b)
    hidden = sorted(_hidden(session, actor, (a, b)))
    if hidden:
        raise NotFound(f"no entity {hidden[0]!r}")
    for canon in (x for x in (a, b) if x.startswith(CANON_PREFIX)):
        _check_cluster_visible(session, actor, canon)
    canonical = _decide(
        session, actor.username, a, b, judgement, lambda ids: _hidden(session, actor, ids)
    )
    detail = {"judgement": judgement, "canonical": canonical}
    record(session, actor.username, "judge", "pair", f"{left}~{right}", detail)
    return canonical


def _decide(
    session: Session,
    user: str,
    a: str,
    b: str,
    judgement: str,
    hidden: Callable[[Iterable[str]], set[str]],
) -> str:
    res = resolver(session)
    same = res.find(a) == res.find(b)
    if judgement == "negative" and same:
        raise Conflict(f"{a} and {b} are already merged as {res.canonical(a)}; split them first")
    if judgement == "positive" and not same:
        blocked = res.forbidden(a, b)
        if blocked:
            unseen = hidden(blocked)
            left, right = (x if x not in unseen else "an entity you may not see" for x in blocked)
            raise Conflict(f"{left} and {right} were judged different; cannot merge")
        _add(session, a, b, "positive", user)
        canon_a, canon_b = res.canonical(a), res.canonical(b)
        if not canon_a.startswith(CANON_PREFIX) and not canon_b.startswith(CANON_PREFIX):
            canon_a = f"{CANON_PREFIX}{secrets.token_hex(8)}"
            _add(session, a, canon_a, "positive", user)
        elif canon_a.startswith(CANON_PREFIX) and canon_b.startswith(CANON_PREFIX):
            _add(session, canon_a, canon_b, "positive", user)
    elif not (judgement == "positive" and same):
        _add(session, a, b, judgement, user)
    session.flush()
    return resolver(session).canonical(a)


def record_candidates(
    session: Session, pairs: Iterable[tuple[str, str, float]], *, source: str, user: str = "linkage"
) -> int:
    """Store linkage candidates not already judged; return how many were new."""
    latest = _latest_pairs(session)
    added = 0
    for a, b, score in pairs:
        key = _pair(a, b)
        if key in latest:
            continue
        latest.add(key)
        _add(session, a, b, "candidate", user, score=score, source=source)
        added += 1
    session.flush()
    return added


def _latest_pairs(session: Session) -> set[tuple[str, str]]:
    return set(_latest(session))


def pending(session: Session, actor: User, *, limit: int = 50) -> list[Candidate]:
    """Candidates still waiting for an analyst that ``actor`` may see, best score first."""
    rows = [r for r in _latest(session).values() if r.judgement == "candidate"]
    hidden = _hidden(session, actor, {i for r in rows for i in (r.left_id, r.right_id)})
    rows = [r for r in rows if r.left_id not in hidden and r.right_id not in hidden]
    rows.sort(key=lambda r: -(r.score or 0.0))
    return [Candidate(r.left_id, r.right_id, r.score, r.source) for r in rows[:limit]]


def history(session: Session, a: str, b: str) -> list[tuple[str, str, datetime]]:
    """Every judgement on a pair, oldest first: (judgement, user, when)."""
    left, right = _pair(a, b)
    query = (
        select(JudgementRow)
        .where(JudgementRow.left_id == left, JudgementRow.right_id == right)
        .order_by(JudgementRow.id)
    )
    return [(r.judgement, r.user, r.created_at) for r in session.scalars(query)]
