"""Leads from a seized customer list (jointprobe.leads.fromlist), against real nodes.

The people in these lists are FICTIONAL (made up for the tests; 555-01xx numbers,
example.* e-mail domains).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.exchange.live import analyst, case, keys, make_node, peer

from jointprobe.entities import add_entity
from jointprobe.entities.service import case_entities
from jointprobe.errors import InvalidInput, NotFound
from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.markings import marking_from_store
from jointprobe.exchange.tables import OutboxEntry, Referral
from jointprobe.exchange.workflow.release import require_release_to_peer
from jointprobe.leads.fromlist import ListReport, ListRequest, from_list
from jointprobe.leads.listmap import load_list_mapping, read_list_mapping
from jointprobe.leads.listread import ListTooLarge, read_list, read_list_file
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, Case, CaseEvent, Entity
from jointprobe.timeutil import utcnow

MAPPING = """
id: buyer_no
properties:
  name: full_name
  phone: phone
  email: email
  address: address
  birthDate: dob
jurisdiction:
  state: state
  country: country
orders:
  date: order_date
  product: item
date_order: mdy
phone_region: US
fictional: true
"""
HEADER = "buyer_no,full_name,phone,email,address,state,country,dob,order_date,item\n"
ROWS = [
    '1,Ann Example,+1 212 555 0101,ann@mail.example,"5 Main St, New York",NY,US,03/04/1980,'
    "10/02/2017,powder 10 g",
    "2,Bob Example,+1 503 555 0102,bob@mail.example,Portland,Oregon,,,11/05/2017,pills",
    "3,Cy Example,,cy@mail.example,,ZZ,,,,",
    '4,Dee Example,+49 30 5550103,,"Hauptstr. 1, Berlin, Germany",,,,,',
    '5,Eve Example,+86 170 5550 0104,,"Xingtai, Hebei, China",,,,,',
    "6,Fay Example,,fay@mail.example,,,,,,",
    "7,broken row,,",
    "8,Gus Example,,gus@mail.example,,NY,,13/13/1990,,",
]


@pytest.fixture()
def us_cn(tmp_path: Path, db_url: str) -> Iterator[tuple[Node, Node]]:
    """The US node on SQLite and on PostgreSQL (``db_url``), peered with a Chinese node."""
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US", database_url=db_url)
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS narcotics", "CN")
    peer(us, cn)
    case(us, "seized-2017")
    try:
        yield us, cn
    finally:
        us.close()
        cn.close()


def _run(node: Node, text: str, mapping: str = MAPPING, **req: Any) -> ListReport:
    spec = read_list_mapping(mapping)
    with node.write_session() as session:
        read = read_list(text, "csv", spec, where="buyers.csv")
        request = ListRequest(case_id="seized-2017", name="buyers.csv", **req)
        return from_list(session, analyst(session), keys(node), read, spec, request)


def _route(report: ListReport, jurisdiction: str) -> Any:
    return next(r for r in report.routes if r.jurisdiction == jurisdiction)


def _person(report: ListReport, name: str) -> Any:
    return next(p for p in report.people if p.name == name)


def test_bad_rows_are_reported_by_line_and_the_rest_go_in(us_cn: tuple[Node, Node]) -> None:
    us, _ = us_cn
    report = _run(us, HEADER + "\n".join(ROWS) + "\n")
    assert report.bad[0] == (8, "4 fields, the header has 10")
    assert report.bad[1][0] == 9 and report.bad[1][1].startswith("birthDate:")
    assert report.rows == 8 and report.imported == 6 and report.linked == 0
    with us.session() as session:
        people = [e for e in case_entities(session, "seized-2017") if e.schema == "Person"]
        assert sorted(p.properties["name"][0] for p in people) == [
            "Ann Example", "Bob Example", "Cy Example", "Dee Example", "Eve Example",
            "Fay Example",
        ]  # fmt: skip
        assert all(p.fictional for p in people)
        ann = next(p for p in people if p.properties["name"] == ["Ann Example"])
        assert ann.properties["birthDate"] == ["1980-03-04"]
        assert any("date 2017-10-02; product powder 10 g" in n for n in ann.properties["notes"])
        assert not any("Gus" in str(p.properties) for p in people)


def test_us_states_route_to_their_offices_and_the_rule_is_named(us_cn: tuple[Node, Node]) -> None:
    us, _ = us_cn
    report = _run(us, HEADER + "\n".join(ROWS[:2]) + "\n")
    ny, oregon = _route(report, "US-NY"), _route(report, "US-OR")
    assert (ny.kind, ny.to, ny.name, ny.count) == ("office", "hsi-new-york", "HSI New York", 1)
    assert (oregon.kind, oregon.to) == ("office", "hsi-portland")
    assert "state column ('Oregon')" in _person(report, "Bob Example").rule
    with us.session() as session:
        office_case = session.get(Case, ny.refs[0])
        assert office_case is not None and office_case.id.startswith("leads-hsi-new-york")
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == office_case.id))
        lead = next(e for e in events if e.kind == "referral")
        assert lead.fictional and lead.tlp == "AMBER"
        assert lead.details["state"] == "NY" and lead.details["same_as"].startswith("list-")


def test_people_and_their_office_copies_keep_the_cases_stricter_marking(
    us_cn: tuple[Node, Node],
) -> None:
    """A list in a RED case asked for with the default AMBER: every copy stays RED, keeps the
    case's expiry and cannot be released to a peer (review H1)."""
    us, _ = us_cn
    with us.write_session() as session:
        seized = session.get(Case, "seized-2017")
        assert seized is not None
        seized.tlp = "RED"
        seized.handling = {"expires": "2099-01-01T00:00:00Z"}
    report = _run(us, HEADER + ROWS[0] + "\n" + ROWS[5] + "\n")
    ny = _route(report, "US-NY")
    with us.session() as session:
        ann = session.get(Entity, _person(report, "Ann Example").entity_id)
        assert ann is not None and ann.tlp == "RED"
        assert ann.handling["expires"].startswith("2099-01-01")
        note = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == "seized-2017", CaseEvent.kind == "note")
        ).one()
        assert note.tlp == "RED"
        for route in (ny, _route(report, "none")):
            office_case = session.get(Case, route.refs[0])
            assert office_case is not None and office_case.tlp == "RED"
            copies = session.scalars(select(Entity).where(Entity.case_id == office_case.id))
            events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == office_case.id))
            for item in [*copies, *events]:
                assert item.tlp == "RED" and item.handling["expires"].startswith("2099-01-01")
                marking = marking_from_store(item.tlp, item.handling, item.grading,
                                             originator="us-hsi-nola")  # fmt: skip
                with pytest.raises(MarkingForbidden):
                    require_release_to_peer(marking, session, keys(us), "cn-mps-nnc", utcnow())


def test_unknown_state_and_no_jurisdiction_go_to_the_default_queue_with_the_reason(
    us_cn: tuple[Node, Node],
) -> None:
    us, _ = us_cn
    report = _run(us, HEADER + ROWS[2] + "\n" + ROWS[5] + "\n")
    zz = _route(report, "US-ZZ")
    assert zz.kind == "queue" and zz.to == "unrouted"
    assert "no field office for state 'ZZ'" in str(zz.note)
    nowhere = _route(report, "none")
    assert nowhere.kind == "queue" and "no country or state column value" in str(nowhere.note)
    fay = _person(report, "Fay Example")
    assert fay.kind == "queue" and "manual assignment" in str(fay.note)


def test_foreign_person_goes_to_the_responsible_peer_as_a_marked_referral(
    us_cn: tuple[Node, Node],
) -> None:
    us, _ = us_cn
    report = _run(us, HEADER + ROWS[4] + "\n", tlp="GREEN")
    cn = _route(report, "CN")
    assert (cn.kind, cn.to, cn.count, cn.note) == ("peer", "cn-mps-nnc", 1, None)
    assert "address ('China')" in _person(report, "Eve Example").rule
    with us.session() as session:
        sent = session.scalars(select(Referral).where(Referral.id == cn.refs[0])).one()
        assert sent.peer_id == "cn-mps-nnc" and sent.direction == "out"
        assert sent.marking["tlp"] == "AMBER"  # the case's AMBER is stricter than GREEN
        assert sent.marking["originator"] == "us-hsi-nola"
        (item,) = sent.items
        assert item["entity"]["properties"]["name"] == ["Eve Example"]
        assert item["marking"]["tlp"] == "AMBER"
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 1


def test_a_marking_the_agreement_forbids_is_reported_and_nothing_sent(
    us_cn: tuple[Node, Node],
) -> None:
    us, _ = us_cn
    report = _run(us, HEADER + ROWS[4] + "\n", tlp="RED")
    cn = _route(report, "CN")
    assert cn.kind == "unsent" and "not sent to cn-mps-nnc" in str(cn.note)
    with us.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
        assert session.scalar(select(func.count()).select_from(Referral)) == 0


def test_a_country_no_peer_covers_is_reported_and_nothing_sent(us_cn: tuple[Node, Node]) -> None:
    us, _ = us_cn
    report = _run(us, HEADER + ROWS[3] + "\n")
    de = _route(report, "DE")
    assert de.kind == "unsent" and de.to is None and "no trusted peer covers DE" in str(de.note)
    assert "phone" not in _person(report, "Dee Example").rule  # the address decided
    with us.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0


def test_a_chosen_peer_must_cover_the_country_it_is_chosen_for(us_cn: tuple[Node, Node]) -> None:
    """Review L6: ``--peer DE=cn-mps-nnc`` sent German residents to the Chinese node."""
    us, _ = us_cn
    report = _run(us, HEADER + ROWS[4] + "\n", peers={"cn": "cn-mps-nnc"})
    assert _route(report, "CN").to == "cn-mps-nnc"
    with us.session() as session:
        before = session.scalar(select(func.count()).select_from(Entity))
    with pytest.raises(InvalidInput, match="covers CN") as caught:
        _run(us, HEADER + ROWS[3] + "\n", peers={"de": "cn-mps-nnc"})
    assert caught.value.where == "peer"
    assert "only a peer covering DE may be chosen" in caught.value.message
    with us.session() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 1  # the CN one
        assert session.scalar(select(func.count()).select_from(Entity)) == before


def test_phone_country_is_the_fallback_when_the_address_has_none(us_cn: tuple[Node, Node]) -> None:
    us, _ = us_cn
    report = _run(us, HEADER + "9,Hal Example,+86 170 5550 0109,,Somewhere,,,,,\n")
    hal = _person(report, "Hal Example")
    assert hal.jurisdiction == "CN" and "fallback" in hal.rule and hal.kind == "peer"


def test_a_person_the_case_holds_is_linked_not_duplicated(us_cn: tuple[Node, Node]) -> None:
    us, _ = us_cn
    with us.write_session() as session:
        add_entity(
            session, analyst(session),
            {"id": "known-ann", "schema": "Person",
             "properties": {"name": ["A. Example"], "phone": ["+12125550101"]}},
            case_id="seized-2017", fictional=True,
        )  # fmt: skip
    report = _run(us, HEADER + ROWS[0] + "\n")
    ann = _person(report, "Ann Example")
    assert ann.entity_id == "known-ann" and "same E.164 phone +12125550101" in str(ann.matched)
    assert report.linked == 1 and report.imported == 0
    with us.session() as session:
        people = [e for e in case_entities(session, "seized-2017") if e.schema == "Person"]
        assert [p.id for p in people] == ["known-ann"]
    again = _run(us, HEADER + ROWS[1] + "\n")
    assert again.imported == 1
    twice = _run(us, HEADER + ROWS[1] + "\n")  # the same list again: linked to the first import
    assert twice.linked == 1 and twice.imported == 0


def test_dry_run_writes_nothing_but_its_audit_entry(us_cn: tuple[Node, Node]) -> None:
    us, _ = us_cn

    def counts() -> tuple[int, ...]:
        with us.session() as session:
            return tuple(
                session.scalar(select(func.count()).select_from(t)) or 0
                for t in (Entity, Case, CaseEvent, OutboxEntry, Referral)
            )

    before = counts()
    report = _run(us, HEADER + "\n".join(ROWS) + "\n", dry_run=True)
    assert report.dry_run and report.imported == 6
    assert {r.jurisdiction for r in report.routes} >= {"US-NY", "CN", "DE"}
    assert all(r.refs == [] for r in report.routes)
    assert counts() == before
    with us.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "lead_list")
        ).one()
        assert entry.action == "import" and entry.detail["dry_run"] is True


def test_the_import_is_audited_with_its_routes(us_cn: tuple[Node, Node]) -> None:
    us, _ = us_cn
    report = _run(us, HEADER + "\n".join(ROWS) + "\n")
    with us.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "lead_list")
        ).one()
        assert (entry.actor, entry.action, entry.object_id) == ("analyst", "import", "seized-2017")
        assert entry.detail["bad_rows"] == [8, 9] and entry.detail["import_id"] == report.import_id
        routes = {r["jurisdiction"]: r for r in entry.detail["routes"]}
        assert routes["CN"]["to"] == "cn-mps-nnc" and routes["CN"]["refs"]
        creates = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "entity",
                                     AuditEntry.action == "create")
        ).all()  # fmt: skip
        assert len(creates) >= 6


def test_a_case_the_user_may_not_see_is_not_found(us_cn: tuple[Node, Node]) -> None:
    us, _ = us_cn
    spec = read_list_mapping(MAPPING)
    with us.write_session() as session:
        read = read_list(HEADER + ROWS[0], "csv", spec, where="x")
        with pytest.raises(NotFound):
            from_list(session, analyst(session), keys(us), read, spec,
                      ListRequest(case_id="someone-elses"))  # fmt: skip


def test_mapping_naming_a_column_the_file_lacks_is_refused_before_reading() -> None:
    spec = read_list_mapping(MAPPING.replace("email: email", "email: e_mail"))
    with pytest.raises(InvalidInput, match="no column 'e_mail'"):
        read_list(HEADER + ROWS[0], "csv", spec, where="buyers.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("properties: [unclosed", "not valid YAML"),
        ("properties: {name: n, colour: c}", "Person has no property colour"),
        ("properties: {email: e}", "must give a name column"),
        ("properties: {name: n}\njurisdiction: {province: p}", "unknown key(s) province"),
        ("properties: {name: n}\ndate_order: ymd", "date_order is 'ymd'"),
        ("properties: {name: no}", "must be a column name"),
        ("properties: {name: n}\ncolumns: {x: y}", "unknown key(s) columns"),
    ],
)
def test_bad_mappings_are_refused_saying_why(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_list_mapping(text)
    assert message in caught.value.message


def test_a_list_above_the_cap_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "buyers.csv"
    path.write_text(HEADER + "\n".join(ROWS * 20), encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    spec = load_list_mapping(tmp_path / "map.yaml")
    with pytest.raises(ListTooLarge, match="above the cap of 1,000"):
        read_list_file(path, spec, cap=1_000)


def test_json_lines_lists_read_like_csv() -> None:
    spec = read_list_mapping("properties: {name: name, phone: tel}\njurisdiction: {state: st}")
    text = "\n".join([
        json.dumps({"name": "Ivy Example", "tel": "+1 212 555 0110", "st": "NY"}),
        "{not json",
        json.dumps({"tel": "+1 212 555 0111", "st": "NY"}),
    ])  # fmt: skip
    read = read_list(text, "jsonl", spec, where="x.jsonl")
    assert [r.properties["name"] for r in read.rows] == [["Ivy Example"]]
    assert [line for line, _ in read.bad] == [2, 3] and read.bad[1][1] == "no name"


def test_a_number_too_long_for_python_is_a_bad_row_or_a_bad_mapping_not_a_crash() -> None:
    """Review L2a: ints over 4,300 digits raise ValueError (not JSONDecodeError) in json/yaml."""
    spec = read_list_mapping("properties: {name: name, phone: tel}\njurisdiction: {state: st}")
    huge = "9" * 5_000
    text = "\n".join([
        json.dumps({"name": "Ivy Example", "tel": "+1 212 555 0110", "st": "NY"}),
        '{"name": "Jo Example", "tel": ' + huge + "}",
        json.dumps({"name": "Kay Example", "st": "OR"}),
    ])  # fmt: skip
    read = read_list(text, "jsonl", spec, where="x.jsonl")
    assert [r.properties["name"] for r in read.rows] == [["Ivy Example"], ["Kay Example"]]
    assert read.bad == [(2, "a number in it is too long to read")]
    for mapping in (f"id: {huge}", f"properties: {{name: n}}\nphone_region: {huge}"):
        with pytest.raises(InvalidInput, match="number too long") as caught:
            read_list_mapping(mapping)
        assert caught.value.where == "mapping"


def test_a_row_the_entity_checks_refuse_is_reported_and_leaves_nothing(
    us_cn: tuple[Node, Node],
) -> None:
    us, _ = us_cn
    mapping = MAPPING + "customer_of: ring\n"
    with us.write_session() as session:
        add_entity(session, analyst(session), {"id": "ring", "schema": "Organization",
                   "properties": {"name": ["The ring"]}}, case_id="seized-2017")  # fmt: skip
    text = HEADER + ROWS[0] + "\n" + "10,Jo Example,+1 999 1,,,NY,,,,\n"
    report = _run(us, text, mapping=mapping)
    assert [line for line, _ in report.bad] == [3] and "phone" in report.bad[0][1]
    with us.session() as session:
        ids = {e.id for e in case_entities(session, "seized-2017")}
        assert not any("-10" in i for i in ids)  # neither Jo nor Jo's link to the ring
        links = [i for i in ids if "customer-of-ring" in i]
        assert len(links) == 1
