"""Read a STIX 2.1 bundle (as OpenCTI, MISP and jointprobe publish them) into :class:`Subjects`.

============================================== ==========================================
STIX 2.1                                       jointprobe (FtM)
============================================== ==========================================
``identity`` ``individual``                    Person (``name``, ``description`` → notes)
``identity`` other classes                     Organization
``indicator`` (``pattern_type: stix``)         a selector per ``type:value = '…'`` comparison
                                               of email-addr, domain-name, url, phone-number,
                                               cryptocurrency-wallet (``stix_patterns``)
observables of those types (``value``)         the same selectors
``relationship`` indicator/observable–identity the selector on the Person/Organization
``relationship`` identity–identity             UnknownLink, ``role`` = relationship type
a selector related to no identity              CryptoWallet (wallets), else LegalEntity
``object_marking_refs`` TLP 1.0 / 2.0          the strictest TLP; none known → default
anything else (malware, reports, …)            counted as skipped
============================================== ==========================================
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import stix2
from stix2.exceptions import STIXError

from jointprobe.exchange.markings import Tlp
from jointprobe.interop.candidates import Subject, Subjects
from jointprobe.interop.errors import InvalidInteropFile
from jointprobe.interop.stix_patterns import TYPE_TO_KIND, selectors_in
from jointprobe.interop.tlp import DEFAULT_IMPORT_TLP, KNOWN_IDS, stix_marking_tlp, strictest

IDENTITY_SCHEMA = {"individual": "Person"}


def check_bundle(data: Any) -> list[dict[str, Any]]:
    """The bundle's objects, read strictly by the ``stix2`` library; raise what is wrong."""
    if not isinstance(data, dict) or data.get("type") != "bundle":
        raise InvalidInteropFile('not a STIX bundle (a JSON object with "type": "bundle")')
    objects = data.get("objects", [])
    if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
        raise InvalidInteropFile("a bundle's objects must be a list of JSON objects")
    for index, obj in enumerate(objects):
        where = str(obj.get("id") or f"objects[{index}]")
        kind, ident = obj.get("type"), obj.get("id")
        if not isinstance(kind, str) or not isinstance(ident, str):
            raise InvalidInteropFile("every object needs a text type and id", where=where)
        if not ident.startswith(f"{kind}--"):
            raise InvalidInteropFile(f"an id of a {kind} starts with '{kind}--'", where=where)
        if obj.get("spec_version", "2.1") != "2.1":
            raise InvalidInteropFile("only STIX 2.1 objects are read", where=where)
        try:
            stix2.parse(obj, allow_custom=True, version="2.1")
        except (STIXError, ValueError, TypeError, KeyError) as exc:
            raise InvalidInteropFile(f"invalid STIX 2.1 object: {exc}", where=where) from None
    return objects


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


class _Reader:
    def __init__(self, objects: list[dict[str, Any]], subjects: Subjects) -> None:
        self.by_id = {str(o.get("id")): o for o in objects}
        self.subjects = subjects
        self.skipped: Counter[str] = Counter()
        self.markings = dict(KNOWN_IDS)
        for obj in objects:
            if obj.get("type") == "marking-definition":
                tlp = stix_marking_tlp(obj)
                if tlp is not None:
                    self.markings[str(obj["id"])] = tlp

    def tlp(self, obj: dict[str, Any]) -> Tlp:
        refs = _list(obj.get("object_marking_refs"))
        refs += [g.get("marking_ref") for g in _list(obj.get("granular_markings"))
                 if isinstance(g, dict)]  # fmt: skip
        known = (self.markings[r] for r in refs if isinstance(r, str) and r in self.markings)
        return strictest(known) or DEFAULT_IMPORT_TLP

    def selectors(self, obj: dict[str, Any]) -> list[tuple[str, str]]:
        kind = TYPE_TO_KIND.get(str(obj.get("type")))
        if kind is not None and isinstance(obj.get("value"), str):
            return [(kind, obj["value"])]
        if obj.get("type") == "indicator" and obj.get("pattern_type") == "stix":
            try:
                return selectors_in(str(obj["pattern"]))
            except Exception as exc:  # noqa: BLE001 - the pattern library's own errors
                raise InvalidInteropFile(
                    f"pattern does not parse: {exc}", where=obj["id"]
                ) from None
        return []

    def identity(self, obj: dict[str, Any]) -> Subject:
        schema = IDENTITY_SCHEMA.get(str(obj.get("identity_class")), "Organization")
        subject = self.subjects.subject(obj["id"], schema, self.tlp(obj), obj["id"])
        subject.add("name", str(obj.get("name", "")))
        if obj.get("description"):
            subject.add("notes", str(obj["description"]))
        return subject

    def read(self) -> Counter[str]:
        created_by = {str(o.get("created_by_ref")) for o in self.by_id.values()}
        identities: dict[str, Subject] = {}
        for obj in self.by_id.values():
            if obj.get("type") == "identity" and obj["id"] not in created_by:
                identities[obj["id"]] = self.identity(obj)
        attached: set[str] = set()
        for rel in self.by_id.values():
            if rel.get("type") == "relationship":
                attached |= self._relationship(rel, identities)
        for obj in self.by_id.values():
            kind = obj.get("type")
            if kind in ("identity", "relationship", "marking-definition", "extension-definition"):
                continue
            found = self.selectors(obj)
            if not found:
                self.skipped[str(kind)] += 1
            elif obj["id"] not in attached:
                for number, (sel_kind, value) in enumerate(found):
                    key = f"{obj['id']}|{number}"
                    self.subjects.loose(key, sel_kind, value, self.tlp(obj), obj["id"])
        return self.skipped

    def _relationship(self, rel: dict[str, Any], identities: dict[str, Subject]) -> set[str]:
        source, target = rel.get("source_ref"), rel.get("target_ref")
        tlp = self.tlp(rel)
        if source in identities and target in identities:
            role = str(rel.get("relationship_type", "related-to"))
            self.subjects.link(rel["id"], str(source), str(target), role, tlp, rel["id"])
            return set()
        for one, two in ((source, target), (target, source)):
            owner, other = identities.get(str(one)), self.by_id.get(str(two))
            if owner is None or other is None:
                continue
            found = self.selectors(other)
            for kind, value in found:
                both = strictest([tlp, self.tlp(other)]) or tlp
                self.subjects.attach(owner, kind, value, both, str(other["id"]))
            return {str(other["id"])} if found else set()
        self.skipped["relationship"] += 1
        return set()


def bundle_publisher(data: dict[str, Any]) -> str:
    """Who published a (checked) bundle: the identity most objects are created by, else
    the bundle itself."""
    objects = data.get("objects", [])
    makers = Counter(str(o["created_by_ref"]) for o in objects if o.get("created_by_ref"))
    return makers.most_common(1)[0][0] if makers else str(data.get("id", "?"))


def read_bundle(data: Any, subjects: Subjects) -> Counter[str]:
    """Fill ``subjects`` from a STIX 2.1 bundle; return the object types skipped, counted."""
    return _Reader(check_bundle(data), subjects).read()


__all__ = ["bundle_publisher", "check_bundle", "read_bundle"]
