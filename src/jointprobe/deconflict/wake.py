"""Owing a computing step: set a session's ``work`` and wake this process's worker on commit.

The worker (:mod:`.worker`) also polls (``deconflict_poll_seconds``) for steps
owed by other processes (a ``deconflict start`` from the CLI); a step owed in
this process — a join through the API, the last chunk of a round applied by
the inbox — wakes it as soon as the transaction that owes it commits.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from jointprobe.deconflict.tables import DeconflictSession

_listeners: list[Callable[[], None]] = []
_PENDING = "jointprobe.deconflict.wake_pending"


def owe(session: Session, row: DeconflictSession, work: str) -> None:
    """``row`` owes step ``work``; the worker is woken once ``session`` commits."""
    row.work = work
    if not session.info.get(_PENDING):
        session.info[_PENDING] = True
        event.listen(session, "after_commit", _notify, once=True)


def on_work(callback: Callable[[], None]) -> None:
    _listeners.append(callback)


def remove_listener(callback: Callable[[], None]) -> None:
    if callback in _listeners:
        _listeners.remove(callback)


def _notify(session: Session) -> None:
    session.info.pop(_PENDING, None)
    for callback in list(_listeners):
        callback()


__all__ = ["on_work", "owe", "remove_listener"]
