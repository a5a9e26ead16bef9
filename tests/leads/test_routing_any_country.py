"""Leads a node outside the US receives are routed by its table too (Hebei on a CN node).

The people are FICTIONAL (made up for the test).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select
from tests.exchange.factories import referral_body
from tests.exchange.live import HANDLERS, keys, make_node, peer
from typer.testing import CliRunner

from jointprobe.cases import list_events
from jointprobe.cli.main import app
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.workflow import system_user, timeline
from jointprobe.leads import find_lead_case
from jointprobe.leads.tables import INVALID_MESSAGE, node_table
from jointprobe.node import Node
from jointprobe.store.tables import Case
from jointprobe.timeutil import utcnow
from jointprobe.wiring import default_wiring


def person(eid: str, name: str, address: str) -> dict[str, Any]:
    props = {"name": [name], "address": [address], "notes": ["FICTIONAL test person"]}
    return {"item_id": eid, "type": "entity",
            "entity": {"id": eid, "schema": "Person", "properties": props}}  # fmt: skip


def refer(sender: Node, to: Node, items: list[dict[str, Any]], seq: int,
          handlers: Any = None) -> str:  # fmt: skip
    """``sender``'s referral of ``items`` received and applied by ``to``; its id."""
    body = referral_body(keys(sender).node_id)
    body["items"] = [{**item, "marking": body["marking"]} for item in items]
    to_id = keys(to).node_id
    env = seal(keys(sender), kind="referral", body=body, now=utcnow(), seq={to_id: seq},
               recipients={to_id: own_card(to).box_public})  # fmt: skip
    result = receive(to, keys(to), env.to_json(), handlers=handlers or HANDLERS)[0]
    assert result.results[0].status == "applied"
    return env.id


def lead_cases(node: Node) -> list[str]:
    with node.session() as s:
        return sorted(c for c in s.scalars(select(Case.id)) if c.startswith("leads-"))


def test_a_cn_node_routes_a_received_hebei_lead_to_the_hebei_department(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnb", "MPS narcotics bureau", "CN")
    try:
        peer(us, cn)
        items = [person("p1", "Wang Example", "河北省邢台市桥东区 1 号"),
                 person("p2", "Ann Example", "5 Main St, New York, NY, USA")]  # fmt: skip
        rid = refer(us, cn, items, 1)
        with cn.session() as s:
            table = node_table(s)
            hebei = table.route("HE", "CN").office
            assert hebei.id != table.default.id
            case_id = find_lead_case(s, system_user(s), hebei, "us-hsi-nola", rid)
            assert case_id is not None and case_id.startswith(f"leads-{hebei.id}-")
            events = list_events(s, system_user(s), case_id)
            assert [e.details["state"] for e in events] == ["HE"]
            assert events[0].details["routed"] and events[0].fictional
            routed = [e.summary for e in timeline(s, rid, "us-hsi-nola") if e.kind == "routed"]
            assert routed == ["1 leads routed to 1 field offices"]  # the NY buyer is not a lead
        assert lead_cases(cn) == [case_id]
    finally:
        us.close()
        cn.close()


def test_a_node_with_a_configured_table_routes_by_it_whatever_its_country(
    tmp_path: Path,
) -> None:
    offices = tmp_path / "offices.yaml"
    offices.write_text("country: DE\ndefault: {id: q, name: Queue, note: held}\n"
                       "offices: {bka-leads: {name: BKA leads desk, regions: [DE]}}\n")  # fmt: skip
    de = make_node(tmp_path, "de-bka", "BKA", "DE", leads_routing_file=offices)
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    try:
        peer(us, de)
        items = [person("p1", "Max Example", "Hauptstr. 1, München")]
        items[0]["entity"]["properties"]["country"] = ["de"]
        rid = refer(us, de, items, 1, default_wiring(de.settings).inbox_handlers)
        with de.session() as s:
            routed = [e.summary for e in timeline(s, rid, "us-hsi-nola") if e.kind == "routed"]
            assert routed == ["1 leads routed to 1 field offices"]
        (desk,) = lead_cases(de)
        assert desk.startswith("leads-bka-leads-")
    finally:
        us.close()
        de.close()


BAD_TABLE = "default: {id: q, name: Q, note: held}\noffices: {hebei: {name: H}}\n- hunter2: [x\n"


@contextmanager
def hebei_lead_under_a_bad_table(tmp_path: Path) -> Iterator[tuple[Node, Path, str]]:
    """A CN node whose table (in ``secret-dir``) is bad, the Hebei referral it received,
    and the file."""
    secret = tmp_path / "secret-dir"
    secret.mkdir()
    offices = secret / "offices.yaml"
    offices.write_text(BAD_TABLE)
    cn = make_node(tmp_path, "cn-mps-nnb", "MPS narcotics bureau", "CN", leads_routing_file=offices)
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    try:
        peer(us, cn)
        handlers = default_wiring(cn.settings).inbox_handlers
        rid = refer(us, cn, [person("p1", "Wang Example", "河北省邢台市 1 号")], 1, handlers)
        assert lead_cases(cn) == []
        yield cn, offices, rid
    finally:
        us.close()
        cn.close()


def test_a_bad_table_is_named_on_the_timeline_by_the_setting_only(tmp_path: Path) -> None:
    with hebei_lead_under_a_bad_table(tmp_path) as (cn, _, rid), cn.session() as s:
        (event,) = [e for e in timeline(s, rid, "us-hsi-nola") if e.kind == "unrouted"]
        seen = f"{event.summary} {event.body}"
        assert event.summary == f"leads not routed: {INVALID_MESSAGE}"
        assert "secret-dir" not in seen and "hunter2" not in seen and "YAML" not in seen


def test_leads_received_under_a_bad_table_are_routed_once_by_reroute(tmp_path: Path) -> None:
    with hebei_lead_under_a_bad_table(tmp_path) as (cn, offices, rid):
        cli = ["--data-dir", str(cn.settings.data_dir), "leads", "reroute"]
        env = {"JOINTPROBE_LEADS_ROUTING_FILE": str(offices)}
        still_bad = CliRunner().invoke(app, [*cli, "--all-unrouted"], env=env)
        assert still_bad.exit_code == 7 and "not valid YAML" in " ".join(still_bad.output.split())
        offices.write_text("default: {id: q, name: Q, note: held}\n"
                           "offices: {hebei: {name: Hebei PSD, regions: [CN-HE]}}\n")  # fmt: skip
        outputs = [CliRunner().invoke(app, [*cli, *args], env=env)
                   for args in (["--all-unrouted"], ["--all-unrouted"], [rid])]  # fmt: skip
        assert [r.exit_code for r in outputs] == [0, 0, 0], outputs[0].output
        said = [" ".join(r.output.split()) for r in outputs]  # Rich wraps at the width
        assert f"{rid} from us-hsi-nola: routed again: 1 leads routed to 1 field offices" in said[0]
        assert "no referral has unrouted leads" in said[1]
        assert "nothing left to route" in said[2]
        (hebei,) = lead_cases(cn)
        assert hebei.startswith("leads-hebei-")
        with cn.session() as s:
            kinds = [e.kind for e in timeline(s, rid, "us-hsi-nola")]
            assert kinds == ["received", "unrouted", "routed"]
            assert len(list_events(s, system_user(s), hebei)) == 1
