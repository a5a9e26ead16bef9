"""Bulk entity writes for imports: validate a batch first, then insert it in a few statements.

``add_entities`` checks every item (FtM schema and values, marking, case
visibility, duplicate ids in the batch and in the store) before it writes
anything, so a batch never writes half an item; what fails is returned with
its index. The valid rest is inserted with executemany statements, and the
batch gets one audit entry listing the ids it created.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from followthemoney.proxy import EntityProxy
from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from jointprobe.audit import record
from jointprobe.cases.marking import check_marking
from jointprobe.cases.service import visible_case
from jointprobe.entities.ftm import parse_entity
from jointprobe.entities.selectors import extract_selectors
from jointprobe.entities.service import edges_of
from jointprobe.errors import Conflict, InvalidEntity, JointprobeError, NotFound
from jointprobe.store.tables import Edge, Entity, Selector, User
from jointprobe.timeutil import utcnow

IN_CHUNK = 500


@dataclass
class NewEntity:
    data: dict[str, Any] | EntityProxy
    where: str | None = None
    case_id: str | None = None
    tlp: str = "AMBER"
    handling: dict[str, Any] | None = None
    grading: str | None = None
    fictional: bool = False
    source: str | None = None


def _existing(session: Session, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        found.update(session.scalars(select(Entity.id).where(Entity.id.in_(chunk))))
    return found


def add_entities(
    session: Session, actor: User, items: Sequence[NewEntity]
) -> list[tuple[int, JointprobeError]]:
    """Write the valid items of a batch; return (index, error) for the others."""
    errors: list[tuple[int, JointprobeError]] = []
    visible: dict[str, bool] = {}
    ready: list[tuple[NewEntity, EntityProxy, tuple[str, dict[str, Any], str | None]]] = []
    for index, item in enumerate(items):
        try:
            proxy = (
                item.data
                if isinstance(item.data, EntityProxy)
                else parse_entity(item.data, where=item.where)
            )
            marking = check_marking(item.tlp, item.handling, item.grading)
            if item.case_id is not None and item.case_id not in visible:
                try:
                    visible_case(session, actor, item.case_id)
                    visible[item.case_id] = True
                except NotFound:
                    visible[item.case_id] = False
            if item.case_id is not None and not visible[item.case_id]:
                raise NotFound(f"no case {item.case_id!r}", where=item.where)
            ready.append((item, proxy, marking))
        except JointprobeError as exc:
            errors.append((index, exc))
    taken = _existing(session, [str(proxy.id) for _, proxy, _ in ready])
    index_of = {id(item): i for i, item in enumerate(items)}
    now = utcnow()
    entities: list[dict[str, Any]] = []
    selectors: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for item, proxy, (tlp, handling, grading) in ready:
        eid = str(proxy.id)
        if eid in taken:
            errors.append(
                (index_of[id(item)], Conflict(f"entity {eid!r} already exists", where=item.where))
            )
            continue
        taken.add(eid)
        entities.append(
            {
                "id": eid,
                "schema": proxy.schema.name,
                "caption": proxy.caption[:500],
                "properties": proxy.to_dict()["properties"],
                "case_id": item.case_id,
                "tlp": tlp,
                "handling": handling,
                "grading": grading,
                "fictional": item.fictional,
                "source": item.source,
                "created_at": now,
                "updated_at": now,
            }
        )
        for kind, value in extract_selectors(proxy):
            selectors.append(
                {"entity_id": eid, "kind": kind, "value": value, "case_id": item.case_id}
            )
        for schema_name, source, target in edges_of(proxy):
            edges.append(
                {
                    "relation_id": eid,
                    "schema": schema_name,
                    "source_id": source,
                    "target_id": target,
                    "case_id": item.case_id,
                }
            )
    if entities:
        session.execute(insert(Entity), entities)
        if selectors:
            session.execute(insert(Selector), selectors)
        if edges:
            session.execute(insert(Edge), edges)
        ids = [row["id"] for row in entities]
        record(session, actor.username, "create", "entities", f"{len(ids)} entities", {"ids": ids})
    errors.sort(key=lambda pair: pair[0])
    return errors


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rolled_back: bool = False


def _parse_line(line: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidEntity(
            f"malformed JSON: {exc.msg} at column {exc.colno}", where=where
        ) from exc
    if not isinstance(data, dict):
        raise InvalidEntity("a line must hold one JSON object", where=where)
    return data


def import_ftm_lines(
    sessions: sessionmaker[Session],
    actor_username: str,
    lines: Iterable[str],
    *,
    name: str = "<input>",
    case_id: str | None = None,
    strict: bool = False,
    fictional: bool = False,
    batch: int = 1000,
    on_line: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import FtM JSON lines, streaming in batches. Bad lines are reported with their number.

    Without ``strict`` each batch commits its good lines and bad lines are
    skipped; with ``strict`` one bad line rolls back the whole import.
    """
    report = ImportReport()
    numbered = enumerate(lines, start=1)
    with sessions() as session:
        actor = session.scalar(select(User).where(User.username == actor_username))
        if actor is None:
            raise NotFound(f"no user {actor_username!r}")
        while chunk := list(islice(numbered, batch)):
            items: list[NewEntity] = []
            numbers: list[int] = []
            for number, line in chunk:
                if not line.strip():
                    continue
                where = f"{name}:{number}"
                try:
                    data = _parse_line(line, where)
                except JointprobeError as exc:
                    report.errors.append((number, exc.message))
                    continue
                items.append(NewEntity(data, where, case_id, fictional=fictional, source=name))
                numbers.append(number)
            failed = add_entities(session, actor, items)
            report.errors += [(numbers[i], exc.message) for i, exc in failed]
            report.imported += len(items) - len(failed)
            if on_line is not None:
                on_line(chunk[-1][0])
            if strict and report.errors:
                session.rollback()
                report.errors.sort()
                return ImportReport(0, report.errors, rolled_back=True)
            session.commit()
    report.errors.sort()
    return report
