from __future__ import annotations

import json
from typing import Any

import orjson
from followthemoney import model
from sqlalchemy import select

from jointprobe.accounts import get_user
from jointprobe.interop.export import ExportFormat, export_case
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
    bundle = json.loads(text)
    names = [o.get("name", "") for o in bundle["objects"]]
    print(json.dumps(bundle, indent=1)[:6000])
    assert not any("Red Source" in n or "Partner Item" in n for n in names)
    assert "+8631100001111" not in text and "mx.item@example.com" not in text
    assert result.withheld_total == 2
