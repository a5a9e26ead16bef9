from tests.screening.factories import make

from jointprobe.node import Node
from jointprobe.screening.verdict import screen_order


def test_a_listed_buyer_and_e_mail_put_the_order_on_hold(ofac_listed_node: Node) -> None:
    order = make(buyer={"name": "GLOBAL UNITED BIOTECHNOLOGY INC.", "country": "VG"},
                 email="goldenchemical@live.com")  # fmt: skip
    with ofac_listed_node.session() as session:
        result = screen_order(session, order)
    assert result.verdict == "hold_and_report"
    lists = [r for r in result.reasons if r.code == "LIST.MATCH"]
    assert {r.data["entry_id"] for r in lists} >= {"ofac-sdn-27646", "ofac-sdn-26236"}
    assert any(r.data["party"] == "buyer" for r in lists)
    assert all(r.source == "ofac-sdn" or r.kind != "list" for r in result.reasons)


def test_a_listed_precursor_paid_in_bitcoin_to_a_forwarder_is_held_with_every_reason(
    ofac_listed_node: Node,
) -> None:
    order = make(
        customer_id=None,
        order_date="2025-06-01",
        buyer={"name": "Northwind Fine Chemicals S.A.", "country": "MX"},
        substance={"cas": "23056-29-3"},
        quantity="25",
        payment_method="virtual_currency",
        payment_wallet="bc1q9d4ywgfnd8h43da5tpcxcn6ajv590cg6d3tg6axemvljvt2k76zs50tv4q",
        consignee={"name": "Rapido Freight Forwarding", "country": "US"},
        freight_forwarder={"name": "Rapido Freight Forwarding", "country": "US"},
        end_use="research",
        phone=None,
        email=None,
    )
    with ofac_listed_node.session() as session:
        result = screen_order(session, order)
    codes = [r.code for r in result.reasons]
    assert result.verdict == "hold_and_report"
    assert codes[0] == "SUBSTANCE.PRECURSOR"
    assert {
        "RF.VIRTUAL_CURRENCY",
        "RF.FORWARDER_CONSIGNEE",
        "RF.NEW_CUSTOMER",
        "RF.END_USE",
    } <= set(codes)
    controlled = result.to_dict()["substance"]["controlled"]
    assert any(c.startswith("UN: precursor (UN.1988 Table I") for c in controlled)


def test_the_same_substance_before_its_control_date_is_not_a_listed_precursor(
    ofac_listed_node: Node,
) -> None:
    before = make(substance={"name": "norfentanyl"}, order_date="2019-01-01")
    with ofac_listed_node.session() as session:
        result = screen_order(session, before)
    assert result.substance.controls == ()
    assert sum(r.code == "SUBSTANCE.PENDING" for r in result.reasons) == 3


def test_an_unknown_substance_is_named_with_its_field_and_needs_review(
    ofac_listed_node: Node,
) -> None:
    with ofac_listed_node.session() as session:
        result = screen_order(session, make(substance={"name": "unobtainium"}))
    [reason] = [r for r in result.reasons if r.code == "SUBSTANCE.UNKNOWN"]
    assert (
        reason.text == "substance not identified: unknown substance 'unobtainium' (substance.name)"
    )
    assert result.verdict != "clear"
