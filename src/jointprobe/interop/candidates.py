"""What an import file becomes before it is written: FtM entities with their TLP.

STIX and MISP readers both build :class:`Subjects`: people and organisations
with the selectors attached to them, links between them, and selectors that
belong to no one (each becomes an entity of its own: a wallet a CryptoWallet,
anything else a LegalEntity named by the selector). The TLP of an entity is
the strictest of everything that went into it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from jointprobe.exchange.markings import Tlp
from jointprobe.interop.tlp import strictest

#: Which FtM property of a person or organisation holds a selector of each kind.
PROPERTY_OF_KIND = {"phone": "phone", "email": "email", "url": "website", "domain": "website"}


@dataclass
class Subject:
    """A person, organisation or link to write, with its TLP and where it came from."""

    key: str  # the id in the file (STIX id, MISP uuid)
    schema: str
    tlp: Tlp
    where: str
    properties: dict[str, list[str]] = field(default_factory=dict)

    def add(self, prop: str, value: str, tlp: Tlp | None = None) -> None:
        values = self.properties.setdefault(prop, [])
        if value not in values:
            values.append(value)
        if tlp is not None:
            self.tlp = strictest([self.tlp, tlp]) or tlp


@dataclass(frozen=True)
class Candidate:
    data: dict[str, Any]
    tlp: Tlp
    where: str


class Subjects:
    """Everything a file says, keyed by its own ids, turned into FtM entity dicts."""

    def __init__(self, prefix: str, case_id: str) -> None:
        self.prefix = prefix
        self.case_id = case_id
        self.items: dict[str, Subject] = {}

    def entity_id(self, key: str) -> str:
        """Our id for the file's ``key`` in this case: the same file twice is the same ids."""
        digest = hashlib.sha256(f"{self.prefix}|{self.case_id}|{key}".encode()).hexdigest()
        return f"{self.prefix}-{digest[:32]}"

    def subject(self, key: str, schema: str, tlp: Tlp, where: str) -> Subject:
        found = self.items.get(key)
        if found is None:
            found = self.items[key] = Subject(key, schema, tlp, where)
        return found

    def attach(self, owner: Subject, kind: str, value: str, tlp: Tlp, where: str) -> None:
        """Selector ``(kind, value)`` of ``owner``: a wallet is its own entity held by it."""
        if kind == "wallet":
            wallet = self.subject(f"{owner.key}|wallet|{value}", "CryptoWallet", tlp, where)
            wallet.add("publicKey", value, tlp)
            wallet.add("holder", self.entity_id(owner.key))
            return
        owner.add(PROPERTY_OF_KIND[kind], _as_property(kind, value), tlp)

    def loose(self, key: str, kind: str, value: str, tlp: Tlp, where: str) -> None:
        """A selector that belongs to no one in the file."""
        if kind == "wallet":
            self.subject(key, "CryptoWallet", tlp, where).add("publicKey", value, tlp)
            return
        holder = self.subject(key, "LegalEntity", tlp, where)
        holder.add("name", f"holder of {value}")
        holder.add(PROPERTY_OF_KIND[kind], _as_property(kind, value), tlp)

    def link(self, key: str, one: str, two: str, role: str, tlp: Tlp, where: str) -> None:
        """An ``UnknownLink`` between two subjects of the file."""
        link = self.subject(key, "UnknownLink", tlp, where)
        link.add("subject", self.entity_id(one))
        link.add("object", self.entity_id(two))
        link.add("role", role)

    def candidates(self) -> list[Candidate]:
        return [
            Candidate(
                {"id": self.entity_id(s.key), "schema": s.schema, "properties": s.properties},
                s.tlp,
                s.where,
            )
            for s in self.items.values()
        ]


def _as_property(kind: str, value: str) -> str:
    """A domain is kept as a web address (FtM has no domain property)."""
    return f"https://{value}" if kind == "domain" and "://" not in value else value


__all__ = ["Candidate", "Subject", "Subjects"]
