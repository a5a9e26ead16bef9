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


SHARED_PHONE = "+8631155501234"
#: What of bob's case ``zed-hidden`` could leak; none of it may be in alice's exports.
HIDDEN = ("zed", "p-zed", "Zed Hidden Buyer", "zed.hidden@example.com", "+8631155507777")


@pytest.fixture
def ring(node: Node, peer_node: Node) -> Node:
    """alice's cases ``ring`` (CLEAR) and ``buyers`` (AMBER) and bob's ``zed-hidden``, all
    holding one phone: an expansion from it crosses two visible cases and a hidden one."""
    card = own_card(peer_node)
    with node.write_session() as session:
        add_peer(session, card.to_dict(), card.fingerprint, max_tlp="RED")
        alice = create_user(session, "alice", "analyst")
        bob = create_user(session, "bob", "analyst")
        create_case(session, alice, CaseIn(id="ring", title="Ring (FICTIONAL)", tlp="CLEAR"))
        create_case(session, alice, CaseIn(id="buyers", title="Buyers (FICTIONAL)", tlp="AMBER"))
        create_case(session, bob, CaseIn(id="zed-hidden", title="Zed (FICTIONAL)", tlp="GREEN"))
        for item, tlp in (
            (e("p-vendor", "Person", name=["Vendor Clear (FICTIONAL)"], phone=[SHARED_PHONE],
               email=["vendor.clear@example.com"]), "CLEAR"),
            (e("c-shop", "Company", name=["Shop Clear Ltd (FICTIONAL)"],
               website=["https://shop-clear.example.org"]), "CLEAR"),
            (e("o-shop", "Ownership", owner=["p-vendor"], asset=["c-shop"]), "CLEAR"),
            (e("p-red", "Person", name=["Red Courier (FICTIONAL)"],
               phone=["+8631155509999"]), "RED"),
            (e("a-red", "Associate", person=["p-vendor"], associate=["p-red"]), "CLEAR"),
        ):  # fmt: skip
            add_entity(session, alice, item, case_id="ring", tlp=tlp, fictional=True)
        add_entity(session, alice, e("p-amber", "Person", name=["Amber Buyer (FICTIONAL)"],
                                     phone=[SHARED_PHONE]),
                   case_id="buyers", tlp="AMBER", fictional=True)  # fmt: skip
        for item in (
            e("p-zed", "Person", name=["Zed Hidden Buyer"], phone=[SHARED_PHONE],
              email=["zed.hidden@example.com"]),
            e("p-zed-friend", "Person", name=["Zed Friend"], phone=["+8631155507777"]),
            e("as-zed", "Associate", person=["p-zed"], associate=["p-zed-friend"]),
        ):  # fmt: skip
            add_entity(session, bob, item, case_id="zed-hidden", tlp="GREEN", fictional=True)
    return node
