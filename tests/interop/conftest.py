"""A node with a case holding every kind of item an export must handle (data FICTIONAL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jointprobe.accounts import create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.config import Settings
from jointprobe.entities import add_entity
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.peers import add_peer
from jointprobe.node import Node, init_node

PEER = "cn-test"
OTHER = "mx-test"
WALLET = "0x52908400098527886E0F7030069857D2E4169EE7"  # EIP-55 test vector, FICTIONAL holder


def e(eid: str, schema: str, **props: Any) -> dict[str, Any]:
    return {"id": eid, "schema": schema, "properties": props}


@pytest.fixture
def peer_node(tmp_path: Path) -> Iterator[Node]:
    node = init_node(Settings(data_dir=tmp_path / "cn"), PEER, "Peer (test)", "CN")
    yield node
    node.close()


@pytest.fixture
def us(node: Node, peer_node: Node) -> Node:
    """Case ``diana`` (alice's): what may go, a RED person, a partner's item without consent."""
    card = own_card(peer_node)
    with node.write_session() as session:
        add_peer(session, card.to_dict(), card.fingerprint, max_tlp="RED")
        alice = create_user(session, "alice", "analyst")
        create_user(session, "bob", "analyst")
        create_case(session, alice, CaseIn(
            id="diana", title="Vendor Diana (FICTIONAL)", tlp="GREEN",
            handling={"onward_disclosure": "permitted"}))  # fmt: skip
        create_case(session, alice, CaseIn(id="copy", title="Imported (FICTIONAL)"))
        add = lambda data, **kw: add_entity(session, alice, data, case_id="diana",  # noqa: E731
                                            fictional=True, **kw)  # fmt: skip
        add(e("p-diana", "Person", name=["Diana (FICTIONAL)"], phone=["+86 311 8765 4321"],
              email=["diana.sales@example.com"],
              website=["https://shop.example.org/fent"]))  # fmt: skip
        add(e("c-xt", "Company", name=["Xingtai Sales Co (FICTIONAL)"],
              website=["http://xt-sales.example.net"]), tlp="GREEN")  # fmt: skip
        add(e("w-1", "CryptoWallet", publicKey=[WALLET], currency=["ETH"], holder=["p-diana"]))
        add(e("o-1", "Ownership", owner=["p-diana"], asset=["c-xt"]))
        add(e("p-red", "Person", name=["Red Source (FICTIONAL)"], phone=["+86 311 0000 1111"]),
            tlp="RED")  # fmt: skip
        add(e("p-mx", "Person", name=["Partner Item (FICTIONAL)"], email=["mx.item@example.com"]),
            handling={"originator": OTHER})  # fmt: skip
        add(e("p-mx-ok", "Person", name=["Partner Shared (FICTIONAL)"],
              email=["mx.shared@example.com"]),
            handling={"originator": OTHER, "consent": ["*"]})  # fmt: skip
    return node
