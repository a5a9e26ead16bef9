"""Domestic leads of a customer list on non-US nodes: routing tables per node, provinces.

The people in these lists are FICTIONAL (made up for the tests; 555-01xx numbers,
example.* e-mail domains).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.exchange.live import analyst, case, keys, make_node, peer
from typer.testing import CliRunner

from jointprobe.cli.main import app
from jointprobe.exchange.tables import OutboxEntry, Referral
from jointprobe.leads.fromlist import ListReport, ListRequest, from_list
from jointprobe.leads.listmap import read_list_mapping
from jointprobe.leads.listread import read_list
from jointprobe.leads.tables import RoutingTableInvalid
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, Case, CaseEvent, Entity

MAPPING = """
id: ref
properties: {name: name, phone: phone, address: address}
jurisdiction: {country: country}
phone_region: CN
fictional: true
"""
HEADER = "ref,name,phone,address,country\n"
HEBEI = "1,Wang Example,,河北省邢台市桥东区 1 号,\n"
HEBEI_PINYIN = '2,Li Example,,"Xingtai, Hebei, China",\n'
US_BUYER = '3,Ann Example,+1 212 555 0101,"5 Main St, New York, NY",US\n'
HONG_KONG = "4,Chan Example,,香港九龙弥敦道 1 号,China\n"
NO_PROVINCE = "5,Zhao Example,,,CN\n"
BROKEN = "6,broken\n"


@pytest.fixture()
def cn_us(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """A Chinese node (the list's case) peered with a US node."""
    cn = make_node(tmp_path, "cn-mps-nnb", "MPS narcotics", "CN")
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    peer(cn, us)
    case(cn, "seized-2017")
    try:
        yield cn, us
    finally:
        cn.close()
        us.close()


def _run(node: Node, text: str, **kw: Any) -> ListReport:
    spec = read_list_mapping(MAPPING)
    with node.write_session() as session:
        read = read_list(HEADER + text, "csv", spec, where="buyers.csv")
        request = ListRequest(case_id="seized-2017", name="buyers.csv")
        return from_list(session, analyst(session), keys(node), read, spec, request, **kw)


def _route(report: ListReport, jurisdiction: str) -> Any:
    return next(r for r in report.routes if r.jurisdiction == jurisdiction)


def _counts(node: Node) -> tuple[int, ...]:
    with node.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(t)) or 0
            for t in (Entity, Case, CaseEvent, OutboxEntry, Referral)
        )


def test_a_chinese_node_routes_a_hebei_buyer_to_the_hebei_department(
    cn_us: tuple[Node, Node],
) -> None:
    cn, _ = cn_us
    report = _run(cn, HEBEI + HEBEI_PINYIN + US_BUYER + NO_PROVINCE)
    hebei = _route(report, "CN-HE")
    assert (hebei.kind, hebei.to, hebei.count) == ("office", "hebei-psd", 2)
    assert hebei.name == "Hebei Provincial Public Security Department (河北省公安厅)"
    assert _route(report, "US").kind == "peer"  # abroad, as before
    nowhere = _route(report, "CN")
    assert nowhere.kind == "queue" and "no CN province in the lead's address" in nowhere.note
    assert "HSI" not in str(nowhere.name) and "Narcotics Control Bureau" in str(nowhere.name)
    with cn.session() as session:
        office_case = session.get(Case, hebei.refs[0])
        assert office_case is not None and office_case.id.startswith("leads-hebei-psd")
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == office_case.id))
        leads = [e for e in events if e.kind == "referral"]
        assert len(leads) == 2 and {e.details["state"] for e in leads} == {"HE"}
        assert all("routed to Hebei Provincial" in e.title for e in leads)


def test_a_hong_kong_address_on_a_chinese_node_goes_to_no_mainland_department(
    cn_us: tuple[Node, Node], tmp_path: Path
) -> None:
    cn, _ = cn_us
    report = _run(cn, HONG_KONG)
    hk = _route(report, "HK")
    assert hk.kind == "unsent" and hk.to is None and "no trusted peer covers HK" in hk.note
    with cn.session() as session:
        assert session.scalars(select(Case.id).where(Case.id.like("leads-%"))).all() == []
    # a node whose own table lists Hong Kong works it itself
    table = tmp_path / "cn.yaml"
    table.write_text("country: CN\ndefault: {id: q, name: Queue, note: held}\noffices:\n"
                     "  hk-desk: {name: Hong Kong liaison desk, regions: [HK]}\n")  # fmt: skip
    again = _run(cn, HONG_KONG.replace("4,", "7,"), routing_file=table)
    assert (_route(again, "HK").kind, _route(again, "HK").to) == ("office", "hk-desk")


def test_a_node_of_a_country_without_a_table_queues_its_people_under_its_own_name(
    tmp_path: Path,
) -> None:
    de = make_node(tmp_path, "de-bka-test", "BKA test node", "DE")
    try:
        case(de, "seized-2017")
        report = _run(de, '8,Dee Example,,"Hauptstr. 1, Berlin, Germany",\n')
        queue = _route(report, "DE")
        assert (queue.kind, queue.to, queue.name) == ("queue", "unrouted", "Unrouted leads (BKA "
                                                     "test node)")  # fmt: skip
        assert "no routing table is configured" in queue.note and "HSI" not in queue.note
    finally:
        de.close()


def test_a_bad_routing_file_is_a_clear_error_and_nothing_is_written_or_sent(
    cn_us: tuple[Node, Node], tmp_path: Path
) -> None:
    cn, _ = cn_us
    bad = tmp_path / "offices.yaml"
    office = "{name: Hebei, regions: [CN-HE], provinces: [HE]}"
    bad.write_text(f"default: {{id: q, name: Q, note: held}}\noffices: {{hebei: {office}}}\n")
    before = _counts(cn)
    text = HEBEI + US_BUYER + BROKEN
    with pytest.raises(RoutingTableInvalid) as caught:
        _run(cn, text, routing_file=bad)
    assert caught.value.detail == (f"routing table {bad}: offices.hebei: unknown key(s) provinces")
    assert _counts(cn) == before  # no person, lead case, referral or message
    with cn.session() as session:
        lists = select(AuditEntry).where(AuditEntry.object_type == "lead_list")
        assert session.scalars(lists).all() == []
    # fixed, the same list goes in and its bad row is reported by line
    bad.write_text(bad.read_text().replace(", provinces: [HE]", ""))
    report = _run(cn, text, routing_file=bad)
    assert report.bad == [(4, "2 fields, the header has 5")]
    assert _route(report, "CN-HE").to == "hebei" and _route(report, "US").kind == "peer"


def test_the_cli_reads_the_routing_file_setting_and_refuses_a_bad_one(tmp_path: Path) -> None:
    runner = CliRunner()
    d = tmp_path / "node"

    def jp(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        result = runner.invoke(app, ["--data-dir", str(d), *args], env=env)
        return result.exit_code, result.output

    assert jp("init", "--node-id", "cn-test", "--name", "T", "--country", "CN")[0] == 0
    assert jp("case", "create", "Seized list", "--id", "seized-2017")[0] == 0
    (tmp_path / "map.yaml").write_text(MAPPING)
    (tmp_path / "buyers.csv").write_text(HEADER + HEBEI)
    args = ["leads", "from-list", str(tmp_path / "buyers.csv"), "--case", "seized-2017",
            "--mapping", str(tmp_path / "map.yaml"), "--dry-run"]  # fmt: skip
    code, out = jp(*args)
    assert code == 0 and "CN-HE" in out and "hebei-psd" in out, out
    bad = tmp_path / "offices.yaml"
    bad.write_text("default: {id: q, name: Q, note: held}\noffices: {a: {name: A, regions: [XX]}}")
    code, out = jp(*args, env={"JOINTPROBE_LEADS_ROUTING_FILE": str(bad)})
    flat = " ".join(out.split())
    assert code == 7 and f"routing table {bad}: offices.a.regions[0]" in flat, out
    assert "Traceback" not in out
