"""/api/v1/deconflict and the /deconflict pages: need-to-know, owner's consent, the reveal."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from jointprobe import deconflict
from jointprobe.accounts import create_token, create_user
from jointprobe.accounts.service import set_password
from jointprobe.exchange.identity import node_keys
from jointprobe.node import Node
from jointprobe.store.tables import User
from jointprobe.web import create_app

from ..deconflict.pairs import CN, Carrier, case_with_phones, two_nodes, user

PW = "long-enough-password"


def _tokens(node: Node, *names: str) -> dict[str, dict[str, str]]:
    with node.write_session() as s:
        for name in names:
            if name != "analyst":
                create_user(s, name, "analyst", password=PW)
        return {n: {"Authorization": f"Bearer {create_token(s, n)}"} for n in names}


def test_the_api_runs_a_session_and_keeps_need_to_know(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path)
    case_with_phones(us, "diana", ["+86 311 5555 0101", "+1 504 555 0100"])
    case_with_phones(cn, "xingtai", ["+86 311 5555 0101"])
    uh, ch = _tokens(us, "analyst", "eve"), _tokens(cn, "analyst")
    carrier = Carrier()
    with TestClient(create_app(us)) as ua, TestClient(create_app(cn)) as ca:
        r = ua.post("/api/v1/deconflict", headers=uh["eve"],
                    json={"peer": CN, "case_id": "diana"})  # fmt: skip
        assert r.status_code == 404, r.text
        r = ua.post("/api/v1/deconflict", headers=uh["analyst"],
                    json={"peer": CN, "case_id": "diana", "kinds": ["email"]})  # fmt: skip
        assert (r.status_code, r.json()["code"]) == (409, "deconflict.empty")
        r = ua.post("/api/v1/deconflict", headers=uh["analyst"],
                    json={"peer": CN, "case_id": "diana"})  # fmt: skip
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        assert ua.get(f"/api/v1/deconflict/{sid}", headers=uh["eve"]).status_code == 404
        assert ua.get("/api/v1/deconflict", headers=uh["eve"]).json() == []
        carrier.settle(us, cn)
        r = ca.post(f"/api/v1/deconflict/{sid}/join", headers=ch["analyst"],
                    json={"case_id": "xingtai"})  # fmt: skip
        assert r.status_code == 200 and r.json()["state"] == "joining", r.text
        carrier.settle(us, cn)
        for client, head in ((ua, uh), (ca, ch)):
            view = client.get(f"/api/v1/deconflict/{sid}", headers=head["analyst"]).json()
            assert (view["state"], view["count"], view["shared"]) == ("counted", 1, [])
            r = client.post(f"/api/v1/deconflict/{sid}/consent", headers=head["analyst"])
            assert r.status_code == 200, r.text
            carrier.settle(us, cn)
        view = ua.get(f"/api/v1/deconflict/{sid}", headers=uh["analyst"]).json()
        assert view["state"] == "revealed"
        assert [(x["kind"], x["value"]) for x in view["shared"]] == [("phone", "+8631155550101")]
        assert view["shared"][0]["records"][0]["id"] == "diana-p0"


def test_the_pages_show_a_session_and_let_the_owner_consent(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path, session_secret="s" * 32)
    with us.write_session() as s:
        set_password(s.scalars(select(User).where(User.username == "analyst")).one(), PW)
    case_with_phones(us, "diana", ["+86 311 5555 0101"])
    case_with_phones(cn, "xingtai", ["+86 311 5555 0101"])
    carrier = Carrier()
    with TestClient(create_app(us), follow_redirects=False) as web:
        token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/signin").text)
        assert token
        r = web.post("/signin", data={"username": "analyst", "password": PW,
                                      "csrf_token": token.group(1)})  # fmt: skip
        assert r.status_code == 303
        page = web.get("/deconflict").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf and "Start a session" in page
        r = web.post("/deconflict", data={"peer": CN, "case_id": "diana", "kinds": "phone",
                                          "csrf_token": csrf.group(1)})  # fmt: skip
        assert r.status_code == 303, r.text
        sid = r.headers["location"].rsplit("/", 1)[1]
        carrier.settle(us, cn)
        with cn.write_session() as s:
            deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai")
        carrier.settle(us, cn)
        page = web.get(f"/deconflict/{sid}").text
        assert 'data-count="1"' in page and "Agree to reveal" in page
        r = web.post(f"/deconflict/{sid}/consent", data={"csrf_token": csrf.group(1)})
        assert r.status_code == 303
        r = web.post(f"/deconflict/{sid}/nonsense", data={"csrf_token": csrf.group(1)})
        assert r.status_code == 422
