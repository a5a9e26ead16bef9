"""Screening lists: import and refresh a list file, the node's own watch list, list facts.

A re-import is a refresh: entries whose data changed are rewritten, entries no
longer in the file are removed (with their selectors and edges), new ones are
added, unchanged ones are left alone; the whole refresh is one transaction, so
a failure leaves the list as it was. Entries are public entities (``TLP:CLEAR``,
no case). An entity id already held by a case, or by another list, is refused
for that entity and reported; the rest of the list is imported.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from jointprobe.audit import record
from jointprobe.entities import NewEntity, add_entities
from jointprobe.errors import Forbidden, InvalidInput, NotFound
from jointprobe.screening.list_files import read_list
from jointprobe.screening.list_tables import ListEntry, ScreeningList
from jointprobe.store.tables import Edge, Entity, Selector, User
from jointprobe.timeutil import utcnow

LIST_ADMIN_ROLES = frozenset({"admin", "supervisor"})
WATCHLIST = "watchlist"
#: The name ``import ofac-sdn`` registers the OFAC SDN list under.
OFAC_LIST = "ofac-sdn"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_CHUNK = 500


@dataclass
class ListImportReport:
    name: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


def check_list_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidInput(
            f"list name {name!r}: lower-case letters, digits and '-', at most 48", where="name"
        )
    return name


def _digest(proxy: EntityProxy) -> str:
    data = json.dumps(proxy.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _account(session: Session, username: str) -> User:
    actor = session.scalar(select(User).where(User.username == username))
    if actor is None:
        raise NotFound(f"no user {username!r}")
    return actor


def may_change_lists(session: Session, username: str) -> bool:
    """Whether ``username`` may import, refresh or add to screening lists."""
    return _account(session, username).role in LIST_ADMIN_ROLES


def _user(session: Session, username: str) -> User:
    actor = _account(session, username)
    if not may_change_lists(session, username):
        raise Forbidden(f"{username} ({actor.role}) may not change screening lists")
    return actor


def remove_entities(session: Session, ids: Sequence[str]) -> None:
    """Delete entities with their selectors and edges (list entries only)."""
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        session.execute(delete(Selector).where(Selector.entity_id.in_(chunk)))
        session.execute(delete(Edge).where(Edge.relation_id.in_(chunk)))
        session.execute(delete(Entity).where(Entity.id.in_(chunk)))


def _owners(session: Session, ids: Sequence[str], name: str) -> dict[str, str]:
    """Ids among ``ids`` held by a case or by another list: id -> who holds it."""
    owners: dict[str, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        for entity_id, case_id in session.execute(
            select(Entity.id, Entity.case_id).where(
                Entity.id.in_(chunk), Entity.case_id.is_not(None)
            )
        ):
            owners[entity_id] = f"case {case_id}"
        for entity_id, other in session.execute(
            select(ListEntry.entity_id, ListEntry.list_name).where(
                ListEntry.entity_id.in_(chunk), ListEntry.list_name != name
            )
        ):
            owners[entity_id] = f"list {other}"
    return owners


def _existing_unlisted(session: Session, ids: Sequence[str]) -> list[str]:
    """Ids already stored without a list (an earlier ``import ofac-sdn``): replaced."""
    found: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        found += session.scalars(
            select(Entity.id).where(Entity.id.in_(chunk), Entity.case_id.is_(None))
        ).all()
    return found


def _entry_changes(
    session: Session, name: str, wanted: dict[str, tuple[EntityProxy, str]]
) -> tuple[dict[str, str], list[str], list[str]]:
    """(old id -> digest, ids whose data changed, ids no longer listed)."""
    old = dict(
        session.execute(
            select(ListEntry.entity_id, ListEntry.digest).where(ListEntry.list_name == name)
        ).all()
    )
    changed = [i for i, (_, d) in wanted.items() if i in old and old[i] != d]
    gone = [i for i in old if i not in wanted]
    return old, changed, gone


def apply_entities(
    session: Session,
    actor: User,
    name: str,
    entities: Sequence[EntityProxy],
    source: str,
    report: ListImportReport,
) -> int:
    """Bring list ``name``'s entries to exactly ``entities``; return how many it now holds."""
    wanted = {str(p.id): (p, _digest(p)) for p in entities}
    old, changed, gone = _entry_changes(session, name, wanted)
    for entity_id, owner in sorted(
        _owners(session, [i for i in wanted if i not in old], name).items()
    ):
        report.errors.append((entity_id, f"id already held by {owner}; entry left out"))
        del wanted[entity_id]
    stray = _existing_unlisted(session, [i for i in wanted if i not in old])
    remove_entities(session, changed + gone + stray)
    to_write = [i for i in wanted if i not in old or i in changed]
    items = [NewEntity(wanted[i][0], where=i, tlp="CLEAR", source=source) for i in to_write]
    refused: set[str] = set()
    for index, exc in add_entities(session, actor, items):
        refused.add(to_write[index])
        report.errors.append((to_write[index], exc.message))
    dropped = gone + [i for i in refused if i in old]
    for start in range(0, len(dropped), _CHUNK):
        chunk = dropped[start : start + _CHUNK]
        session.execute(
            delete(ListEntry).where(ListEntry.list_name == name, ListEntry.entity_id.in_(chunk))
        )
    for entity_id in to_write:
        if entity_id in refused:
            continue
        if entity_id in old:
            entry = session.get(ListEntry, (name, entity_id))
            if entry is not None:
                entry.digest = wanted[entity_id][1]
        else:
            session.add(ListEntry(list_name=name, entity_id=entity_id, digest=wanted[entity_id][1]))
    report.added = sum(1 for i in to_write if i not in old and i not in refused)
    report.updated = sum(1 for i in changed if i not in refused)
    report.removed = len(gone)
    report.unchanged = len(wanted) - len(to_write)
    return len(wanted) - len(refused)


def _list_date(path: Path, given: date | None) -> date | None:
    if given is not None:
        return given
    found = _DATE_IN_NAME.search(path.name)
    return date.fromisoformat(found.group(1)) if found else None


def _save_list(
    session: Session, name: str, fmt: str, source: str, when: date | None, actor: User
) -> ScreeningList:
    row = session.get(ScreeningList, name)
    if row is None:
        row = ScreeningList(name=name, format=fmt)
        session.add(row)
    elif row.format != fmt:
        raise InvalidInput(f"list {name!r} is a {row.format} list; it cannot be refreshed as {fmt}")
    row.source, row.list_date, row.imported_at = source, when, utcnow()
    row.imported_by = actor.username
    return row


def import_list(
    sessions: sessionmaker[Session],
    actor_username: str,
    path: Path,
    *,
    name: str,
    fmt: str,
    list_date: date | None = None,
    on_entity: Callable[[int], None] | None = None,
) -> ListImportReport:
    """Import or refresh list ``name`` from ``path`` (see the module docstring).

    The list's date is ``list_date``, else a ``YYYY-MM-DD`` in the file name.
    """
    check_list_name(name)
    if name == WATCHLIST:
        raise InvalidInput(f"{WATCHLIST!r} is the node's own list: add entries one by one")
    read = read_list(path, name, fmt, on_entity)
    report = ListImportReport(name=name, rows=read.rows, errors=list(read.errors))
    source = f"{name} list ({path.name})"
    with sessions() as session:
        actor = _user(session, actor_username)
        existing = session.get(ScreeningList, name)
        if existing is not None and existing.format != fmt:
            raise InvalidInput(f"list {name!r} is a {existing.format} list, not {fmt}")
        row = _save_list(session, name, fmt, source, _list_date(path, list_date), actor)
        session.flush()  # the list row first: its entries refer to it
        row.entries = apply_entities(session, actor, name, read.entities, source, report)
        record(session, actor.username, "import", "screening_list", name,
               {"file": path.name, "added": report.added, "updated": report.updated,
                "removed": report.removed, "errors": len(report.errors)})  # fmt: skip
        session.commit()
    return report


def add_watch_entry(
    session: Session,
    actor: User,
    name: str,
    *,
    schema: str = "LegalEntity",
    country: str | None = None,
    reason: str = "",
) -> str:
    """Put a party on the node's own watch list; return its entity id."""
    if actor.role not in LIST_ADMIN_ROLES | {"analyst"}:
        raise Forbidden(f"{actor.username} ({actor.role}) may not add to the watch list")
    if schema not in ("Person", "Company", "Organization", "LegalEntity", "Vessel"):
        raise InvalidInput(
            f"schema {schema!r}: Person, Company, Organization, LegalEntity or Vessel"
        )
    if not name.strip() or len(name) > 300:
        raise InvalidInput("a watch-list name must have 1 to 300 characters", where="name")
    proxy = model.make_entity(schema)
    key = f"{schema}|{name.strip().casefold()}|{(country or '').lower()}"
    proxy.id = f"{WATCHLIST}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"
    proxy.add("name", name.strip())
    if country:
        proxy.add("country", country.lower())
    if reason:
        proxy.add("notes", reason)
    if session.get(ListEntry, (WATCHLIST, proxy.id)) is not None:
        raise InvalidInput(f"{name!r} is already on the watch list ({proxy.id})")
    if session.get(ScreeningList, WATCHLIST) is None:
        session.add(ScreeningList(name=WATCHLIST, format="watchlist", source="this node",
                                  imported_by=actor.username, entries=0))  # fmt: skip
        session.flush()
    for _, exc in add_entities(
        session,
        actor,
        [NewEntity(proxy, where=proxy.id, tlp="CLEAR", source="watch list of this node")],
    ):
        raise exc  # fmt: skip
    session.add(ListEntry(list_name=WATCHLIST, entity_id=str(proxy.id), digest=_digest(proxy)))
    row = session.get(ScreeningList, WATCHLIST)
    assert row is not None
    row.entries += 1
    row.imported_at = utcnow()
    record(
        session, actor.username, "add", "watchlist", str(proxy.id), {"name": name, "reason": reason}
    )
    return str(proxy.id)


def lists(session: Session) -> list[ScreeningList]:
    """Every list with its format, source, date and entry count."""
    return list(session.scalars(select(ScreeningList).order_by(ScreeningList.name)))
