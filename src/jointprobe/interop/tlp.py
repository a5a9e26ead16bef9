"""TLP as STIX and MISP write it, read into the node's one :class:`Tlp`.

STIX 2.1 predefines TLP 1.0 marking definitions (WHITE, GREEN, AMBER, RED);
TLP 2.0 comes as marking definitions of the OASIS extension
``extension-definition--60a3c5c5-…`` (CLEAR, GREEN, AMBER, AMBER+STRICT, RED).
We write TLP 2.0 and read both. MISP writes ``tlp:amber`` tags (``tlp:white``,
``tlp:clear``, ``tlp:amber+strict``, ``tlp:ex:chr`` …). Where several apply,
the strictest wins; where none is known, :data:`DEFAULT_IMPORT_TLP`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.markings import Tlp

#: What an imported item without a TLP we can read is marked: TLP 2.0 says
#: information without a label is not public; AMBER keeps it within the
#: organisation until an analyst decides otherwise.
DEFAULT_IMPORT_TLP = Tlp.AMBER

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"

#: The published ids of the TLP 2.0 marking definitions (OASIS cti-stix-common-objects).
TLP2_IDS: dict[Tlp, str] = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
#: The ids STIX 2.1 predefines for TLP 1.0 (section 7.2.1.4); WHITE is read as CLEAR.
TLP1_IDS: dict[str, Tlp] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
KNOWN_IDS: dict[str, Tlp] = {**TLP1_IDS, **{v: k for k, v in TLP2_IDS.items()}}


def tlp2_marking(tlp: Tlp) -> dict[str, Any]:
    """The TLP 2.0 marking-definition object for ``tlp``, as OASIS publishes it."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_IDS[tlp],
        "created": TLP2_CREATED,
        "name": f"TLP:{tlp.value}",
        "extensions": {
            TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value.lower()}
        },
    }


def strictest(labels: Iterable[Tlp]) -> Tlp | None:
    """The most restrictive of ``labels``, or ``None`` when there are none."""
    return max(labels, key=lambda tlp: tlp.rank, default=None)


def read_label(text: str) -> Tlp | None:
    """``TLP:AMBER``, ``amber+strict``, ``white``… as a :class:`Tlp`; ``None`` if not a TLP."""
    label = text.strip().lower().removeprefix("tlp:").strip()
    if label in ("ex:chr",):  # MISP's TLP:EX:CHR (Chatham House rule): as strict as RED
        return Tlp.RED
    try:
        return Tlp.parse(label)
    except MalformedEnvelope:
        return None


def stix_marking_tlp(definition: dict[str, Any]) -> Tlp | None:
    """The TLP a marking-definition object in a bundle stands for, if any.

    By its published id, else by what it says: a TLP 2.0 extension's
    ``tlp_2_0``, a TLP 1.0 style ``definition_type: tlp``, or a ``TLP:`` name.
    """
    known = KNOWN_IDS.get(str(definition.get("id")))
    if known is not None:
        return known
    extension = (definition.get("extensions") or {}).get(TLP2_EXTENSION)
    if isinstance(extension, dict) and isinstance(extension.get("tlp_2_0"), str):
        return read_label(extension["tlp_2_0"])
    inner = definition.get("definition")
    if definition.get("definition_type") == "tlp" and isinstance(inner, dict):
        return read_label(str(inner.get("tlp", "")))
    name = definition.get("name")
    if isinstance(name, str) and name.strip().upper().startswith("TLP:"):
        return read_label(name)
    return None


def misp_tags_tlp(tags: Any) -> Tlp | None:
    """The strictest ``tlp:`` tag of a MISP ``Tag`` list (other tags are ignored)."""
    if not isinstance(tags, list):
        return None
    found = []
    for tag in tags:
        name = tag.get("name") if isinstance(tag, dict) else None
        if isinstance(name, str) and name.strip().lower().startswith("tlp:"):
            label = read_label(name)
            if label is not None:
                found.append(label)
    return strictest(found)


__all__ = [
    "DEFAULT_IMPORT_TLP",
    "TLP1_IDS",
    "TLP2_EXTENSION",
    "TLP2_IDS",
    "misp_tags_tlp",
    "read_label",
    "stix_marking_tlp",
    "strictest",
    "tlp2_marking",
]
