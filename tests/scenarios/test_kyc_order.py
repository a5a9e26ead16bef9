from typing import Any

from jointprobe.accounts import get_user
from jointprobe.entities.normalise import normalise_selector
from jointprobe.node import Node
from jointprobe.scenarios.kyc import demo_order
from jointprobe.screening.order_reading import ReadOrder, parse_order
from jointprobe.screening.order_service import Filing, screen_and_store


def test_the_demo_order_is_fixed_by_its_seed_and_its_wallet_reads() -> None:
    assert demo_order() == demo_order()
    assert demo_order(1) != demo_order()
    wallet = demo_order()["payment_wallet"]
    assert normalise_selector("wallet", wallet) == wallet


def test_the_demo_order_is_held_and_reported_with_its_reasons(
    sqlite_node: Node, make_user: Any
) -> None:
    make_user(sqlite_node, "officer", "analyst")
    with sqlite_node.write_session() as session:
        rows = [ReadOrder(1, order=parse_order(demo_order(), 1))]
        batch = screen_and_store(session, get_user(session, "officer"), rows,
                                 Filing(fictional=True))  # fmt: skip
    [result] = batch.screenings
    codes = {r.code for r in result.reasons}
    assert result.verdict == "hold_and_report"
    assert {"SUBSTANCE.PRECURSOR", "RF.VIRTUAL_CURRENCY", "RF.FORWARDER_CONSIGNEE",
            "RF.NEW_CUSTOMER", "RF.END_USE", "RF.URGENCY", "RF.TRANSIT"} <= codes  # fmt: skip
