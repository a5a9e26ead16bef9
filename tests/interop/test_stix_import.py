"""A bundle as a partner's OpenCTI would publish it (hand-written, data FICTIONAL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from jointprobe.accounts import get_user
from jointprobe.interop.importing import ImportFormat, import_document
from jointprobe.node import Node
from jointprobe.store.tables import Entity

TLP1_AMBER = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
TLP2_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
BTC = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"
T = "2024-05-02T10:00:00.000Z"
ORG = "identity--0f6b1c62-5d7e-4c55-8d3a-8a9c6a3a0b01"
PERSON = "identity--1d8a2f4e-6b1c-4e3a-9f0d-2b7c5e8a9d02"
SELLER = "identity--2e9b3a5f-7c2d-4f4b-8a1e-3c8d6f9b0e03"
IND = "indicator--3fac4b6a-8d3e-4a5c-9b2f-4d9e7a0c1f04"
WALLET = "indicator--4abd5c7b-9e4f-4b6d-8c3a-5e0f8b1d2a05"


def _obj(kind: str, oid: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "spec_version": "2.1", "id": oid, "created": T, "modified": T,
            "created_by_ref": ORG, **fields}  # fmt: skip


BUNDLE = {
    "type": "bundle",
    "id": "bundle--5bce6d8c-af50-4c7e-9d4b-6f1a9c2e3b06",
    "objects": [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": ORG,
            "created": T,
            "modified": T,
            "name": "Partner CERT (FICTIONAL)",
            "identity_class": "organization",
        },  # fmt: skip
        _obj(
            "identity",
            PERSON,
            name="Wen Fictional",
            identity_class="individual",
            object_marking_refs=[TLP2_GREEN],
        ),  # fmt: skip
        _obj("identity", SELLER, name="Fictional Pharma Trading", identity_class="organization"),
        _obj(
            "indicator",
            IND,
            name="phone",
            pattern="[phone-number:value = '+86 311 5550 4444']",
            pattern_type="stix",
            valid_from=T,
            object_marking_refs=[TLP1_AMBER],
        ),  # fmt: skip
        _obj(
            "indicator",
            WALLET,
            name="wallet",
            pattern_type="stix",
            valid_from=T,
            pattern="[cryptocurrency-wallet:value = '1BoatSLRHtKNngkdXEeobR76b53LETtpyT']",
        ),  # fmt: skip
        _obj(
            "relationship",
            "relationship--6cdf7e9d-b061-4d8f-8e5c-7a2b0d3f4c07",
            relationship_type="related-to",
            source_ref=IND,
            target_ref=PERSON,
        ),  # fmt: skip
        _obj(
            "relationship",
            "relationship--7de08fae-c172-4e90-9f6d-8b3c1e4a5d08",
            relationship_type="employed-by",
            source_ref=PERSON,
            target_ref=SELLER,
        ),  # fmt: skip
        _obj("malware", "malware--8ef19abf-d283-4fa1-8a7e-9c4d2f5b6e09", name="x", is_family=False),
    ],
}


def test_an_opencti_style_bundle_becomes_people_links_and_selectors(us: Node) -> None:
    with us.write_session() as session:
        alice = get_user(session, "alice")
        report = import_document(session, alice, "copy", ImportFormat.STIX, BUNDLE, source="t")
    assert report.skipped == {"malware": 1}
    with us.session() as session:
        rows = {
            r.caption: r for r in session.scalars(select(Entity).where(Entity.case_id == "copy"))
        }
    wen = rows["Wen Fictional"]
    assert wen.schema == "Person" and wen.properties["phone"] == ["+8631155504444"]
    assert wen.tlp == "AMBER"  # GREEN identity, TLP 1.0 AMBER indicator attached: the strictest
    assert rows["Fictional Pharma Trading"].tlp == "AMBER"  # no marking: the default
    link = next(r for r in rows.values() if r.schema == "UnknownLink")
    assert link.properties["role"] == ["employed-by"]
    wallet = next(r for r in rows.values() if r.schema == "CryptoWallet")
    assert wallet.properties["publicKey"] == [BTC]
    assert "Partner CERT (FICTIONAL)" not in rows  # the publisher is the source, not a subject
    assert wen.handling["originator"].startswith("ext.stix.")
