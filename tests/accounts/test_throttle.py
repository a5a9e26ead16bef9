from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from jointprobe.accounts.throttle import (
    SignInThrottled,
    ThrottlePolicy,
    check_signin_allowed,
    clear_failures,
    record_failure,
    unlock,
)
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, SignInFailure

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(max_failures=2, max_failures_per_address=3, window=timedelta(minutes=5))


def test_the_failure_that_reaches_a_limit_reports_the_lockout(node: Node) -> None:
    with node.session() as session:
        assert record_failure(session, POLICY, "alice", "192.0.2.1", NOW) == []
        check_signin_allowed(session, POLICY, "alice", "192.0.2.1", NOW)
        assert record_failure(session, POLICY, "Alice ", "192.0.2.1", NOW) == ["account"]
        with pytest.raises(SignInThrottled) as caught:
            check_signin_allowed(session, POLICY, "alice", "192.0.2.9", NOW)
        assert caught.value.status == 429 and caught.value.retry_after == 300
        assert record_failure(session, POLICY, "bob", "192.0.2.1", NOW) == ["address"]
        with pytest.raises(SignInThrottled):
            check_signin_allowed(session, POLICY, "carol", "192.0.2.1", NOW)


def test_failures_leave_the_window_and_are_pruned(node: Node) -> None:
    with node.session() as session:
        record_failure(session, POLICY, "alice", "192.0.2.1", NOW)
        record_failure(session, POLICY, "alice", "192.0.2.1", NOW)
        later = NOW + POLICY.window
        check_signin_allowed(session, POLICY, "alice", "192.0.2.1", later)
        record_failure(session, POLICY, "zed", "192.0.2.2", later)
        assert session.scalar(select(func.count()).select_from(SignInFailure)) == 2


def test_clearing_forgets_the_name_but_not_the_address(node: Node) -> None:
    policy = ThrottlePolicy(max_failures=2, max_failures_per_address=2, window=POLICY.window)
    with node.session() as session:
        record_failure(session, policy, "alice", "192.0.2.1", NOW)
        record_failure(session, policy, "alice", "192.0.2.1", NOW)
        assert clear_failures(session, "ALICE") == 2
        check_signin_allowed(session, policy, "alice", "192.0.2.2", NOW)
        with pytest.raises(SignInThrottled):
            check_signin_allowed(session, policy, "alice", "192.0.2.1", NOW)


def test_keys_are_stored_only_as_hashes(node: Node) -> None:
    with node.session() as session:
        record_failure(session, POLICY, "alice", "192.0.2.1", NOW)
        keys = session.scalars(select(SignInFailure.key_hash)).all()
    assert all(len(k) == 64 and "alice" not in k for k in keys)


def test_an_operator_unlock_lifts_the_limit_and_is_audited(node: Node) -> None:
    with node.session() as session:
        record_failure(session, POLICY, "alice", "192.0.2.1", NOW)
        record_failure(session, POLICY, "alice", "192.0.2.1", NOW)
        assert unlock(session, "alice", actor="operator") == 2
        check_signin_allowed(session, POLICY, "alice", "192.0.2.9", NOW)
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "signin_unlocked" and last.actor == "operator"
