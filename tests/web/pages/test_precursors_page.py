"""/precursors lists notifications with their deadlines and answers; a regulator answers one;
roles outside the register see neither the page nor its link."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi.testclient import TestClient
from tests.precursors.pair import Wire, keys, make, trust, user

from jointprobe.accounts.service import set_password
from jointprobe.precursors import PenIn, parse_form, send_pen
from jointprobe.scenarios.precursor_trade import pen_form
from jointprobe.timeutil import utcnow
from jointprobe.web import create_app

from .conftest import csrf_of

PW = "long-enough-pw"


def _sign_in(client: TestClient, name: str) -> str:
    token = csrf_of(client.get("/signin").text)
    r = client.post("/signin", data={"username": name, "password": PW, "csrf_token": token})
    assert r.status_code == 303, r.text
    page: str = client.get("/precursors").text
    return page


def test_the_register_page_lists_and_answers_notifications(tmp_path: Path) -> None:
    cn, us = make(tmp_path, "cn-nnc", "CN"), make(tmp_path, "us-dea", "US")
    try:
        trust(cn, us)
        with us.session() as session:
            for name in ("reg", "analyst", "liaison"):
                set_password(user(session, name), PW)
        form = parse_form(PenIn, pen_form(utcnow()))
        with cn.write_session() as session:
            pen_id = send_pen(session, user(session, "reg"), keys(cn), form, to="us-dea")
        Wire().carry(cn, us)
        with TestClient(create_app(us), follow_redirects=False) as client:
            text = _sign_in(client, "analyst")
            assert pen_id not in text and 'href="/precursors"' not in text
        with TestClient(create_app(us), follow_redirects=False) as client:
            text = _sign_in(client, "liaison")
            assert f'data-pen="{pen_id}"' in text and "pen-answer" not in text
        with TestClient(create_app(us), follow_redirects=False) as client:
            text = _sign_in(client, "reg")
            assert 'href="/precursors"' in text and form.reference in text
            assert form.reply_by.strftime("%Y-%m-%d") in text
            url = f"/precursors/{pen_id}/answer"
            data = {"csrf_token": csrf_of(text), "peer_id": "cn-nnc", "decision": "objection"}
            r = client.post(url, data=data)
            assert r.status_code == 422 and "must give its reason" in html.unescape(r.text)
            r = client.post(url, data={**data, "reason": "Importer not registered"})
            assert r.status_code == 303, r.text
            text = client.get("/precursors").text
            assert 'data-decision="objection"' in text and "Importer not registered" in text
            assert "pen-answer" not in text  # answered once: no form any more
    finally:
        cn.close()
        us.close()
