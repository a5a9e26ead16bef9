from __future__ import annotations

from importlib import import_module

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from jointprobe.entities import add_entity
from jointprobe.node import Node
from jointprobe.store.tables import Selector, User

from .conftest import sign_in


def _diana_phone(web_node: Node) -> str:
    with web_node.session() as s:
        query = select(Selector.value).where(Selector.entity_id == "xt-diana-phone",
                                             Selector.kind == "phone")  # fmt: skip
        return str(s.scalars(query).one())


def test_network_page_expands_a_selector_and_hides_the_other_case(
    analyst: TestClient, web_node: Node
) -> None:
    r = analyst.get("/network", params={"q": _diana_phone(web_node), "hops": 2})
    assert r.status_code == 200
    assert 'id="network-form"' in r.text and 'id="graph"' in r.text
    assert "known elsewhere" in r.text  # bob's link to Diana, in a case the analyst may not see
    for secret in ("Informant X", "bob-informant", "bob-case", "bob-link"):
        assert secret not in r.text
    assert "xt-diana" in r.text


def test_network_page_says_why_a_selector_gives_nothing(analyst: TestClient) -> None:
    r = analyst.get("/network", params={"q": "nobody@nowhere.example"})
    assert r.status_code == 404 and "no entity on this node holds" in r.text
    r = analyst.get("/network", params={"q": "12345", "hops": 1})
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert analyst.get("/network").status_code == 200  # the empty form


def test_network_json_expands_one_hop_in_place_and_refuses_hidden_entities(
    analyst: TestClient,
) -> None:
    data = analyst.get("/network.json", params={"entity": "xt-diana"}).json()
    ids = {n["data"]["id"] for n in data["nodes"]}
    assert "xt-diana" in ids and "xt-diana~hidden-1" in ids
    assert analyst.get("/network.json", params={"entity": "bob-informant"}).status_code == 404


def test_case_graph_page_has_the_selector_form(analyst: TestClient) -> None:
    r = analyst.get("/cases/xingtai-2017/graph")
    assert 'id="selector-form"' in r.text and 'action="/network"' in r.text


def test_case_page_lists_cross_case_links_by_owner_only(web_node: Node, client: TestClient) -> None:
    phone = _diana_phone(web_node)
    with web_node.session() as s:
        bob = s.scalars(select(User).where(User.username == "bob")).one()
        add_entity(s, bob, {"id": "bob-phone-holder", "schema": "Person",
                            "properties": {"name": ["Caller Z"], "phone": [phone]}},
                   case_id="bob-case", tlp="RED")  # fmt: skip
        s.commit()
    assert sign_in(client, "analyst").status_code == 303
    r = client.get("/cases/xingtai-2017")
    assert 'id="cross-case-links"' in r.text and "a case you may not see" in r.text
    assert "Caller Z" not in r.text and "bob-phone-holder" not in r.text
    assert "bob-case" not in r.text


def test_network_page_says_which_selectors_were_too_common_to_follow(
    analyst: TestClient, web_node: Node, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_module("jointprobe.network.expand"), "MAX_HOLDERS", 1)
    r = analyst.get("/network", params={"q": _diana_phone(web_node), "hops": 2})
    assert r.status_code == 200 and 'id="network-notes"' in r.text
    assert "held by more than 1 entities" in r.text


def _national(phone: str) -> str:
    """A Chinese number as dialled at home: no country code, a trunk 0."""
    assert phone.startswith("+86")
    return "0" + phone.removeprefix("+86")


def test_network_page_takes_a_kind_and_a_phone_region(analyst: TestClient, web_node: Node) -> None:
    national = _national(_diana_phone(web_node))
    r = analyst.get("/network", params={"q": national, "kind": "phone", "region": "CN"})
    assert r.status_code == 200 and "xt-diana" in r.text
    assert '<option value="phone" selected>' in r.text and 'value="CN"' in r.text
    assert 'id="network-region"' in r.text and '<option value="wallet">' in r.text
    # without the region the number has no country: it does not read as a phone
    assert analyst.get("/network", params={"q": national, "kind": "phone"}).status_code == 422
    # as a name it is no name anybody holds
    assert analyst.get("/network", params={"q": national, "kind": "name"}).status_code in {404, 422}
