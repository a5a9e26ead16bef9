"""Sign-out and sign-in limits that hold across restarts: the node store, both engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.templates import new_node

from jointprobe.accounts import create_user, set_active, set_role
from jointprobe.accounts.service import authenticate_password
from jointprobe.config import Settings
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, SignInFailure
from jointprobe.web import create_app
from jointprobe.web.session import COOKIE_NAME

from .conftest import CSRF, csrf_of

PASSWORD = "alice-long-password"
LIMIT, PER_ADDRESS, WINDOW = 3, 5, 600


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def limited_node(db_url: str, tmp_path: Path) -> Iterator[Node]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=db_url,
        signin_max_failures=LIMIT,
        signin_max_failures_per_address=PER_ADDRESS,
        signin_failure_window_seconds=WINDOW,
    )
    node = new_node(settings, "us-limits", "Sign-in limits (test)", "US")
    with node.session() as session:
        create_user(session, "alice", "analyst", password=PASSWORD)
        create_user(session, "carol", "analyst", password=PASSWORD)
    yield node
    node.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def browser(node: Node, clock: FakeClock, address: str = "192.0.2.10") -> TestClient:
    app = create_app(node, clock=clock)
    return TestClient(app, follow_redirects=False, client=(address, 50000))


def attempt(client: TestClient, username: str, password: str) -> tuple[int, str, str]:
    token = csrf_of(client.get("/signin").text)
    data = {"username": username, "password": password, "csrf_token": token}
    r = client.post("/signin", data=data)
    page = CSRF.sub("CSRF", r.text).replace(username, "NAME")
    return r.status_code, page, r.headers.get("retry-after", "")


def signed_in(node: Node, clock: FakeClock, username: str = "alice") -> TestClient:
    client = browser(node, clock)
    assert attempt(client, username, PASSWORD)[0] == 303
    assert client.get("/").status_code == 200
    return client


def audit_actions(node: Node) -> list[str]:
    with node.session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_signed_out_cookie_is_refused_after_a_restart(
    limited_node: Node, clock: FakeClock
) -> None:
    with signed_in(limited_node, clock) as client:
        cookie = client.cookies.get(COOKIE_NAME) or ""
        client.post("/signout", data={"csrf_token": csrf_of(client.get("/").text)})
    with browser(limited_node, clock) as restarted:  # a new app: nothing kept in memory
        restarted.cookies.set(COOKIE_NAME, cookie)
        r = restarted.get("/")
        assert r.status_code == 303 and r.headers["location"].startswith("/signin")
        assert restarted.get("/signin").status_code == 200  # no redirect loop
    assert audit_actions(limited_node)[-2:] == ["signin", "signout"]


def test_a_live_session_survives_a_restart(limited_node: Node, clock: FakeClock) -> None:
    with signed_in(limited_node, clock) as client:
        cookie = client.cookies.get(COOKIE_NAME) or ""
    with browser(limited_node, clock) as restarted:
        restarted.cookies.set(COOKIE_NAME, cookie)
        assert restarted.get("/").status_code == 200


def test_a_session_expires_by_the_apps_clock(limited_node: Node, clock: FakeClock) -> None:
    with signed_in(limited_node, clock) as client:
        clock.advance(limited_node.settings.session_max_age_seconds)
        r = client.get("/")
        assert r.status_code == 303 and "expired=1" in r.headers["location"]


def test_signing_in_again_ends_the_previous_session(limited_node: Node, clock: FakeClock) -> None:
    with signed_in(limited_node, clock) as client:
        first = client.cookies.get(COOKIE_NAME) or ""
        token = csrf_of(client.get("/").text)
        data = {"username": "carol", "password": PASSWORD, "csrf_token": token}
        assert client.post("/signin", data=data).status_code == 303
        second = client.cookies.get(COOKIE_NAME) or ""
    for cookie, status in ((first, 303), (second, 200)):
        with browser(limited_node, clock) as other:
            other.cookies.set(COOKIE_NAME, cookie)
            assert other.get("/").status_code == status


def test_disabling_a_user_or_changing_their_role_ends_their_sessions(
    limited_node: Node, clock: FakeClock
) -> None:
    alice, carol = signed_in(limited_node, clock, "alice"), signed_in(limited_node, clock, "carol")
    with limited_node.session() as session:
        set_active(session, "alice", False, actor="operator")
        set_role(session, "carol", "supervisor", actor="operator")
    for client in (alice, carol):
        assert client.get("/").status_code == 303
        assert client.get("/signin").status_code == 200  # not bounced back: no loop
    assert attempt(alice, "alice", PASSWORD)[0] == 401  # disabled
    assert attempt(carol, "carol", PASSWORD)[0] == 303  # a new session with the new role
    assert carol.get("/").status_code == 200


def test_failures_over_the_limit_refuse_even_the_right_password_with_429(
    limited_node: Node, clock: FakeClock
) -> None:
    client = browser(limited_node, clock)
    for _ in range(LIMIT):
        assert attempt(client, "alice", "wrong password")[0] == 401
    status, text, retry = attempt(client, "alice", PASSWORD)
    assert status == 429
    assert "Too many failed sign-ins. Try again in 10 minutes." in text
    assert retry == str(WINDOW)
    assert client.get("/").status_code == 303  # not signed in
    actions = audit_actions(limited_node)
    assert actions.count("signin_failed") == LIMIT and actions.count("signin_locked") == 1
    assert "signin" not in actions


def test_the_limit_lifts_once_the_failures_leave_the_window(
    limited_node: Node, clock: FakeClock
) -> None:
    client = browser(limited_node, clock)
    for _ in range(LIMIT):
        attempt(client, "alice", "wrong password")
        clock.advance(60)
    clock.advance(WINDOW - LIMIT * 60)  # the first failure has just left the window
    assert attempt(client, "alice", "wrong password")[0] == 401
    status, _text, retry = attempt(client, "alice", PASSWORD)
    assert status == 429 and retry == "60"  # until the second failure leaves it
    clock.advance(60)
    assert attempt(client, "alice", PASSWORD)[0] == 303


def test_a_successful_sign_in_clears_the_count(limited_node: Node, clock: FakeClock) -> None:
    client = browser(limited_node, clock)
    for _ in range(LIMIT - 1):
        attempt(client, "alice", "wrong password")
    assert attempt(client, "alice", PASSWORD)[0] == 303
    other = browser(limited_node, clock, "192.0.2.99")
    for _ in range(LIMIT - 1):
        assert attempt(other, "alice", "wrong password")[0] == 401
    assert attempt(other, "alice", PASSWORD)[0] == 303


def test_an_unknown_name_is_answered_exactly_like_a_known_one(
    limited_node: Node, clock: FakeClock
) -> None:
    known = [attempt(browser(limited_node, clock, "192.0.2.1"), "alice", "wrong password")]
    unknown = [attempt(browser(limited_node, clock, "192.0.2.2"), "nobody", "wrong password")]
    for _ in range(LIMIT):
        known.append(attempt(browser(limited_node, clock, "192.0.2.1"), "alice", "wrong pw"))
        unknown.append(attempt(browser(limited_node, clock, "192.0.2.2"), "nobody", "wrong pw"))
    assert [r[0] for r in known] == [401] * LIMIT + [429]
    assert known == unknown  # same status, same page (name aside), same Retry-After


def test_one_address_trying_many_names_is_refused_too(limited_node: Node, clock: FakeClock) -> None:
    client = browser(limited_node, clock)
    for number in range(PER_ADDRESS):
        assert attempt(client, f"guess{number}", "wrong password")[0] == 401
    assert attempt(client, "alice", PASSWORD)[0] == 429
    assert attempt(browser(limited_node, clock, "192.0.2.77"), "alice", PASSWORD)[0] == 303


def test_an_attempt_is_counted_before_its_password_is_checked(
    limited_node: Node, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simultaneous guesses cannot all pass the check: each is counted before its hash runs."""
    import jointprobe.web.pages.auth as auth_page

    real = authenticate_password
    seen: list[int] = []

    def counting(session: Any, name: str, password: str) -> Any:
        with limited_node.session() as s:
            seen.append(len(s.scalars(select(SignInFailure)).all()))
        return real(session, name, password)

    monkeypatch.setattr(auth_page, "authenticate_password", counting)
    client = browser(limited_node, clock)
    assert attempt(client, "alice", "wrong password")[0] == 401
    assert seen == [2]  # the name's and the address's count, before the hash was checked
    assert attempt(client, "alice", PASSWORD)[0] == 303
    with limited_node.session() as s:  # a success takes its own count back, and the name's
        assert s.scalars(select(SignInFailure.scope)).all() == ["address"]
