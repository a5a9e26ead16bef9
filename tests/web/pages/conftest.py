"""A node with the Xingtai case, users with passwords, and a browser-like client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jointprobe.accounts import create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.config import Settings
from jointprobe.entities import add_entity
from jointprobe.node import Node, init_node
from jointprobe.scenarios.xingtai import CASE_ID, load_xingtai
from jointprobe.web import create_app

PASSWORDS = {"analyst": "xingtai-analyst-pw", "bob": "bob-other-case-pw", "boss": "supervisor-pw-1"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def web_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """Xingtai (analyst's), a second case of bob's with an edge into Xingtai, a supervisor."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("webnode"), session_secret="s" * 32)
    node = init_node(settings, "us-web", "HSI New Orleans (test)", "US")
    with node.session() as session:
        analyst = create_user(session, "analyst", "analyst", password=PASSWORDS["analyst"])
        load_xingtai(session, analyst)
        bob = create_user(session, "bob", "analyst", password=PASSWORDS["bob"])
        create_user(session, "boss", "supervisor", password=PASSWORDS["boss"])
        create_case(session, bob, CaseIn(id="bob-case", title="Bob's separate case", tlp="RED"))
        props = {"name": ["Informant X"]}
        secret = {"id": "bob-informant", "schema": "Person", "properties": props}
        add_entity(session, bob, secret, case_id="bob-case", tlp="RED")
        link = {
            "id": "bob-link",
            "schema": "UnknownLink",
            "properties": {"subject": ["bob-informant"], "object": ["xt-diana"]},
        }
        add_entity(session, bob, link, case_id="bob-case", tlp="RED")
    assert CASE_ID == "xingtai-2017"
    yield node
    node.close()


@pytest.fixture
def client(web_node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(web_node), follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str | None = None) -> Any:
    token = csrf_of(client.get("/signin").text)
    data = {"username": username, "password": password or PASSWORDS[username], "csrf_token": token}
    return client.post("/signin", data=data)


@pytest.fixture
def analyst(client: TestClient) -> TestClient:
    assert sign_in(client, "analyst").status_code == 303
    return client
