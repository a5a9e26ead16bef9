"""Read a MISP event (``{"Event": {...}}`` as MISP and OpenCTI publish it) into :class:`Subjects`.

=============================================== =======================================
MISP                                            jointprobe (FtM)
=============================================== =======================================
attribute ``phone-number``, ``whois-registrant-phone``  phone
``email``, ``email-src``, ``email-dst``, ``email-reply-to``,
``whois-registrant-email``                      email
``domain``, ``hostname``, ``domain|ip`` (domain part)   domain
``url``, ``link``, ``uri``                      url
``btc``, ``xmr``, ``dash``                      wallet
object ``person`` (``full-name``, or first and last name)   Person with its selectors
object ``organization``, ``legal-entity`` (``name``)   Organization with its selectors
object ``coin-address`` (``address``)           wallet
an attribute outside those objects              CryptoWallet (wallets), else LegalEntity
``tlp:`` tags on the event, object, attribute   the strictest applies; none → default
other attribute types, deleted attributes       counted as skipped
=============================================== =======================================
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from jointprobe.exchange.markings import Tlp
from jointprobe.interop.candidates import Subjects
from jointprobe.interop.errors import InvalidInteropFile
from jointprobe.interop.tlp import DEFAULT_IMPORT_TLP, misp_tags_tlp, strictest

KIND_OF_TYPE = {
    "phone-number": "phone", "whois-registrant-phone": "phone",
    "email": "email", "email-src": "email", "email-dst": "email", "email-reply-to": "email",
    "whois-registrant-email": "email",
    "domain": "domain", "hostname": "domain", "domain|ip": "domain",
    "url": "url", "link": "url", "uri": "url",
    "btc": "wallet", "xmr": "wallet", "dash": "wallet",
}  # fmt: skip
PERSON_OBJECTS = {"person": "Person"}
ORGANISATION_OBJECTS = {"organization": "Organization", "legal-entity": "Organization"}
NAME_RELATIONS = ("full-name", "name")


def check_event(data: Any) -> dict[str, Any]:
    """The event of a MISP export (``{"Event": …}``, or a search answer holding one)."""
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        if len(data["response"]) != 1:
            raise InvalidInteropFile("import one MISP event per file")
        data = data["response"][0]
    if not isinstance(data, dict) or not isinstance(data.get("Event"), dict):
        raise InvalidInteropFile('not a MISP event (a JSON object with an "Event" object)')
    event: dict[str, Any] = data["Event"]
    for key in ("Attribute", "Object", "Tag"):
        if not isinstance(event.get(key, []), list):
            raise InvalidInteropFile(f"Event.{key} must be a list", where=f"Event.{key}")
    for index, obj in enumerate(event.get("Object", [])):
        if not isinstance(obj, dict) or not isinstance(obj.get("Attribute", []), list):
            raise InvalidInteropFile("a MISP object has a list of attributes",
                                     where=f"Event.Object[{index}]")  # fmt: skip
    return event


def _attribute(attr: Any, where: str) -> tuple[str, str] | None:
    """(type, value) of an attribute, or ``None`` when it is deleted."""
    if not isinstance(attr, dict):
        raise InvalidInteropFile("an attribute is a JSON object", where=where)
    if attr.get("deleted") in (True, "1", 1):
        return None
    kind, value = attr.get("type"), attr.get("value")
    if not isinstance(kind, str) or not isinstance(value, str) or not value.strip():
        raise InvalidInteropFile("an attribute needs a text type and value", where=where)
    return kind, value.strip()


class _Reader:
    def __init__(self, event: dict[str, Any], subjects: Subjects) -> None:
        self.event = event
        self.subjects = subjects
        self.event_tlp = misp_tags_tlp(event.get("Tag"))
        self.skipped: Counter[str] = Counter()

    def tlp(self, *tagged: dict[str, Any]) -> Tlp:
        labels = [self.event_tlp] + [misp_tags_tlp(item.get("Tag")) for item in tagged]
        return strictest(tlp for tlp in labels if tlp is not None) or DEFAULT_IMPORT_TLP

    def read(self) -> Counter[str]:
        for index, attr in enumerate(self.event.get("Attribute", [])):
            self._loose(attr, f"Event.Attribute[{index}]")
        for index, obj in enumerate(self.event.get("Object", [])):
            self._object(obj, f"Event.Object[{index}]")
        return self.skipped

    def _loose(self, attr: Any, where: str, *outer: dict[str, Any]) -> None:
        read = _attribute(attr, where)
        if read is None:
            self.skipped["deleted"] += 1
            return
        misp_type, value = read
        kind = KIND_OF_TYPE.get(misp_type)
        if kind is None:
            self.skipped[misp_type] += 1
            return
        key = str(attr.get("uuid") or where)
        self.subjects.loose(key, kind, _value(misp_type, value), self.tlp(*outer, attr), where)

    def _object(self, obj: dict[str, Any], where: str) -> None:
        name = str(obj.get("name", ""))
        schema = PERSON_OBJECTS.get(name) or ORGANISATION_OBJECTS.get(name)
        attributes = obj.get("Attribute", [])
        if schema is None:
            for index, attr in enumerate(attributes):
                if name == "coin-address" and isinstance(attr, dict):
                    if attr.get("object_relation") == "address":
                        attr = attr | {"type": "btc"}  # the address, whatever its coin
                self._loose(attr, f"{where}.Attribute[{index}]", obj)
            return
        key = str(obj.get("uuid") or where)
        owner = self.subjects.subject(key, schema, self.tlp(obj), where)
        names: dict[str, str] = {}
        for index, attr in enumerate(attributes):
            at = f"{where}.Attribute[{index}]"
            read = _attribute(attr, at)
            if read is None:
                continue
            misp_type, value = read
            relation = str(attr.get("object_relation", ""))
            tlp = self.tlp(obj, attr)
            kind = KIND_OF_TYPE.get(misp_type)
            if kind is not None:
                self.subjects.attach(owner, kind, _value(misp_type, value), tlp, at)
            elif relation in (*NAME_RELATIONS, "first-name", "last-name"):
                names[relation] = value
                owner.tlp = strictest([owner.tlp, tlp]) or tlp
            else:
                self.skipped[f"{name}.{relation or misp_type}"] += 1
        full = next((names[r] for r in NAME_RELATIONS if r in names), None)
        full = full or " ".join(names[r] for r in ("first-name", "last-name") if r in names)
        owner.add("name", full or f"{name} {key}")


def _value(misp_type: str, value: str) -> str:
    return value.split("|", 1)[0] if misp_type == "domain|ip" else value


def read_event(data: Any, subjects: Subjects) -> tuple[Counter[str], str, str]:
    """Fill ``subjects`` from a MISP event; return skipped counts, the event's description
    and its publisher (the creating organisation's uuid or name, else the event's uuid)."""
    event = check_event(data)
    skipped = _Reader(event, subjects).read()
    orgc: dict[str, Any] = event["Orgc"] if isinstance(event.get("Orgc"), dict) else {}
    org = orgc.get("name")
    about = f"MISP event {event.get('uuid', '?')}" + (f" of {org}" if org else "")
    publisher = str(orgc.get("uuid") or org or event.get("uuid") or "?")
    return skipped, about + (f": {event['info']}" if event.get("info") else ""), publisher


__all__ = ["check_event", "read_event"]
