"""A case's (or an expansion's) releasable part as a STIX 2.1 bundle (the ``stix2`` library).

=========================================== ==========================================
jointprobe                                  STIX 2.1
=========================================== ==========================================
the exporting node                          ``identity`` (organization), every
                                            object's ``created_by_ref``
Person                                      ``identity``, ``identity_class: individual``
Organization, Company, PublicBody, LegalEntity ``identity``, ``identity_class: organization``
selector phone/email/domain/url/wallet      ``indicator`` with a STIX pattern
                                            (``stix_patterns``), ``related-to`` its entity
edge (Ownership, CryptoWallet.holder, …)    ``relationship`` ``related-to``, the FtM
                                            schema in its description
item's TLP (own stricter by case's)         the TLP 2.0 ``marking-definition`` in
                                            ``object_marking_refs``
handling beyond TLP (intelligence only,     a ``statement`` ``marking-definition``
originator, onward consent, expiry)         with the item's banner, in
                                            ``object_marking_refs`` (``stix_handling``)
entity id, schema                           ``external_references`` (source ``jointprobe``)
=========================================== ==========================================

Ids are UUIDv4-shaped digests of the node and the entity (and selector), so that exporting a
case twice gives the same ids and a partner's store updates rather than duplicates.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import stix2

from jointprobe.exchange.markings import Marking, Tlp
from jointprobe.interop.release import Release, Released
from jointprobe.interop.stix_handling import handling_statement, statement_id, statement_marking
from jointprobe.interop.stix_patterns import pattern_for
from jointprobe.interop.tlp import TLP2_IDS, tlp2_marking
from jointprobe.store.tables import NodeIdentity
from jointprobe.timeutil import as_utc

#: Our namespace for UUIDv5 ids of exported objects.
NAMESPACE = uuid.UUID("6f1d3f3e-5c7a-5b1e-9a39-6a6f696e7470")
ORGANISATIONS = ("Organization", "Company", "PublicBody", "LegalEntity")
KIND_NAMES = {"phone": "Phone", "email": "E-mail", "domain": "Domain", "url": "URL",
              "wallet": "Crypto wallet"}  # fmt: skip


def _id(kind: str, *parts: str) -> str:
    """A stable id: STIX 2.1 wants UUIDv4 for these objects, so the version-4 form of
    a digest of our namespace, the node and the item (same item, same id on re-export)."""
    digest = hashlib.sha256(NAMESPACE.bytes + "|".join(parts).encode()).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"


def _identity_class(schema: str) -> str | None:
    if schema == "Person":
        return "individual"
    return "organization" if schema in ORGANISATIONS else None


class _Builder:
    def __init__(self, node: NodeIdentity, release: Release) -> None:
        self.node = node
        self.release = release
        self.creator = _id("identity", node.id)
        self.tlps: set[Tlp] = {Tlp.CLEAR}  # the node's own identity is CLEAR
        self.statements: set[str] = set()  # handling statements used
        self.anchors: dict[str, list[tuple[str, Marking]]] = {}  # entity -> its STIX ids

    def _common(
        self, marking: Marking | None, created: datetime, modified: datetime
    ) -> dict[str, Any]:
        """Creator, markings and times; ``marking`` ``None``: the node itself (CLEAR)."""
        tlp = Tlp.CLEAR if marking is None else marking.tlp
        self.tlps.add(tlp)
        refs = [TLP2_IDS[tlp]]
        statement = None if marking is None else handling_statement(marking, holder=self.node.id)
        if statement is not None:
            self.statements.add(statement)
            refs.append(statement_id(statement))
        return {
            "created_by_ref": self.creator,
            "object_marking_refs": refs,
            "created": as_utc(created),
            "modified": max(as_utc(modified), as_utc(created)),
        }

    def node_identity(self) -> stix2.Identity:
        return stix2.Identity(
            id=self.creator,
            name=self.node.name,
            description=f"jointprobe node {self.node.id} ({self.node.country})",
            identity_class="organization",
            **self._common(None, self.node.created_at, self.node.created_at),
        )

    def entity(self, item: Released) -> Iterator[Any]:
        row, marking = item.entity, item.marking
        reference = {"source_name": "jointprobe", "external_id": row.id,
                     "description": f"FollowTheMoney {row.schema}"}  # fmt: skip
        label = " (FICTIONAL)" if row.fictional and "FICTIONAL" not in row.caption else ""
        identity_class = _identity_class(row.schema)
        where = f" in case {row.case_id}" if row.case_id else ""  # its own case, in an expansion
        anchors = self.anchors.setdefault(row.id, [])
        identity_id = None
        if identity_class is not None:
            identity_id = _id("identity", self.node.id, row.id)
            anchors.append((identity_id, marking))
            yield stix2.Identity(
                id=identity_id,
                name=(row.caption or row.id) + label,
                description=f"{row.schema}{where}{label}",
                identity_class=identity_class,
                external_references=[reference],
                **self._common(marking, row.created_at, row.updated_at),
            )
        for kind, value in self.release.selectors.get(row.id, []):
            indicator_id = _id("indicator", self.node.id, row.id, kind, value)
            if identity_id is None:
                anchors.append((indicator_id, marking))
            yield stix2.Indicator(
                id=indicator_id,
                name=f"{KIND_NAMES[kind]} {value}{label}",
                description=f"{KIND_NAMES[kind]} of {row.schema} {row.caption or row.id}{label}",
                indicator_types=["attribution"],
                pattern=pattern_for(kind, value),
                pattern_type="stix",
                valid_from=as_utc(row.created_at),
                external_references=[reference],
                **self._common(marking, row.created_at, row.updated_at),
            )
            if identity_id is not None:
                yield self._relation(indicator_id, identity_id, marking, f"{kind} selector of", row)

    def _relation(
        self, source: str, target: str, marking: Marking, what: str, row: Any, key: str = ""
    ) -> stix2.Relationship:
        return stix2.Relationship(
            id=_id("relationship", self.node.id, source, target, key),
            relationship_type="related-to",
            source_ref=source,
            target_ref=target,
            description=f"{what} {row.caption or row.id}",
            **self._common(marking, row.created_at, row.updated_at),
        )

    def edges(self) -> Iterator[stix2.Relationship]:
        for edge in self.release.edges:
            relation = self.release.entities[edge.relation_id]
            for source, source_marking in self.anchors.get(edge.source_id, []):
                for target, target_marking in self.anchors.get(edge.target_id, []):
                    # the strictest TLP and handling of the relation and its two ends
                    marking = relation.marking.stricter(source_marking).stricter(target_marking)
                    key = f"{edge.schema}|{edge.relation_id}"
                    yield self._relation(
                        source, target, marking, f"{edge.schema}:", relation.entity, key
                    )


def build_bundle(node: NodeIdentity, release: Release) -> tuple[stix2.Bundle, int]:
    """The bundle and how many entities it represents (others have no STIX form here)."""
    builder = _Builder(node, release)
    objects: list[Any] = [builder.node_identity()]
    shown = 0
    for item in release.entities.values():
        made = list(builder.entity(item))
        shown += bool(made)
        objects += made
    objects += list(builder.edges())
    objects = list({obj.id: obj for obj in objects}.values())  # one edge may repeat (both ways)
    markings: list[Any] = [
        stix2.parse(tlp2_marking(tlp)) for tlp in sorted(builder.tlps, key=lambda t: t.rank)
    ]
    markings += [
        statement_marking(text, created_by=builder.creator, created=node.created_at)
        for text in sorted(builder.statements)
    ]
    return stix2.Bundle(objects=markings + objects), shown


__all__ = ["build_bundle"]
