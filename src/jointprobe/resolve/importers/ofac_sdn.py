"""OFAC's legacy ``sdn.csv`` → FollowTheMoney entities.

One row gives the listed party (Person, Organization, Vessel or Airplane)
with its aliases, e-mails, websites, birth dates and documents, plus a
``Sanction`` per program, a ``CryptoWallet`` per digital currency address
and a ``Passport`` per passport, each pointing back at the party. ``Linked
To:`` remarks become ``UnknownLink`` relations once the whole file is read.
The file is streamed; only the name → id map for links is kept in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from hashlib import sha1
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy

from jointprobe.errors import InvalidInput
from jointprobe.resolve.importers.ofac_remarks import Remark, parse_remarks

AUTHORITY = "US Department of the Treasury, Office of Foreign Assets Control"
_SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
_COLUMNS = 12
_SIMPLE_PROPS = {
    "alias": "alias",
    "previous_name": "previousName",
    "email": "email",
    "website": "website",
    "phone": "phone",
    "birth_date": "birthDate",
    "birth_place": "birthPlace",
    "nationality": "nationality",
    "citizenship": "citizenship",
    "gender": "gender",
    "national_id": "idNumber",
    "registration": "registrationNumber",
    "tax_id": "taxNumber",
    "vat": "vatCode",
    "license": "licenseNumber",
    "ssn": "socialSecurityNumber",
    "imo": "imoNumber",
    "mmsi": "mmsi",
    "lei": "leiCode",
    "duns": "dunsCode",
    "swift": "swiftBic",
    "bik": "bikCode",
    "note": "notes",
}


@dataclass
class SdnReport:
    """What an OFAC parse produced and what it could not use."""

    rows: int = 0
    entities: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _empty(value: str) -> bool:
    return value.strip() in ("", "-0-")


def _child_id(parent: str, kind: str, value: str) -> str:
    return f"{parent}-{kind}-{sha1(value.encode()).hexdigest()[:10]}"


# An identifier the party's schema has no property for is kept under these, in order.
_ID_FALLBACK = ("idNumber", "registrationNumber")
_ID_KINDS = frozenset(
    "national_id registration tax_id vat license ssn imo mmsi lei duns swift bik".split()
)


def _add(proxy: EntityProxy, prop: str, value: str) -> None:
    if proxy.schema.get(prop) is not None:
        proxy.add(prop, value, quiet=True)


def _add_fact(proxy: EntityProxy, kind: str, value: str) -> None:
    prop = _SIMPLE_PROPS[kind]
    if proxy.schema.get(prop) is None and kind in _ID_KINDS:
        prop = next((p for p in _ID_FALLBACK if proxy.schema.get(p) is not None), prop)
    _add(proxy, prop, value)


def _party(row: list[str]) -> EntityProxy:
    ent_num, name, sdn_type, _programs, title = (c.strip() for c in row[:5])
    proxy = model.make_entity(_SCHEMAS.get(sdn_type.lower(), "Organization"))
    proxy.id = f"ofac-sdn-{ent_num}"
    proxy.add("name", name)
    proxy.add("topics", "sanction")
    if not _empty(title):
        _add(proxy, "position", title)
    if sdn_type.lower() == "vessel":
        for index, prop in ((5, "callSign"), (6, "type"), (9, "flag"), (10, "pastOwners")):
            if not _empty(row[index]):
                _add(proxy, prop, row[index].strip())
    return proxy


def _documents(party: EntityProxy, fact: Remark) -> Iterator[EntityProxy]:
    assert party.id is not None
    if fact.kind == "wallet":
        wallet = model.make_entity("CryptoWallet")
        wallet.id = _child_id(party.id, "wallet", fact.value)
        wallet.add("publicKey", fact.value)
        wallet.add("currency", fact.get("currency") or "")
        wallet.add("holder", party.id)
        yield wallet
    elif fact.kind == "passport":
        _add(party, "passportNumber", fact.value)
        passport = model.make_entity("Passport")
        passport.id = _child_id(party.id, "passport", f"{fact.value}/{fact.get('country')}")
        passport.add("number", fact.value)
        passport.add("passportNumber", fact.value)
        passport.add("country", fact.get("country") or "", quiet=True)
        passport.add("startDate", fact.get("issued") or "", quiet=True)
        passport.add("endDate", fact.get("expires") or "", quiet=True)
        passport.add("holder", party.id)
        yield passport


def row_to_entities(row: list[str]) -> tuple[list[EntityProxy], list[str]]:
    """Entities of one ``sdn.csv`` row, and the names it is ``Linked To``."""
    party = _party(row)
    assert party.id is not None
    out: list[EntityProxy] = []
    links: list[str] = []
    for fact in parse_remarks(row[11]):
        if fact.kind == "linked_to":
            links.append(fact.value)
        elif fact.kind in ("wallet", "passport"):
            out.extend(_documents(party, fact))
        elif fact.kind in _SIMPLE_PROPS:
            _add_fact(party, fact.kind, fact.value)
    for program in row[3].replace("] [", ";").strip("[] ").split(";"):
        if program.strip() and not _empty(program):
            sanction = model.make_entity("Sanction")
            sanction.id = _child_id(party.id, "sanction", program.strip())
            sanction.add("entity", party.id)
            sanction.add("authority", AUTHORITY)
            sanction.add("program", program.strip())
            sanction.add("sourceUrl", "https://sanctionslist.ofac.treas.gov/")
            out.append(sanction)
    return [party, *out], links


def parse_sdn(path: Path, report: SdnReport | None = None) -> Iterator[EntityProxy]:
    """Stream the entities of an OFAC ``sdn.csv`` file (links come last)."""
    report = report if report is not None else SdnReport()
    ids_by_name: dict[str, str] = {}
    pending: list[tuple[str, str]] = []
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", where=str(path)) from exc
    with handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if len(row) == 1 and row[0].strip() in ("", "\x1a"):
                continue
            if len(row) != _COLUMNS:
                report.skipped.append((number, f"expected {_COLUMNS} columns, found {len(row)}"))
                continue
            report.rows += 1
            entities, links = row_to_entities(row)
            party_id = entities[0].id
            assert party_id is not None
            ids_by_name[row[1].strip().upper()] = party_id
            pending.extend((party_id, name) for name in links)
            report.entities += len(entities)
            yield from entities
    for source, name in pending:
        target = ids_by_name.get(name.upper())
        if target is None:
            continue
        link = model.make_entity("UnknownLink")
        link.id = _child_id(source, "link", target)
        link.add("subject", source)
        link.add("object", target)
        link.add("role", "Linked To (OFAC)")
        report.entities += 1
        yield link
