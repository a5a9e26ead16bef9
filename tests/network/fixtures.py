"""A small case graph with known structure, and a case of payments (all fictional).

``ring``: two cliques of five people (A1–A5 and B1–B5) whose only tie is a
company both A1 and B1 own, "Bridge Trading" (X): X lies on every shortest
path between the groups (25 pairs), more than A1 or B1 (24 each).
``cash``: payments in USD and EUR between A1 and B1, one without an amount,
and a BTC transfer between two wallets held by A3 and B3; payment p2 is TLP:RED.
``other``: bob's case with one person alice may not see.
"""

from __future__ import annotations

from typing import Any

from jointprobe.cases import CaseIn, create_case
from jointprobe.entities import add_entity
from jointprobe.node import Node
from jointprobe.store.tables import User

A = [f"a{i}" for i in range(1, 6)]
B = [f"b{i}" for i in range(1, 6)]
BRIDGE = "x"


def e(schema: str, entity_id: str, **props: Any) -> dict[str, Any]:
    return {"id": entity_id, "schema": schema, "properties": props}


def ring_entities() -> list[dict[str, Any]]:
    people = [e("Person", p, name=[f"Fictional {p.upper()}"]) for p in A + B]
    ties = [
        e("Associate", f"as-{p}-{q}", person=[p], associate=[q], relationship=["partner"])
        for group in (A, B)
        for i, p in enumerate(group)
        for q in group[i + 1 :]
    ]
    bridge = [
        e("Company", BRIDGE, name=["Bridge Trading (fictional)"]),
        e("Ownership", "own-a1", owner=["a1"], asset=[BRIDGE], startDate=["2017-03-01"],
          percentage=["50"]),
        e("Ownership", "own-b1", owner=["b1"], asset=[BRIDGE], startDate=["2017-04-15"]),
    ]  # fmt: skip
    return people + ties + bridge


def cash_entities() -> list[dict[str, Any]]:
    people = [e("Person", p, name=[f"Fictional {p.upper()}"]) for p in ("a1", "b1", "a2", "b2")]
    people = [{**p, "id": f"c{p['id']}"} for p in people]
    wallets = [
        e("Person", "ca3", name=["Fictional A3"]),
        e("Person", "cb3", name=["Fictional B3"]),
        e("CryptoWallet", "w1", publicKey=["bc1qfictional00000000000000001"], holder=["ca3"]),
        e("CryptoWallet", "w2", publicKey=["bc1qfictional00000000000000002"], holder=["cb3"]),
    ]  # fmt: skip
    pay = [
        e("Payment", "p1", payer=["ca1"], beneficiary=["cb1"], amount=["1000"], currency=["USD"],
          date=["2018-01-02"]),
        e("Payment", "p2", payer=["ca1"], beneficiary=["cb1"], amount=["500.50"], currency=["usd"],
          date=["2018-03-01"]),
        e("Payment", "p3", payer=["ca1"], beneficiary=["cb1"], amount=["200"], currency=["EUR"],
          date=["2018-02-10"]),
        e("Payment", "p4", payer=["cb2"], beneficiary=["ca2"], currency=["USD"]),
        e("Payment", "p5", payer=["w1"], beneficiary=["w2"], amount=["0.5"], currency=["BTC"],
          date=["2019-06-30"]),
        e("Payment", "p6", payer=["ca1"], beneficiary=["ca2"], amount=["75"], currency=["USD"]),
    ]  # fmt: skip
    return people + wallets + pay


def load(node: Node, alice: User, bob: User) -> None:
    with node.write_session() as session:
        create_case(session, alice, CaseIn(title="Ring (fictional)", id="ring", fictional=True))
        create_case(session, alice, CaseIn(title="Cash (fictional)", id="cash", fictional=True))
        create_case(session, alice, CaseIn(title="Empty", id="empty"))
        create_case(session, bob, CaseIn(title="Bob's", id="other"))
        for data in ring_entities():
            add_entity(session, alice, data, case_id="ring", fictional=True, source="test")
        for data in cash_entities():
            tlp = "RED" if data["id"] == "p2" else "AMBER"
            add_entity(session, alice, data, case_id="cash", fictional=True, source="test", tlp=tlp)
        add_entity(session, bob, e("Person", "h1", name=["Hidden Person"]), case_id="other")
        add_entity(session, bob, e("UnknownLink", "hl", subject=["h1"], object=["a1"]),
                   case_id="other")  # fmt: skip
