from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from followthemoney import model
from sqlalchemy import select
from stix2validator import ValidationOptions, validate_string

from jointprobe.accounts import get_user
from jointprobe.entities import add_entity
from jointprobe.errors import Conflict, NotFound
from jointprobe.exchange.identity import rotate_own_keys
from jointprobe.exchange.markings import ANY_PEER, Marking, Tlp, Use
from jointprobe.exchange.peers import apply_card_update, get_peer, revoke_peer
from jointprobe.interop.export import ExportFormat, export_case
from jointprobe.interop.stix_handling import handling_statement
from jointprobe.interop.tlp import TLP2_EXTENSION
from jointprobe.interop.validate import stix_problems
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry

from .conftest import PEER, WALLET


def _export(node: Node, fmt: ExportFormat, recipient: str | None = PEER) -> Any:
    with node.write_session() as session:
        alice = get_user(session, "alice")
        return export_case(session, alice, node.identity, "diana", fmt, recipient=recipient)


def test_stix_export_passes_the_oasis_validator_and_withholds_red_and_no_onward(us: Node) -> None:
    result = _export(us, ExportFormat.STIX)
    text = result.data.decode()
    assert stix_problems(text) == []
    oasis = validate_string(text, ValidationOptions(version="2.1", strict=True))
    assert oasis.is_valid and not oasis.errors and not oasis.warnings
    bundle = json.loads(text)
    names = [o.get("name", "") for o in bundle["objects"]]
    assert not any("Red Source" in n or "Partner Item" in n for n in names)
    assert "+8631100001111" not in text and "mx.item@example.com" not in text
    assert result.withheld_total == 2


def test_every_stix_object_carries_a_tlp2_marking_and_the_node_as_creator(us: Node) -> None:
    bundle = json.loads(_export(us, ExportFormat.STIX).data)
    tlp2 = {o["id"] for o in bundle["objects"] if o["type"] == "marking-definition"
            and TLP2_EXTENSION in o.get("extensions", {})}  # fmt: skip
    creator = next(o["id"] for o in bundle["objects"] if o["type"] == "identity"
                   and "jointprobe node us-test" in o.get("description", ""))  # fmt: skip
    for obj in bundle["objects"]:
        if obj["type"] == "marking-definition":
            continue
        assert len(set(obj["object_marking_refs"]) & tlp2) == 1, obj["id"]
        if obj["id"] != creator:
            assert obj["created_by_ref"] == creator
    patterns = {o["pattern"] for o in bundle["objects"] if o["type"] == "indicator"}
    assert "[email-addr:value = 'diana.sales@example.com']" in patterns
    assert "[phone-number:value = '+8631187654321']" in patterns
    assert f"[cryptocurrency-wallet:value = '{WALLET.lower()}']" in patterns
    assert "[domain-name:value = 'xt-sales.example.net']" in patterns
    assert any(p.startswith("[url:value = ") for p in patterns)
    kinds = {o["relationship_type"] for o in bundle["objects"] if o["type"] == "relationship"}
    assert kinds == {"related-to"}
    assert any("Ownership" in o.get("description", "") for o in bundle["objects"])


def test_a_public_export_holds_only_clear_items(us: Node) -> None:
    result = _export(us, ExportFormat.FTM, recipient=None)
    assert result.data == b""
    assert result.withheld_total == 7
    assert any("may not be released publicly" in reason for reason in result.withheld)


def test_ftm_lines_parse_back_with_followthemoney(us: Node) -> None:
    result = _export(us, ExportFormat.FTM)
    lines = [orjson.loads(line) for line in result.data.splitlines()]
    proxies = [model.get_proxy(line) for line in lines]
    ids = {proxy.id for proxy in proxies}
    assert ids == {"p-diana", "c-xt", "w-1", "o-1", "p-mx-ok"}
    by_id = {line["id"]: line for line in lines}
    assert by_id["c-xt"]["marking"]["tlp"] == "GREEN"
    assert by_id["p-diana"]["marking"]["tlp"] == "AMBER"
    assert proxies[0].schema.name in {"Person", "Company", "CryptoWallet", "Ownership"}


def test_a_user_not_on_the_case_gets_not_found(us: Node) -> None:
    with pytest.raises(NotFound), us.write_session() as session:
        bob = get_user(session, "bob")
        export_case(session, bob, us.identity, "diana", ExportFormat.STIX, recipient=PEER)


def test_every_export_is_audited_with_its_counts(us: Node) -> None:
    _export(us, ExportFormat.FTM)
    with us.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.detail["for"] == PEER and entry.detail["withheld"] == 2
    assert entry.detail["entities"] == 5


def test_a_peer_that_rotated_its_keys_is_still_exported_to(us: Node, peer_node: Node) -> None:
    rotation = rotate_own_keys(peer_node)
    with us.write_session() as session:
        apply_card_update(session, rotation.update)
        assert get_peer(session, PEER).revoked == [rotation.old_fingerprint]
    result = _export(us, ExportFormat.FTM)
    assert {orjson.loads(line)["id"] for line in result.data.splitlines()} >= {"p-diana"}
    assert result.withheld_total == 2


def test_a_revoked_peer_is_refused(us: Node) -> None:
    with us.write_session() as session:
        revoke_peer(session, PEER)
    with pytest.raises(Conflict, match="not active"):
        _export(us, ExportFormat.STIX)


def _statements(bundle: dict[str, Any]) -> dict[str, str]:
    return {o["id"]: o["definition"]["statement"] for o in bundle["objects"]
            if o["type"] == "marking-definition"
            and o.get("definition_type") == "statement"}  # fmt: skip


def test_restricted_handling_travels_as_a_statement_marking_on_every_object(us: Node) -> None:
    with us.write_session() as session:
        alice = get_user(session, "alice")
        add_entity(session, alice, {"id": "p-exp", "schema": "Person",
                                    "properties": {"name": ["Expiring (FICTIONAL)"]}},
                   case_id="diana", fictional=True, tlp="GREEN", grading="B2",
                   handling={"expires": "2099-01-01", "use": "evidential",
                             "onward_disclosure": "permitted"})  # fmt: skip
    text = _export(us, ExportFormat.STIX).data.decode()
    oasis = validate_string(text, ValidationOptions(version="2.1", strict=True))
    assert oasis.is_valid and not oasis.errors and not oasis.warnings
    bundle = json.loads(text)
    statements = _statements(bundle)
    by_entity: dict[str, set[str]] = {}
    for obj in bundle["objects"]:
        if obj["type"] == "marking-definition" or obj["id"] == _creator(bundle):
            continue
        said = [statements[ref] for ref in obj["object_marking_refs"] if ref in statements]
        assert len(said) == 1, obj  # every exported object here has restricted handling
        for ref in obj.get("external_references", []):
            by_entity.setdefault(ref["external_id"], set()).update(said)
    diana = by_entity["p-diana"].pop()
    assert "TLP:AMBER" in diana and "intelligence only" in diana
    assert "no onward disclosure without consent of us-test" in diana
    assert "originator mx-test" in by_entity["p-mx-ok"].pop()
    expiring = by_entity["p-exp"].pop()
    assert "expires 2099-01-01" in expiring and "graded B2" in expiring
    # the case (diana) is intelligence only, so the expiring item is too
    assert "intelligence only" in expiring


def test_a_marking_that_says_no_more_than_its_tlp_has_no_statement() -> None:
    free = Marking(Tlp.GREEN, "us-test", use=Use.EVIDENTIAL, consent=frozenset({ANY_PEER}))
    assert handling_statement(free, holder="us-test") is None
    assert handling_statement(free, holder="cn-test") is not None  # another's item: say whose
    for marking in (replace(free, use=Use.INTELLIGENCE), replace(free, consent=frozenset()),
                    replace(free, expires=datetime(2099, 1, 1, tzinfo=UTC))):  # fmt: skip
        assert handling_statement(marking, holder="us-test") is not None, marking
    assert handling_statement(replace(free, tlp=Tlp.CLEAR, consent=frozenset()),
                              holder="us-test") is None  # fmt: skip


def _creator(bundle: dict[str, Any]) -> str:
    return str(next(o["id"] for o in bundle["objects"] if o["type"] == "identity"
                    and "jointprobe node" in o.get("description", "")))  # fmt: skip
