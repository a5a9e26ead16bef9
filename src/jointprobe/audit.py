"""Tamper-evident audit log: append-only rows chained by SHA-256.

``record`` appends one entry in the caller's transaction, so the log entry and
the change it describes commit together or not at all. ``verify`` re-computes
the chain and names every row that was edited, deleted or inserted out of band.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.store.tables import AuditEntry, AuditHead
from jointprobe.timeutil import iso, utcnow

GENESIS = "0" * 64


def entry_hash(
    prev_hash: str,
    entry_id: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any],
) -> str:
    body = json.dumps(
        [entry_id, at, actor, action, object_type, object_id, detail],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(f"jointprobe-audit:{prev_hash}:{body}".encode()).hexdigest()


def record(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry; the head row is locked so concurrent writers chain in turn."""
    head = session.scalar(select(AuditHead).where(AuditHead.name == "main").with_for_update())
    if head is None:
        head = AuditHead(id=1, name="main", last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    clean = json.loads(json.dumps(detail or {}, default=str))
    entry_id = head.last_id + 1
    at = iso(utcnow())
    digest = entry_hash(head.last_hash, entry_id, at, actor, action, object_type, object_id, clean)
    entry = AuditEntry(
        id=entry_id,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=clean,
        prev_hash=head.last_hash,
        hash=digest,
    )
    session.add(entry)
    head.last_id = entry_id
    head.last_hash = digest
    session.flush()
    return entry


@dataclass
class AuditReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session) -> AuditReport:
    report = AuditReport()
    prev_hash = GENESIS
    expected_id = 1
    for row in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        report.checked += 1
        if row.id != expected_id:
            missing = (
                f"{expected_id}" if row.id == expected_id + 1 else f"{expected_id}-{row.id - 1}"
            )
            report.problems.append(f"row(s) {missing} deleted (chain jumps to {row.id})")
        if row.prev_hash != prev_hash:
            report.problems.append(f"row {row.id}: does not follow the previous row's hash")
        recomputed = entry_hash(
            row.prev_hash,
            row.id,
            row.at,
            row.actor,
            row.action,
            row.object_type,
            row.object_id,
            row.detail,
        )
        if recomputed != row.hash:
            report.problems.append(f"row {row.id}: content edited (hash mismatch)")
        prev_hash = row.hash
        expected_id = row.id + 1
    head = session.scalar(select(AuditHead).where(AuditHead.name == "main"))
    last_id = expected_id - 1
    if head is not None:
        if head.last_id > last_id:
            report.problems.append(f"row(s) {last_id + 1}-{head.last_id} deleted from the end")
        elif head.last_id < last_id:
            report.problems.append(f"row(s) {head.last_id + 1}-{last_id} appended out of band")
        elif head.last_hash != prev_hash:
            report.problems.append(f"row {last_id}: differs from the recorded head")
    elif report.checked:
        report.problems.append("audit head missing")
    return report
