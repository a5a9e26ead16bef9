"""Changing and resetting passwords: checks, hashing, and which sessions end (both engines)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from jointprobe.accounts import (
    authenticate_password,
    authenticate_token,
    change_password,
    create_token,
    reset_password,
)
from jointprobe.accounts.web_sessions import session_is_live, start_session
from jointprobe.errors import InvalidInput, NotFound, Unauthorized
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, User, WebSignIn

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
OLD, NEW = "alice-old-password", "alice-new-password"


def _sessions(node: Node, *pairs: tuple[str, int]) -> None:
    with node.session() as session:
        for sid, user_id in pairs:
            start_session(session, sid, user_id, NOW + HOUR, NOW)


def test_a_wrong_current_password_changes_nothing(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice", password=OLD)
    _sessions(node, ("a1", alice.id), ("a2", alice.id))
    with node.session() as session, pytest.raises(Unauthorized) as caught:
        change_password(session, "alice", "not my password", NEW, keep_sid="a1", now=NOW)
    assert caught.value.code == "auth.wrong_password"
    assert caught.value.message == "the current password is wrong"
    with node.session() as session:
        assert authenticate_password(session, "alice", OLD).id == alice.id
        assert session_is_live(session, "a2", alice.id)


def test_an_unknown_or_disabled_user_gets_the_same_answer(node: Node, make_user: Any) -> None:
    make_user(node, "bob", password=OLD)
    with node.session() as session:
        session.scalar(select(User).where(User.username == "bob")).active = False  # type: ignore[union-attr]
    for name in ("bob", "nobody"):
        with node.session() as session, pytest.raises(Unauthorized, match="current password"):
            change_password(session, name, OLD, NEW)


@pytest.mark.parametrize(
    ("new", "why"),
    [("short", "at least 8 characters"), (OLD, "must differ from the current one")],
)
def test_a_weak_or_unchanged_new_password_is_refused(
    node: Node, make_user: Any, new: str, why: str
) -> None:
    alice = make_user(node, "alice", password=OLD)
    _sessions(node, ("a1", alice.id), ("a2", alice.id))
    with node.session() as session, pytest.raises(InvalidInput, match=why):
        change_password(session, "alice", OLD, new, keep_sid="a1", now=NOW)
    with node.session() as session:
        assert authenticate_password(session, "alice", OLD).id == alice.id
        assert session_is_live(session, "a2", alice.id)


def test_a_change_ends_the_other_sessions_and_keeps_this_one(node: Node, make_user: Any) -> None:
    alice, bob = make_user(node, "alice", password=OLD), make_user(node, "bob", password=OLD)
    _sessions(node, ("a1", alice.id), ("a2", alice.id), ("a3", alice.id), ("b1", bob.id))
    with node.session() as session:
        token = create_token(session, "alice", "script")
        assert change_password(session, "alice", OLD, NEW, keep_sid="a1", now=NOW) == 2
    with node.session() as session:
        assert session_is_live(session, "a1", alice.id)
        assert not session_is_live(session, "a2", alice.id)
        assert not session_is_live(session, "a3", alice.id)
        assert session_is_live(session, "b1", bob.id)
        reasons = session.scalars(
            select(WebSignIn.end_reason).where(WebSignIn.ended_at.is_not(None))
        )
        assert sorted(map(str, reasons)) == ["password_changed", "password_changed"]
        assert authenticate_password(session, "alice", NEW).id == alice.id
        with pytest.raises(Unauthorized):
            authenticate_password(session, "alice", OLD)
        stored = session.get(User, alice.id).password_hash  # type: ignore[union-attr]
        assert stored is not None and stored.startswith("$argon2id$") and NEW not in stored
        assert authenticate_token(session, token).id == alice.id  # tokens stay valid
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and (entry.actor, entry.action, entry.object_id) == (
        "alice", "update", "alice",
    )  # fmt: skip
    assert entry.detail == {"password": "changed", "sessions_ended": 2}


def test_an_operator_reset_ends_every_session_and_is_audited(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice", password=OLD)
    _sessions(node, ("a1", alice.id), ("a2", alice.id))
    with node.session() as session:
        create_token(session, "alice", "script")
        with pytest.raises(InvalidInput):
            reset_password(session, "alice", "short", actor="operator")
        with pytest.raises(NotFound):
            reset_password(session, "nobody", NEW, actor="operator")
    with node.session() as session:
        assert reset_password(session, "alice", NEW, actor="operator") == 2
    with node.session() as session:
        assert not session_is_live(session, "a1", alice.id)
        assert authenticate_password(session, "alice", NEW).id == alice.id
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and (entry.actor, entry.action) == ("operator", "update")
    assert entry.detail == {"password": "reset", "sessions_ended": 2, "tokens_live": 1}
