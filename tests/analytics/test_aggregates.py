"""Shared aggregates: counts only, small cells suppressed on send and refused on receipt."""

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.analytics.factories import seizure
from tests.exchange.live import Served, analyst, case, keys, make_node, peer, wait_for

from jointprobe.analytics.aggregates import peer_aggregates, publish_aggregates, suppress
from jointprobe.analytics.periods import DateRange
from jointprobe.analytics.render import render_html
from jointprobe.analytics.report import build_report
from jointprobe.analytics.tables import PeerAggregate
from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.payloads import parse_body
from jointprobe.exchange.tables import InboxEntry
from jointprobe.store.tables import AuditEntry

YEAR = DateRange(date(2023, 1, 1), date(2023, 12, 31))
MARKING = {"tlp": "GREEN", "originator": "us-hsi-nola"}


def test_cells_under_the_minimum_are_suppressed_and_counted() -> None:
    cells = Counter({("2023-Q1", "precursor", "CN"): 7, ("2023-Q1", "other", "MX"): 2})
    kept, suppressed = suppress(cells, 5)
    assert [(c.origin, c.count) for c in kept] == [("CN", 7)] and suppressed == 1


@pytest.mark.parametrize(
    "cell",
    [
        {"quarter": "2023-Q1", "substance_class": "other", "origin": "CN", "count": 7,
         "case_id": "diana"},
        {"quarter": "2023-Q5", "substance_class": "other", "origin": "CN", "count": 7},
        {"quarter": "2023-Q1", "substance_class": "heroin", "origin": "CN", "count": 7},
        {"quarter": "2023-Q1", "substance_class": "other", "origin": "China", "count": 7},
        {"quarter": "2023-Q1", "substance_class": "other", "origin": "CN", "count": 0},
    ],
)  # fmt: skip
def test_an_aggregates_body_carries_counts_and_nothing_else(cell: dict[str, Any]) -> None:
    body = {"period_from": "2023-01-01", "period_to": "2023-12-31", "min_cell": 5,
            "cells": [cell], "marking": MARKING}  # fmt: skip
    with pytest.raises(MalformedEnvelope):
        parse_body("aggregates", body)


@pytest.mark.parametrize(
    "change",
    [
        {"period_to": "2022-12-31"},
        {"cells": [{"quarter": "2021-Q1", "substance_class": "other", "origin": "CN", "count": 7}]},
        {"cells": [{"quarter": "2023-Q1", "substance_class": "other", "origin": "CN", "count": 7}]
         * 2},
    ],
)  # fmt: skip
def test_aggregates_outside_their_period_or_doubled_are_malformed(change: dict[str, Any]) -> None:
    body = {"period_from": "2023-01-01", "period_to": "2023-12-31", "min_cell": 5,
            "cells": [], "marking": MARKING, **change}  # fmt: skip
    with pytest.raises(MalformedEnvelope):
        parse_body("aggregates", body)


def _seizures(node: Any) -> None:
    with node.write_session() as session:
        user = analyst(session)
        for n in range(6):
            seizure(session, user, "diana", date(2023, 2, 1 + n), "fentanyl", origin_country="CN")
        for n in range(3):
            seizure(session, user, "diana", date(2023, 5, 1 + n), "NPP", origin_country="IN")


def test_small_cells_are_refused_on_receipt_and_big_ones_stored(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN", aggregate_min_cell=5)
    try:
        peer(us, cn)
        case(us, "diana")
        _seizures(us)
        with Served(us), Served(cn):
            with us.write_session() as session:
                loose = publish_aggregates(session, analyst(session), keys(us),
                                           to=["cn-mps-nnc"], period=YEAR, min_cell=2)  # fmt: skip
            assert (loose.cells, loose.suppressed) == (2, 0)

            def settled(message_id: str) -> Any:
                with cn.session() as s:
                    entry = s.scalar(select(InboxEntry).where(InboxEntry.message_id == message_id))
                    return entry if entry is not None and entry.state != "held" else None

            refused = wait_for(lambda: settled(loose.message_id))
            assert refused.state == "rejected"
            assert refused.error_code == "apply:aggregates.small_cell"
            with cn.session() as s:
                assert s.scalars(select(PeerAggregate)).all() == []
            with us.write_session() as session:
                strict = publish_aggregates(session, analyst(session), keys(us),
                                            to=["cn-mps-nnc"], period=YEAR, min_cell=5)  # fmt: skip
            assert (strict.cells, strict.suppressed) == (1, 1)
            assert wait_for(lambda: settled(strict.message_id)).state == "applied"
        with cn.session() as s:
            shared = peer_aggregates(s, YEAR)
            audit = s.scalars(select(AuditEntry).where(AuditEntry.object_type == "aggregates"))
            assert [a.action for a in audit] == ["receive"]
        assert shared == {"us-hsi-nola": Counter({("2023-Q1", "fentanyl-related", "CN"): 6})}
        with cn.session() as s:
            html = render_html(build_report(s, analyst(s), YEAR))
        assert "<h3>us-hsi-nola (TLP:GREEN)</h3>" in html and "No data in this range" not in html
        with us.session() as s:
            sent = s.scalars(select(AuditEntry).where(AuditEntry.object_type == "aggregates"))
            assert [a.detail["suppressed"] for a in sent] == [0, 1]
    finally:
        us.close()
        cn.close()
