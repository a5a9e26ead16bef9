"""Screen a name or a selector against the node's lists (OFAC SDN, FtM lists, watch list).

:func:`screen_name` ranks list entries by how likely they name the queried
party: company names by their distinctive words (abbreviations, word order,
legal forms, places, pinyin spacing, Wade-Giles and Chinese characters folded,
see :mod:`jointprobe.entities.names.compare_company`), people's names by their
readings across scripts (:func:`jointprobe.entities.names.compare_names`). A
country given with the query that agrees or conflicts with the entry's
countries moves the score a little, with the reason. ``match`` is the score at
the node's threshold (``screening_threshold``) unless an analyst decided the
pair before (:mod:`jointprobe.screening.decisions`): the decision wins and is
named among the reasons.

:func:`screen_selector` answers for a phone, e-mail, wallet, domain, URL,
passport or identifier: list entries holding it after normalisation (a wallet
or passport reports its holder).

Lists are public data; who may screen, and the audit of each screening, are
the caller's (:func:`screen_name_as`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.entities.names import compare_names, name_keys
from jointprobe.entities.names.company import part_keys
from jointprobe.entities.names.company_parse import MAX_NAME, parse_company
from jointprobe.entities.names.compare_company import compare_parsed
from jointprobe.entities.names.latin import fold_latin
from jointprobe.errors import Forbidden, InvalidInput, InvalidSelector
from jointprobe.resolve.hits import find_hits
from jointprobe.screening.decisions import apply_decisions, query_key
from jointprobe.screening.index import IndexedEntry, ScreeningIndex, current_index
from jointprobe.screening.list_tables import ListEntry
from jointprobe.screening.scripts import romanise
from jointprobe.store.tables import User

DEFAULT_THRESHOLD = 0.8
# the same roles as order screening (screening/order_service.py: SCREEN_ROLES)
SCREENING_ROLES = frozenset({"analyst", "chemist", "liaison", "supervisor"})
PERSON_SCHEMAS = ("Person",)
COMPANY_SCHEMAS = ("Company", "Organization", "LegalEntity", "PublicBody", "Vessel", "Airplane")
_COUNTRY_AGREES = 0.03
_COUNTRY_CONFLICTS = 0.1
_MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class ListMatch:
    list_name: str  # e.g. "ofac-sdn", "watchlist", or the FtM dataset name
    entry_id: str  # the list entry's entity id in the node store
    caption: str
    schema: str  # Person / Company / Organization / ...
    score: float  # 0..1
    match: bool  # score >= node threshold (after analyst decisions applied)
    reasons: tuple[str, ...]  # human-readable
    fictional: bool = False


def _check_query(query: str, schema: str | None, country: str | None, limit: int) -> str:
    text = query.strip()
    if not text:
        raise InvalidInput("an empty name screens nothing", code="screening.empty_name", where="q")
    if len(text) > MAX_NAME:
        raise InvalidInput(
            f"a name of {len(text)} characters is not a name (at most {MAX_NAME})",
            code="screening.name_too_long",
            where="q",
        )
    if not any(c.isalnum() for c in text):
        raise InvalidInput(
            f"{text!r} has no letters or digits to screen", code="screening.no_letters", where="q"
        )
    if schema is not None and schema not in PERSON_SCHEMAS + COMPANY_SCHEMAS:
        raise InvalidInput(
            f"schema {schema!r}: one of {', '.join(PERSON_SCHEMAS + COMPANY_SCHEMAS)}",
            code="screening.schema",
            where="schema",
        )
    if country is not None and (len(country) != 2 or not country.isalpha()):
        raise InvalidInput(
            f"country {country!r}: a two-letter ISO code", code="screening.country", where="country"
        )
    if not 1 <= limit <= _MAX_LIMIT:
        raise InvalidInput(f"limit must be 1 to {_MAX_LIMIT}", where="limit")
    return text


def _company_candidates(index: ScreeningIndex, query: str) -> set[str]:
    try:
        parsed = parse_company(query)
        keys = part_keys(query)
    except InvalidSelector:
        return set()
    found: set[str] = set()
    for key in keys:
        found |= index.company.get(key, set())
    for word in parsed.distinctive:
        found |= index.word(f"c:{word}")
    return found


def _person_candidates(index: ScreeningIndex, query: str) -> set[str]:
    try:
        keys = name_keys(query)
    except InvalidSelector:
        return set()
    found: set[str] = set()
    for key in keys:
        found |= index.person.get(key, set())
    if not found:  # a partial name (a middle name left out): entries sharing a rarer word
        for token in fold_latin(query).replace(",", " ").replace("-", " ").split():
            if len(token) >= 3:
                found |= index.word(f"p:{token}")
    return found


def _score_entry(query: str, entry: IndexedEntry) -> tuple[float, list[str]]:
    best: tuple[float, list[str]] = (0.0, [])
    for name in entry.names:
        try:
            if entry.is_person:
                found = compare_names(query, name)
                score, reasons = found.score, [f"name: {found.reason}"]
            else:
                company = compare_parsed(parse_company(query), parse_company(name))
                score = company.score
                reasons = [f"name {name!r}: {r}" if i == 0 else r for i, r in
                           enumerate(company.reasons)]  # fmt: skip
        except InvalidSelector:
            continue
        if score > best[0]:
            best = (score, reasons)
    return best


def _country(entry: IndexedEntry, country: str | None, score: float, reasons: list[str]) -> float:
    if country is None or not entry.countries:
        return score
    code = country.lower()
    if code in entry.countries:
        reasons.append(f"country agrees: {country.upper()}")
        return min(1.0, score + _COUNTRY_AGREES)
    listed = ", ".join(sorted(c.upper() for c in entry.countries))
    reasons.append(f"country conflicts: {country.upper()} vs {listed}")
    return max(0.0, score - _COUNTRY_CONFLICTS)


def rank(
    index: ScreeningIndex,
    query: str,
    *,
    schema: str | None = None,
    country: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 10,
) -> list[ListMatch]:
    """Score the index's candidates for ``query`` (no store access: the benchmark's path)."""
    ids: set[str] = set()
    if schema is None or schema in COMPANY_SCHEMAS:
        ids |= _company_candidates(index, query)
    if schema is None or schema in PERSON_SCHEMAS:
        ids |= _person_candidates(index, query)
    out: list[ListMatch] = []
    for entity_id in ids:
        entry = index.entries[entity_id]
        if schema in PERSON_SCHEMAS and not entry.is_person:
            continue
        if schema in COMPANY_SCHEMAS and entry.is_person:
            continue
        score, reasons = _score_entry(query, entry)
        score = round(_country(entry, country, score, reasons), 3)
        out.append(ListMatch(entry.list_name, entity_id, entry.caption, entry.schema, score,
                             score >= threshold, tuple(reasons), entry.fictional))  # fmt: skip
    out.sort(key=lambda m: (-m.score, m.entry_id))
    return out[:limit]


def screen_name(
    session: Session,
    query: str,
    *,
    schema: str | None = None,
    country: str | None = None,
    limit: int = 10,
    threshold: float | None = None,
) -> list[ListMatch]:
    """List entries that may name ``query``, best first, with analysts' decisions applied.

    A name in a script other than Latin or Chinese is transliterated first (the
    reasons say so)."""
    text, transliterated = romanise(_check_query(query, schema, country, limit))
    found = rank(current_index(session), text, schema=schema, country=country, limit=limit,
                 threshold=DEFAULT_THRESHOLD if threshold is None else threshold)  # fmt: skip
    if transliterated:
        found = [replace(m, reasons=(transliterated, *m.reasons)) for m in found]
    return apply_decisions(session, query_key(text), found)


def screen_selector(session: Session, kind: str, value: str) -> list[ListMatch]:
    """List entries holding the phone, e-mail, wallet, domain, URL, passport or id ``value``."""
    if not value.strip():
        raise InvalidInput("an empty selector screens nothing", code="screening.empty_selector")
    if len(value) > 500:
        raise InvalidInput("a selector longer than 500 characters", code="screening.too_long")
    if kind == "name":
        raise InvalidInput("screen a name with screen_name", code="screening.kind")
    hits = find_hits(session, None, value, kind=kind, limit=_MAX_LIMIT)
    ids = [h.entity_id for h in hits]
    lists = dict(
        session.execute(
            select(ListEntry.entity_id, ListEntry.list_name).where(ListEntry.entity_id.in_(ids))
        ).all()
    ) if ids else {}  # fmt: skip
    return [
        ListMatch(
            lists[h.entity_id],
            h.entity_id,
            h.caption,
            h.schema,
            h.score,
            True,
            (h.reason,),
            h.fictional,
        )  # fmt: skip
        for h in hits
        if h.entity_id in lists and h.case_id is None
    ]


def check_screener(actor: User) -> None:
    """Screening queries show what the node is looking into: only these roles may run them."""
    if actor.role not in SCREENING_ROLES:
        raise Forbidden(
            f"{actor.username} ({actor.role}) may not screen: screening is for "
            f"{', '.join(sorted(SCREENING_ROLES))} (use --as)"
        )


def screen_selector_as(session: Session, actor: User, kind: str, value: str) -> list[ListMatch]:
    """:func:`screen_selector` for a user who may screen; the screening is audited."""
    check_screener(actor)
    found = screen_selector(session, kind, value)
    record(session, actor.username, "screen", "screening_selector", kind,
           {"value": value.strip(), "matches": [m.entry_id for m in found]})  # fmt: skip
    return found


def screen_name_as(
    session: Session,
    actor: User,
    query: str,
    *,
    schema: str | None = None,
    country: str | None = None,
    limit: int = 10,
    threshold: float | None = None,
) -> list[ListMatch]:
    """:func:`screen_name` for a user who may screen; the screening is audited."""
    check_screener(actor)
    found = screen_name(session, query, schema=schema, country=country, limit=limit,
                        threshold=threshold)  # fmt: skip
    record(session, actor.username, "screen", "screening_name", query_key(query.strip())[:128],
           {"query": query.strip(), "schema": schema, "country": country,
            "matches": [m.entry_id for m in found if m.match]})  # fmt: skip
    return found
