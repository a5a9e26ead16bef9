"""Export of a network expansion: the visible part, each entity under its own case's
marking, nothing of a hidden case (``interop.export.export_expansion``)."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from followthemoney import model
from sqlalchemy import select
from stix2validator import ValidationOptions, validate_string

from jointprobe.accounts import get_user
from jointprobe.entities import add_entity
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.exchange.markings import Tlp
from jointprobe.interop.export import ExpansionExport, ExportFormat, export_expansion
from jointprobe.interop.release import RELATION_END_WITHHELD
from jointprobe.interop.tlp import TLP2_IDS
from jointprobe.network import UnknownSelector
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry

from .conftest import HIDDEN, PEER, SHARED_PHONE


def _export(node: Node, fmt: ExportFormat, recipient: str | None = PEER,
            **walk: Any) -> ExpansionExport:  # fmt: skip
    walk = {"hops": 3} | walk
    with node.write_session() as session:
        alice = get_user(session, "alice")
        selector = None if "entity_id" in walk else SHARED_PHONE
        return export_expansion(session, alice, node.identity, fmt, selector,
                                recipient=recipient, **walk)  # fmt: skip


def _external_ids(bundle: dict[str, Any]) -> dict[str, set[str]]:
    """entity id -> the TLP marking ids of its STIX objects"""
    found: dict[str, set[str]] = {}
    for obj in bundle["objects"]:
        for ref in obj.get("external_references", []):
            found.setdefault(ref["external_id"], set()).update(obj["object_marking_refs"])
    return found


def test_stix_export_holds_the_visible_entities_and_nothing_of_the_hidden_case(
    ring: Node,
) -> None:
    result = _export(ring, ExportFormat.STIX)
    text = result.data.decode()
    oasis = validate_string(text, ValidationOptions(version="2.1", strict=True))
    assert oasis.is_valid and not oasis.errors and not oasis.warnings
    for secret in HIDDEN:
        assert secret.lower() not in text.lower()
    bundle = json.loads(text)
    marked = _external_ids(bundle)
    assert set(marked) == {"p-vendor", "c-shop", "p-amber"}  # o-shop: a relationship
    assert "Red Courier" not in text and "+8631155509999" not in text
    # each entity under its own case's TLP: ring is CLEAR, buyers AMBER
    assert TLP2_IDS[Tlp.CLEAR] in marked["p-vendor"] and TLP2_IDS[Tlp.AMBER] in marked["p-amber"]
    assert TLP2_IDS[Tlp.AMBER] not in marked["p-vendor"]
    assert any("Ownership" in o.get("description", "") for o in bundle["objects"])
    assert not any("Associate" in o.get("description", "") for o in bundle["objects"])
    # the RED courier, and the relation to it; never a count of the hidden case
    assert result.withheld == {
        "TLP:RED exceeds the agreement with cn-test (at most TLP:AMBER+STRICT)": 1,
        RELATION_END_WITHHELD: 1,
    }
    assert (result.start, result.kind, result.hops) == (SHARED_PHONE, "phone", 3)


def test_public_ftm_export_holds_clear_items_only_and_parses(ring: Node) -> None:
    result = _export(ring, ExportFormat.FTM, recipient=None)
    lines = [orjson.loads(line) for line in result.data.splitlines()]
    proxies = [model.get_proxy(line) for line in lines]
    assert {proxy.id for proxy in proxies} == {"p-vendor", "c-shop", "o-shop"}
    assert {line["marking"]["tlp"] for line in lines} == {"CLEAR"}
    assert result.withheld == {
        "TLP:AMBER may not be released publicly": 1,
        "TLP:RED may not be released publicly": 1,
        RELATION_END_WITHHELD: 1,
    }
    for secret in HIDDEN:
        assert secret.lower().encode() not in result.data.lower()


def test_a_reference_to_an_entity_not_in_the_file_is_dropped(ring: Node) -> None:
    """A wallet (CLEAR) held by the RED courier, reached through its holder edge."""
    with ring.write_session() as session:
        add_entity(session, get_user(session, "alice"),
                   {"id": "w-ring", "schema": "CryptoWallet",
                    "properties": {"publicKey": ["bc1qfictional0000000000000000ring"],
                                   "holder": ["p-red"]}},
                   case_id="ring", tlp="CLEAR", fictional=True)  # fmt: skip
    result = _export(ring, ExportFormat.FTM)
    by_id = {line["id"]: line for line in map(orjson.loads, result.data.splitlines())}
    assert "p-red" not in by_id and "holder" not in by_id["w-ring"]["properties"]
    assert b"p-red" not in result.data


def test_an_unknown_selector_or_a_hidden_start_entity_is_not_found(ring: Node) -> None:
    with ring.write_session() as session, pytest.raises(UnknownSelector):
        export_expansion(session, get_user(session, "alice"), ring.identity, ExportFormat.STIX,
                         "nobody@nowhere.example")  # fmt: skip
    with ring.write_session() as session, pytest.raises(NotFound) as hidden:
        export_expansion(session, get_user(session, "alice"), ring.identity, ExportFormat.STIX,
                         entity_id="p-zed")  # fmt: skip
    assert hidden.value.status == 404


def test_an_expansion_export_is_audited_with_its_start_and_counts(ring: Node) -> None:
    result = _export(ring, ExportFormat.FTM, hops=2)
    with ring.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert (entry.object_type, entry.object_id) == ("network", f"phone:{SHARED_PHONE}")
    assert entry.detail["for"] == PEER and entry.detail["format"] == "ftm"
    assert entry.detail["hops"] == 2 and entry.detail["cases"] == ["buyers", "ring"]
    assert entry.detail["entities"] == result.entities == 4
    assert entry.detail["withheld"] == 2
    assert len(entry.detail["sha256"]) == 64
    assert "zed" not in json.dumps(entry.detail)


def test_a_limit_above_max_nodes_is_refused_before_anything_is_expanded(ring: Node) -> None:
    with ring.write_session() as session, pytest.raises(InvalidInput) as refused:
        export_expansion(session, get_user(session, "alice"), ring.identity, ExportFormat.STIX,
                         SHARED_PHONE, limit=11, max_nodes=10)  # fmt: skip
    assert refused.value.where == "limit"
    with ring.session() as session:  # refused before the expansion: nothing audited
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "expand")).all() == []
