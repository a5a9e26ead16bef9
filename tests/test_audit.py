from typing import Any

from sqlalchemy import delete, select, update

from jointprobe.audit import verify
from jointprobe.cases import CaseIn, create_case, get_case
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry


def _setup(node: Node, make_user: Any) -> None:
    alice = make_user(node, "alice")
    with node.session() as session:
        create_case(session, alice, CaseIn(title="Diana", id="diana"))
    with node.session() as session:
        get_case(session, alice, "diana")
        get_case(session, alice, "diana")


def test_every_create_and_case_read_is_recorded(node: Node, make_user: Any) -> None:
    _setup(node, make_user)
    with node.session() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        report = verify(session)
    actions = [(r.actor, r.action, r.object_type) for r in rows]
    assert ("alice", "create", "case") in actions
    assert actions.count(("alice", "read", "case")) == 2
    assert report.ok and report.checked == len(rows)


def test_edited_row_is_detected_and_named(node: Node, make_user: Any) -> None:
    _setup(node, make_user)
    with node.session() as session:
        target = session.scalar(select(AuditEntry).where(AuditEntry.action == "read").limit(1))
        assert target is not None
        session.execute(update(AuditEntry).where(AuditEntry.id == target.id).values(actor="eve"))
    with node.session() as session:
        report = verify(session)
    assert not report.ok
    assert any(f"row {target.id}: content edited" in p for p in report.problems)


def test_deleted_middle_row_is_detected(node: Node, make_user: Any) -> None:
    _setup(node, make_user)
    with node.session() as session:
        session.execute(delete(AuditEntry).where(AuditEntry.id == 2))
    with node.session() as session:
        report = verify(session)
    assert any("2 deleted" in p for p in report.problems)


def test_deleted_last_row_is_detected(node: Node, make_user: Any) -> None:
    _setup(node, make_user)
    with node.session() as session:
        last = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        session.execute(delete(AuditEntry).where(AuditEntry.id == last))
    with node.session() as session:
        report = verify(session)
    assert any("deleted from the end" in p for p in report.problems)
