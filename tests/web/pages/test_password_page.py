"""The "Change password" page: CSRF, 422s, the sign-in limit, other browsers signed out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.templates import new_node

from jointprobe.accounts import create_user
from jointprobe.config import Settings
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, SignInFailure
from jointprobe.web import create_app

from .conftest import csrf_of

OLD, NEW = "alice-old-password", "alice-new-password"
LIMIT = 3


class FixedClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def pw_node(db_url: str, tmp_path: Path) -> Iterator[Node]:
    settings = Settings(
        data_dir=tmp_path, database_url=db_url, signin_max_failures=LIMIT, session_secret="p" * 32
    )
    node = new_node(settings, "us-pw", "Passwords (test)", "US")
    with node.session() as session:
        create_user(session, "alice", "analyst", password=OLD)
        create_user(session, "bob", "analyst", password=OLD)
    yield node
    node.close()


def signed_in(node: Node, clock: FixedClock, username: str, password: str = OLD) -> TestClient:
    client = TestClient(create_app(node, clock=clock), follow_redirects=False)
    token = csrf_of(client.get("/signin").text)
    data = {"username": username, "password": password, "csrf_token": token}
    assert client.post("/signin", data=data).status_code == 303
    return client


def sign_in_status(node: Node, clock: FixedClock, username: str, password: str) -> int:
    client = TestClient(create_app(node, clock=clock), follow_redirects=False)
    token = csrf_of(client.get("/signin").text)
    data = {"username": username, "password": password, "csrf_token": token}
    status: int = client.post("/signin", data=data).status_code
    return status


def change(client: TestClient, current: str, new: str, again: str | None = None) -> tuple[int, str]:
    token = csrf_of(client.get("/account/password").text)
    data = {"current": current, "new": new, "again": new if again is None else again,
            "csrf_token": token}  # fmt: skip
    r = client.post("/account/password", data=data)
    return r.status_code, r.text


def test_the_page_needs_a_sign_in_and_is_linked_next_to_sign_out(pw_node: Node) -> None:
    clock = FixedClock()
    anonymous = TestClient(create_app(pw_node, clock=clock), follow_redirects=False)
    assert anonymous.get("/account/password").status_code == 303
    alice = signed_in(pw_node, clock, "alice")
    home = alice.get("/").text
    assert 'href="/account/password"' in home and home.index("/account/password") < home.index(
        "Sign out"
    )
    r = alice.get("/account/password")
    assert r.status_code == 200
    assert 'name="current"' in r.text and 'name="csrf_token"' in r.text


def test_a_change_signs_out_the_other_browsers_and_keeps_this_one(pw_node: Node) -> None:
    clock = FixedClock()
    alice, alice_elsewhere = signed_in(pw_node, clock, "alice"), signed_in(pw_node, clock, "alice")
    bob = signed_in(pw_node, clock, "bob")
    copied = TestClient(create_app(pw_node, clock=clock), follow_redirects=False)
    copied.cookies.update(alice.cookies)  # a copy of this browser's cookie, taken before
    status, text = change(alice, OLD, NEW)
    assert status == 200, text
    assert "Your password is changed; 1 other session(s) signed out." in text
    assert alice.get("/").status_code == 200  # this browser stays signed in
    assert alice_elsewhere.get("/").status_code == 303  # the other one is signed out
    assert copied.get("/").status_code == 303  # so is a copy of this one's old cookie
    assert bob.get("/").status_code == 200
    assert sign_in_status(pw_node, clock, "alice", OLD) == 401
    assert sign_in_status(pw_node, clock, "alice", NEW) == 303
    with pw_node.session() as session:
        details = session.scalars(select(AuditEntry.detail).where(AuditEntry.actor == "alice"))
        assert {"password": "changed", "sessions_ended": 1} in list(details)


@pytest.mark.parametrize(
    ("current", "new", "again", "reason"),
    [
        (OLD, NEW, "something-else", "The two new passwords differ."),
        (OLD, "short", None, "Password must have at least 8 characters."),
        (OLD, OLD, None, "The new password must differ from the current one."),
        ("wrong-password", NEW, None, "The current password is wrong."),
    ],
)
def test_bad_input_re_shows_the_form_with_422(
    pw_node: Node, current: str, new: str, again: str | None, reason: str
) -> None:
    clock = FixedClock()
    alice, elsewhere = signed_in(pw_node, clock, "alice"), signed_in(pw_node, clock, "alice")
    status, text = change(alice, current, new, again)
    assert status == 422 and reason in text and 'name="current"' in text
    assert elsewhere.get("/").status_code == 200  # nothing ended
    assert sign_in_status(pw_node, clock, "alice", OLD) == 303


def test_the_form_needs_its_csrf_token(pw_node: Node) -> None:
    alice = signed_in(pw_node, FixedClock(), "alice")
    data = {"current": OLD, "new": NEW, "again": NEW, "csrf_token": "forged"}
    assert alice.post("/account/password", data=data).status_code == 403
    assert sign_in_status(pw_node, FixedClock(), "alice", OLD) == 303


def test_wrong_current_passwords_count_against_the_sign_in_limit(pw_node: Node) -> None:
    clock = FixedClock()
    alice = signed_in(pw_node, clock, "alice")
    for _ in range(LIMIT):
        assert change(alice, "wrong-password", NEW)[0] == 422
    status, text = change(alice, OLD, NEW)  # even the right one, as at sign-in
    assert status == 429 and "Too many failed sign-ins" in text
    assert sign_in_status(pw_node, clock, "alice", OLD) == 429
    with pw_node.session() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("password_change_failed") == LIMIT
    assert actions.count("signin_locked") == 1


def test_a_right_current_password_clears_the_count(pw_node: Node) -> None:
    clock = FixedClock()
    alice = signed_in(pw_node, clock, "alice")
    for _ in range(LIMIT - 1):
        assert change(alice, "wrong-password", NEW)[0] == 422
    assert change(alice, OLD, NEW)[0] == 200
    with pw_node.session() as session:
        assert session.scalars(select(SignInFailure.scope)).all() == ["address"] * (LIMIT - 1)
