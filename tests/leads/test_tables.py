"""Routing tables (jointprobe.leads.tables) and the province rule (jointprobe.leads.provinces)."""

import time
from pathlib import Path

import pytest

from jointprobe.leads.jurisdiction import decide
from jointprobe.leads.listread import ListRow
from jointprobe.leads.provinces import province_in
from jointprobe.leads.tables import (
    RoutingTableInvalid,
    load_table,
    table_for,
    validate_table,
)
from jointprobe.store.tables import NodeIdentity

DEFAULT = "default: {id: q, name: Queue, note: held}\n"


def _node(country: str) -> NodeIdentity:
    return NodeIdentity(id=f"{country.lower()}-test", name=f"Test node {country}", country=country)


def _row(address: str, country: str | None = None) -> ListRow:
    return ListRow(line=2, row_id="r1", properties={"name": ["Wang Example"], "address": [address]},
                   country=country)  # fmt: skip


def test_each_node_country_gets_its_own_packaged_table() -> None:
    us, cn = table_for(None, _node("US")), table_for(None, _node("CN"))
    assert us.route("NY").office.name == "HSI New York"
    hebei = cn.route("HE", "cn")
    assert hebei.routed and hebei.office.name.startswith("Hebei Provincial Public Security")
    assert cn.route("CN-BJ").office.id == "beijing-psb"
    assert {cn.route(p, "cn").routed for p in ("GX", "NM", "XZ", "NX", "XJ", "SH", "CQ")} == {True}
    assert "HSI" not in cn.default.name


def test_a_country_with_no_table_gets_a_queue_named_for_the_node() -> None:
    table = table_for(None, _node("DE"))
    route = table.route(None, "de")
    assert not route.routed and route.office.name == "Unrouted leads (Test node DE)"
    assert route.note is not None and "no routing table is configured" in route.note
    assert "JOINTPROBE_LEADS_ROUTING_FILE" in route.note and "HSI" not in route.note


def test_regions_and_the_older_states_key_route_alike() -> None:
    default = {"id": "q", "name": "Q", "note": "held"}
    states = validate_table(
        {"default": default, "offices": {"ny": {"name": "N", "states": ["NY"]}}}
    )
    regions = validate_table(
        {"default": default, "offices": {"ny": {"name": "N", "regions": ["US-NY"]}}}
    )
    for table in (states, regions):
        assert table.country == "US" and table.route("ny").office.id == "ny"
        assert table.by_state == {"NY": table.offices["ny"]}


def test_a_table_may_list_a_whole_territory(tmp_path: Path) -> None:
    path = tmp_path / "cn.yaml"
    path.write_text(DEFAULT + "country: CN\noffices:\n  he: {name: Hebei, regions: [CN-HE]}\n"
                    "  hk-liaison: {name: HK liaison, regions: [HK]}\n")  # fmt: skip
    table = table_for(path, _node("CN"))
    assert table.covers_country("hk") and not table.covers_country("mo")
    assert table.route(None, "hk").office.id == "hk-liaison"
    assert table.route("HE", "cn").office.id == "he"


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("offices: [unclosed", "(file)", "not valid YAML"),
        ("- a list", "(top)", "must be a mapping"),
        (DEFAULT + "offices: {}\nstate_table: x\n", "(top)", "unknown key(s) state_table"),
        (
            DEFAULT + "offices: {a: {name: A, regions: [CN-HE], province: x}}",
            "offices.a",
            "unknown key(s) province",
        ),
        (
            DEFAULT + "offices: {a: {name: A, regions: [NY]}}",
            "offices.a.regions[0]",
            "neither an ISO 3166-2 code",
        ),
        (
            DEFAULT + "offices: {a: {name: A, states: [New York]}}",
            "offices.a.states[0]",
            "not a two-letter state code",
        ),
        (
            DEFAULT + "country: CN\noffices: {a: {name: A, regions: [US-NY]}}",
            "offices.a.regions[0]",
            "not in the table's country CN",
        ),
        (
            DEFAULT + "offices: {a: {name: A, regions: [CN-HE]}, b: {name: B, regions: [CN-HE]}}",
            "offices.b",
            "CN-HE is assigned to two offices (a, b)",
        ),
        (DEFAULT + "offices: {a: {name: A}}", "offices.a", "either regions or states"),
        (DEFAULT + "offices: {A B: {name: A, regions: [CN-HE]}}", "offices.A B", "office id"),
        ("offices: {}", "default", "must be a mapping with id, name and note"),
        ("default: {id: q, name: Q}\noffices: {}", "default.note", "non-empty text"),
        (DEFAULT + "version: 2\noffices: {}", "version", "only version 1"),
        (DEFAULT + "country: Xanadu\noffices: {}", "country", "not an ISO 3166-1"),
    ],
)
def test_a_bad_table_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = tmp_path / "offices.yaml"
    path.write_text(text)
    with pytest.raises(RoutingTableInvalid) as caught:
        load_table(path)
    assert caught.value.detail.startswith(f"routing table {path}: {key}: ")
    assert problem in caught.value.detail and caught.value.key == key
    assert caught.value.code == "leads.routing_table_invalid" and caught.value.exit_code == 7


def test_a_missing_file_or_a_table_for_another_country_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RoutingTableInvalid) as caught:
        table_for(tmp_path / "absent.yaml", _node("CN"))
    assert "cannot be read" in caught.value.detail
    us = tmp_path / "us.yaml"
    us.write_text(DEFAULT + "offices: {a: {name: A, states: [NY]}}\n")
    with pytest.raises(RoutingTableInvalid) as caught:
        table_for(us, _node("CN"))
    assert "the table is for US and this node is in CN" in caught.value.detail


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("河北省邢台市桥东区", "HE"),
        ("中国河北邢台市", "HE"),
        ("Xingtai City, Hebei Province 054000, China", "HE"),
        ("广西壮族自治区南宁市", "GX"),
        ("Nanning, Guangxi Zhuang Autonomous Region", "GX"),
        ("内蒙古呼和浩特市", "NM"),
        ("Hohhot, Inner Mongolia", "NM"),
        ("北京市朝阳区", "BJ"),
        ("上海市浦东新区", "SH"),
        ("重慶市渝中區", "CQ"),
        ("Lhasa, Tibet", "XZ"),
        ("Xi'an, Shaanxi", "SN"),
        ("Taiyuan, Shanxi", "SX"),
        ("香港九龍彌敦道1號", "HK"),
        ("澳门特别行政区", "MO"),
        ("广州市越秀区北京路1号", None),  # a street named after Beijing, in Guangdong
        ("青岛市市南区香港中路10号", None),  # Hong Kong Middle Road, Qingdao
        ("12 Beijing Road, Guangzhou", None),
        ("5 Main St, Portland, OR", None),
    ],
)
def test_the_province_rule_reads_hanzi_and_pinyin_but_not_streets(
    address: str, code: str | None
) -> None:
    found = province_in(address)
    assert (found[0] if found else None) == code


def test_a_hebei_address_places_the_person_in_cn_he_and_names_the_rule() -> None:
    place = decide(_row("河北省邢台市桥东区"))
    assert (place.country, place.region, place.label) == ("cn", "HE", "CN-HE")
    assert "province in the address ('河北省')" in place.rule
    assert decide(_row("Xingtai, Hebei, China")).label == "CN-HE"
    assert decide(_row("Xingtai, 河北")).label == "CN-HE"
    tibet = decide(_row("Lhasa", country="Tibet"))  # FtM reads Tibet as the territory cn-xz
    assert (tibet.country, tibet.region) == ("cn", "XZ")


def test_hong_kong_macao_and_taiwan_are_their_own_jurisdictions() -> None:
    hk = decide(_row("香港九龙弥敦道1号", country="China"))
    assert (hk.country, hk.region) == ("hk", None)
    assert "not a mainland province" in hk.rule
    assert decide(_row("Kowloon, Hong Kong")).label == "HK"
    assert decide(_row("台湾台北市")).label == "TW"
    assert decide(_row("河北省邢台市", country="HK")).label == "HK"  # the column decides


def _laughs(depth: int = 9) -> str:
    """Lists of lists nine deep by aliases: a few hundred bytes, 9**9 leaves if expanded."""
    lines = ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"&a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, depth)]
    return "[" + ", ".join(lines) + "]"


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "where",
    ["offices: {a: {name: A, regions: [LAUGHS]}}", "offices: {a: {name: A, states: [LAUGHS]}}",
     "country: LAUGHS\noffices: {}", "version: LAUGHS\noffices: {}"],
)  # fmt: skip
def test_aliases_nine_deep_are_refused_at_once_not_expanded(tmp_path: Path, where: str) -> None:
    path = tmp_path / "offices.yaml"
    path.write_text(DEFAULT + where.replace("LAUGHS", _laughs()) + "\n")
    assert path.stat().st_size < 2_000
    started = time.monotonic()
    with pytest.raises(RoutingTableInvalid) as caught:
        load_table(path)
    assert time.monotonic() - started < 1
    assert "a list" in caught.value.detail and "lol" not in caught.value.detail


@pytest.mark.timeout(20)
def test_yaml_nested_too_deeply_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "offices.yaml"
    path.write_text(DEFAULT + "offices: {a: {name: A, regions: " + "[" * 50_000 + "]" * 50_000
                    + "}}\n")  # fmt: skip
    with pytest.raises(RoutingTableInvalid) as caught:
        load_table(path)
    assert caught.value.key == "(file)"


def test_office_keys_of_mixed_types_are_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "offices.yaml"
    path.write_text(DEFAULT + "offices: {a: {name: A, regions: [US-NY], 1: x, b: y}}\n")
    with pytest.raises(RoutingTableInvalid) as caught:
        load_table(path)
    assert caught.value.detail.endswith("unknown key(s) 1, b")
