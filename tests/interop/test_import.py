from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from jointprobe.accounts import get_user
from jointprobe.errors import Conflict, InvalidEntity, NotFound
from jointprobe.interop.errors import InteropFileTooLarge, InvalidInteropFile
from jointprobe.interop.export import ExportFormat, export_case
from jointprobe.interop.importing import (
    ImportFormat,
    import_document,
    read_json,
    read_json_file,
)
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, Entity, Selector

from .conftest import PEER, WALLET

MISP = Path(__file__).parent / "data" / "misp_event_fictional.json"


def _import(node: Node, fmt: ImportFormat, document: Any, case: str = "copy",
            user: str = "alice") -> Any:  # fmt: skip
    with node.write_session() as session:
        actor = get_user(session, user)
        return import_document(session, actor, case, fmt, document, source="test")


def _selectors(node: Node, case: str) -> dict[tuple[str, str], set[str]]:
    """(kind, value) -> TLPs of the entities holding it, in ``case``."""
    with node.session() as session:
        rows = session.execute(
            select(Selector.kind, Selector.value, Entity.tlp)
            .join(Entity, Entity.id == Selector.entity_id)
            .where(Selector.case_id == case)
        )
        found: dict[tuple[str, str], set[str]] = {}
        for kind, value, tlp in rows:
            found.setdefault((kind, value), set()).add(tlp)
        return found


def _count(node: Node, case: str) -> int:
    with node.session() as session:
        return int(session.scalar(select(func.count()).where(Entity.case_id == case)) or 0)


def test_stix_round_trip_keeps_selectors_and_tlp(us: Node) -> None:
    with us.write_session() as session:
        alice = get_user(session, "alice")
        bundle = export_case(session, alice, us.identity, "diana", ExportFormat.STIX,
                             recipient=PEER).data  # fmt: skip
    report = _import(us, ImportFormat.STIX, json.loads(bundle))
    kinds = ("phone", "email", "domain", "url", "wallet")
    before = {k: v for k, v in _selectors(us, "diana").items() if k[0] in kinds}
    after = _selectors(us, "copy")
    exported = {
        k: v for k, v in before.items() if "+8631100001111" not in k[1] and "mx.item" not in k[1]
    }  # the RED and no-consent items stay home
    for selector, tlp in exported.items():
        assert after.get(selector) == tlp, selector  # the same TLPs
    assert ("wallet", WALLET.lower()) in after
    assert ("phone", "+8631100001111") not in after
    assert report.entities >= 4 and report.by_tlp.get("GREEN") == 1


def test_the_same_bundle_twice_is_refused_and_adds_nothing(us: Node) -> None:
    with us.write_session() as session:
        alice = get_user(session, "alice")
        bundle = export_case(session, alice, us.identity, "diana", ExportFormat.STIX,
                             recipient=PEER).data  # fmt: skip
    _import(us, ImportFormat.STIX, json.loads(bundle))
    count = _count(us, "copy")
    with pytest.raises(Conflict, match="imported into the case already; nothing imported"):
        _import(us, ImportFormat.STIX, json.loads(bundle))
    assert _count(us, "copy") == count


def test_misp_event_brings_selectors_with_the_strictest_tlp(us: Node) -> None:
    report = _import(us, ImportFormat.MISP, read_json_file(MISP, 1_000_000))
    found = _selectors(us, "copy")
    # event tlp:amber; an attribute tag stricter than it wins, a looser one does not
    # the domain attribute and the URL's host are AMBER, the RED e-mail's domain is RED
    assert found[("domain", "fictional-chem-shop.example.com")] == {"AMBER", "RED"}
    assert found[("url", "fictional-chem-shop.example.com/order")] == {"AMBER"}
    assert found[("wallet", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")] == {"AMBER+STRICT"}
    assert found[("email", "sales.desk@fictional-chem-shop.example.com")] == {"RED"}
    assert found[("phone", "+8631155509876")] == {"AMBER"}
    assert found[("email", "lina.fictional@example.org")] == {"AMBER"}
    assert found[("wallet", WALLET.lower())] == {"AMBER"}
    assert ("phone", "+8631155501234") not in found  # deleted in MISP
    assert report.skipped == {"ip-dst": 1, "deleted": 1, "text": 1}  # text: the coin's symbol
    with us.session() as session:
        names = set(session.scalars(select(Entity.caption).where(Entity.schema == "Person")))
    assert "Lina Fictional" in names


def test_misp_without_tlp_takes_the_documented_default(us: Node) -> None:
    event = {"Event": {"uuid": "x", "Attribute": [
        {"uuid": "a", "type": "email", "value": "nolabel@example.org"}]}}  # fmt: skip
    _import(us, ImportFormat.MISP, event)
    assert _selectors(us, "copy")[("email", "nolabel@example.org")] == {"AMBER"}


@pytest.mark.parametrize(
    ("fmt", "raw", "needle"),
    [
        (ImportFormat.STIX, b"{not json", "not JSON"),
        (ImportFormat.MISP, b"[1, 2]", "not a MISP event"),
        (ImportFormat.STIX, b'{"Event": {}}', "not a STIX bundle"),
        (
            ImportFormat.STIX,
            b'{"type": "bundle", "id": "bundle--0", "objects": '
            b'[{"type": "identity", "id": "identity--nope", "name": "x"}]}',
            "invalid STIX",
        ),
        (ImportFormat.MISP, b'{"Event": {"Attribute": {"type": "email"}}}', "must be a list"),
        (ImportFormat.MISP, b'{"Event": {"Attribute": [{"type": "email"}]}}', "type and value"),
    ],
)
def test_invalid_files_are_refused_and_nothing_imported(
    us: Node, fmt: ImportFormat, raw: bytes, needle: str
) -> None:
    with pytest.raises(InvalidInteropFile, match=needle):
        _import(us, fmt, read_json(raw, 1_000_000))
    assert _count(us, "copy") == 0


def test_one_bad_value_refuses_the_whole_file(us: Node) -> None:
    event: dict[str, Any] = {
        "Event": {
            "uuid": "y",
            "Attribute": [{"uuid": "a", "type": "email", "value": "good@example.org"}],
        },
        "Object": [],
    }
    event["Event"]["Object"] = [
        {
            "name": "person",
            "Attribute": [
                {"object_relation": "full-name", "type": "text", "value": "X"},
                {"object_relation": "birth", "type": "phone-number", "value": "not a phone at all"},
            ],
        }
    ]
    with pytest.raises(InvalidEntity, match="nothing imported") as info:
        _import(us, ImportFormat.MISP, event)
    assert info.value.where == "Event.Object[0]"
    assert _count(us, "copy") == 0


def test_oversized_file_is_refused_before_reading(us: Node, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 5000 + MISP.read_bytes())
    with pytest.raises(InteropFileTooLarge, match="over the import limit"):
        read_json_file(big, 4096)
    assert _count(us, "copy") == 0


def test_a_user_not_on_the_case_gets_not_found_and_nothing_is_imported(us: Node) -> None:
    with pytest.raises(NotFound):
        _import(us, ImportFormat.MISP, read_json_file(MISP, 1_000_000), user="bob")
    assert _count(us, "copy") == 0


def test_every_import_is_audited(us: Node) -> None:
    _import(us, ImportFormat.MISP, read_json_file(MISP, 1_000_000))
    with us.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "import")).one()
    assert entry.object_id == "copy" and entry.detail["format"] == "misp"


def test_imported_items_are_not_passed_on_without_their_publishers_consent(us: Node) -> None:
    _import(us, ImportFormat.MISP, read_json_file(MISP, 1_000_000))
    with us.write_session() as session:
        alice = get_user(session, "alice")
        result = export_case(session, alice, us.identity, "copy", ExportFormat.FTM,
                             recipient=PEER)  # fmt: skip
    assert result.entities == 0
    consent = [r for r in result.withheld if "needs the consent of ext.misp." in r]
    assert consent and result.withheld[consent[0]] == result.withheld_total - 1  # 1 RED
