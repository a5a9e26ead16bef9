"""Is the node alive, and ready to serve? (``/healthz``, ``/readyz``; docs/operations.md)

Liveness says only that the process answers. Readiness checks what serving
needs: the database answers, its schema is at head (a node migrates itself
when it starts, so a pending migration means another process upgraded the code
or the database went back), and the node's key file opens. Each failed check
gives a reason for the operator; none carries a secret or a path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from jointprobe.errors import JointprobeError
from jointprobe.exchange.identity import key_path, node_keys
from jointprobe.node import Node
from jointprobe.store.migrate import pending_revisions


@dataclass(frozen=True)
class Readiness:
    #: check name → ``None`` when it passed, else why it failed
    checks: dict[str, str | None] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(reason is None for reason in self.checks.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not ready",
            "checks": {name: reason or "ok" for name, reason in self.checks.items()},
        }


def readiness(node: Node) -> Readiness:
    """Run every readiness check; the database first (the schema check needs it)."""
    checks: dict[str, str | None] = {"database": check_database(node)}
    checks["migrations"] = check_migrations(node) if checks["database"] is None else "not checked"
    checks["keys"] = check_keys(node)
    return Readiness(checks)


def check_database(node: Node) -> str | None:
    try:
        with node.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return f"database unreachable ({type(exc).__name__})"
    return None


def check_migrations(node: Node) -> str | None:
    try:
        pending = pending_revisions(node.engine)
    except SQLAlchemyError as exc:
        return f"schema revision unreadable ({type(exc).__name__})"
    if pending:
        return f"schema upgrade pending: {', '.join(pending)} (run `jointprobe migrate`)"
    return None


def check_keys(node: Node) -> str | None:
    """The key file opens (with the passphrase, if sealed). A node that has none yet is ready:
    it creates its keys at first use."""
    if not key_path(node.settings).exists():
        return None
    try:
        node_keys(node)
    except JointprobeError as exc:
        return f"key file unreadable ({exc.code})"
    except OSError as exc:
        return f"key file unreadable ({exc.strerror})"
    return None


__all__ = ["Readiness", "check_database", "check_keys", "check_migrations", "readiness"]
