from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from jointprobe.accounts import set_active, set_role
from jointprobe.accounts.web_sessions import (
    end_session,
    session_is_live,
    session_ref,
    start_session,
)
from jointprobe.node import Node
from jointprobe.store.tables import WebSignIn

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_session_is_live_until_it_ends_and_only_for_its_user(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        start_session(session, "sid-1", alice.id, NOW + HOUR, NOW)
    with node.session() as session:
        assert session_is_live(session, "sid-1", alice.id)
        assert not session_is_live(session, "sid-1", alice.id + 1)
        assert not session_is_live(session, "sid-2", alice.id)
        assert end_session(session, "sid-1", "signout", NOW)
    with node.session() as session:
        assert not session_is_live(session, "sid-1", alice.id)
        assert not end_session(session, "sid-1", "signout", NOW)


def test_only_a_hash_of_the_session_id_is_stored(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        start_session(session, "secret-sid", alice.id, NOW + HOUR, NOW)
        stored = session.scalars(select(WebSignIn.sid_hash)).all()
    assert stored == [session_ref("secret-sid")] and "secret-sid" not in stored[0]


def test_expired_rows_are_pruned_by_the_next_sign_in(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        start_session(session, "old", alice.id, NOW + HOUR, NOW)
    with node.session() as session:
        start_session(session, "new", alice.id, NOW + 3 * HOUR, NOW + 2 * HOUR)
    with node.session() as session:
        assert session.scalars(select(WebSignIn.sid_hash)).all() == [session_ref("new")]


def test_disabling_or_changing_the_role_ends_every_session_of_that_user(
    node: Node, make_user: Any
) -> None:
    alice, bob = make_user(node, "alice"), make_user(node, "bob")
    with node.session() as session:
        for sid, user in (("a1", alice), ("a2", alice), ("b1", bob)):
            start_session(session, sid, user.id, NOW + HOUR, NOW)
    with node.session() as session:
        set_role(session, "alice", "chemist")
    with node.session() as session:
        assert not session_is_live(session, "a1", alice.id)
        assert not session_is_live(session, "a2", alice.id)
        assert session_is_live(session, "b1", bob.id)
        set_active(session, "bob", False)
    with node.session() as session:
        assert not session_is_live(session, "b1", bob.id)
        reasons = dict(session.execute(select(WebSignIn.sid_hash, WebSignIn.end_reason)).all())
    assert reasons[session_ref("a1")] == "role_changed"
    assert reasons[session_ref("b1")] == "user_disabled"
