"""Leads a US node receives are routed with the node's routing table (the setting's file).

The people are FICTIONAL (made up for the test).
"""

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from tests.exchange.live import Served, analyst, case, keys, make_node, peer, wait_for

from jointprobe.entities import add_entity
from jointprobe.exchange.workflow import ReferralIn, send_referral, timeline
from jointprobe.leads.tables import INVALID_MESSAGE
from jointprobe.node import Node
from jointprobe.store.tables import Case
from jointprobe.timeutil import utcnow


def _refer(cn: Node, eid: str) -> str:
    with cn.write_session() as s:
        props = {"name": ["Ann Example"], "address": ["5 Main St, New York, NY, USA"],
                 "notes": ["FICTIONAL test person"]}  # fmt: skip
        add_entity(s, analyst(s), {"id": eid, "schema": "Person", "properties": props},
                   case_id="xingtai-2017", fictional=True)  # fmt: skip
        data = ReferralIn(case_id="xingtai-2017", to=["us-hsi-nola"], title="Buyer leads",
                          narrative="test", requested_action="investigate",
                          due=utcnow() + timedelta(days=9), entity_ids=[eid])  # fmt: skip
        return send_referral(s, analyst(s), keys(cn), data)


def test_received_leads_use_the_routing_file_and_a_bad_one_routes_nothing(
    tmp_path: Path,
) -> None:
    offices = tmp_path / "offices.yaml"
    office = "ny-task-force: {name: NY task force, regions: [US-NY, NY]}"
    offices.write_text(f"default: {{id: q, name: Queue, note: held}}\noffices: {{{office}}}\n")
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US", leads_routing_file=offices)
    cn = make_node(tmp_path, "cn-mps-nnb", "MPS narcotics bureau", "CN")
    try:
        peer(us, cn)
        case(cn, "xingtai-2017")
        with Served(us), Served(cn):
            first = _refer(cn, "b1")

            def events(rid: str, kind: str) -> list[str]:
                with us.session() as s:
                    return [e.summary for e in timeline(s, rid, "cn-mps-nnb") if e.kind == kind]

            (summary,) = wait_for(lambda: events(first, "unrouted"), timeout=60)
            assert summary == f"leads not routed: {INVALID_MESSAGE}"
            assert str(tmp_path) not in summary and "ny-task-force" not in summary
            assert events(first, "received") and not events(first, "routed")
            with us.session() as s:
                assert not [c for c in s.scalars(select(Case.id)) if c.startswith("leads-")]
            offices.write_text(offices.read_text().replace(", NY]", "]"))  # fixed
            second = _refer(cn, "b2")
            (summary,) = wait_for(lambda: events(second, "routed"), timeout=60)
            assert summary == "1 leads routed to 1 field offices"
            with us.session() as s:
                ids = [c for c in s.scalars(select(Case.id)) if c.startswith("leads-")]
                assert len(ids) == 1 and ids[0].startswith("leads-ny-task-force-")
    finally:
        us.close()
        cn.close()
