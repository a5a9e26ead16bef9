"""The screening index: every list entry's names, parsed once, behind keys in memory.

Screening a name looks up a handful of keys (the name's own ``cd:``/``cg:``
company keys or ``zh:``/``lt:`` person keys, and its distinctive words one by
one) and compares the query with the few entries behind them; no list is
scanned. The index is built from the store on first use (a few seconds for the
whole OFAC list) and rebuilt when a list changes (:func:`list_stamp`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from followthemoney import model
from normality import ascii_text
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointprobe.entities.names import name_keys
from jointprobe.entities.names.company import part_keys
from jointprobe.entities.names.company_parse import parse_company
from jointprobe.entities.names.latin import fold_latin
from jointprobe.errors import InvalidSelector
from jointprobe.screening.list_tables import ListEntry, ScreeningList
from jointprobe.screening.scripts import other_script
from jointprobe.store.tables import Entity

NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
_SCREENED = ("LegalEntity", "Vessel", "Airplane")
_CHUNK = 500
_MAX_TOKEN_POSTINGS = 200  # a word on more entries than this says too little to look up by


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    entity_id: str
    list_name: str
    schema: str
    caption: str
    names: tuple[str, ...]
    countries: frozenset[str]
    fictional: bool

    @property
    def is_person(self) -> bool:
        return self.schema == "Person"


@dataclass
class ScreeningIndex:
    """Entries by id and entry ids by key (company and person keys apart)."""

    entries: dict[str, IndexedEntry] = field(default_factory=dict)
    company: dict[str, set[str]] = field(default_factory=dict)
    person: dict[str, set[str]] = field(default_factory=dict)
    words: dict[str, set[str]] = field(default_factory=dict)  # distinctive word / name token

    def add(self, entry: IndexedEntry) -> None:
        self.entries[entry.entity_id] = entry
        for name in entry.names:
            try:
                if entry.is_person:
                    self._add_person(entry.entity_id, name)
                else:
                    self._add_company(entry.entity_id, name)
            except InvalidSelector:
                continue

    def _add_company(self, entity_id: str, name: str) -> None:
        for key in part_keys(name):
            self.company.setdefault(key, set()).add(entity_id)
        for word in parse_company(name).distinctive:
            if len(word) >= 3:
                self.words.setdefault(f"c:{word}", set()).add(entity_id)

    def _add_person(self, entity_id: str, name: str) -> None:
        for key in name_keys(name):
            self.person.setdefault(key, set()).add(entity_id)
        for token in fold_latin(name).replace(",", " ").replace("-", " ").split():
            if len(token) >= 3:
                self.words.setdefault(f"p:{token}", set()).add(entity_id)

    def word(self, key: str) -> set[str]:
        found = self.words.get(key, set())
        return found if len(found) <= _MAX_TOKEN_POSTINGS else set()


def _screened(schema: str) -> bool:
    found = model.get(schema)
    return found is not None and any(found.is_a(s) for s in _SCREENED)


def _entry(row: Entity, list_name: str) -> IndexedEntry:
    props = row.properties or {}
    written = [n for p in NAME_PROPS for n in props.get(p, []) if n.strip()]
    # aliases in Cyrillic, Arabic… (FtM lists carry them) are compared transliterated
    names = tuple(dict.fromkeys(n if other_script(n) is None else _latin(n) for n in written))
    countries = frozenset(c.lower() for p in COUNTRY_PROPS for c in props.get(p, []))
    return IndexedEntry(row.id, list_name, row.schema, row.caption, names, countries, row.fictional)


def _latin(name: str) -> str:
    return " ".join(ascii_text(name).split()) or name


def build_index(session: Session) -> ScreeningIndex:
    """Read every list entry from the store into a new index."""
    index = ScreeningIndex()
    members = session.execute(select(ListEntry.entity_id, ListEntry.list_name)).all()
    list_of = {entity_id: list_name for entity_id, list_name in sorted(members, reverse=True)}
    ids = sorted(list_of)
    for start in range(0, len(ids), _CHUNK):
        rows = session.scalars(select(Entity).where(Entity.id.in_(ids[start : start + _CHUNK])))
        for row in rows:
            if _screened(row.schema):
                index.add(_entry(row, list_of[row.id]))
    return index


def list_stamp(session: Session) -> tuple[object, ...]:
    """Changes whenever a list is imported, refreshed or added to."""
    row = session.execute(
        select(func.count(), func.max(ScreeningList.imported_at), func.sum(ScreeningList.entries))
    ).one()
    return tuple(row)


_CACHE: dict[int, tuple[tuple[object, ...], ScreeningIndex]] = {}
_LOCK = threading.Lock()


def current_index(session: Session) -> ScreeningIndex:
    """The index of the session's database, rebuilt when a list has changed."""
    engine_key = id(session.get_bind())
    stamp = list_stamp(session)
    with _LOCK:
        cached = _CACHE.get(engine_key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    index = build_index(session)
    with _LOCK:
        _CACHE[engine_key] = (stamp, index)
    return index
