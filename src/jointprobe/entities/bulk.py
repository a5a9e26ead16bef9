"""Bulk entity writes for imports: validate a batch first, then insert it in a few statements.

``add_entities`` checks every item (FtM schema and values, marking, case
visibility, duplicate ids in the batch and in the store) before it writes
anything, so a batch never writes half an item; what fails is returned with
its index. The valid rest is inserted with executemany statements, and the
batch gets one audit entry listing the ids it created.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import islice

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from jointprobe.audit import record
from jointprobe.entities.parallel import LineReader, ReaderStopped
from jointprobe.entities.write import (
    NewEntity,
    Origin,
    Parsed,
    add_parsed,
    check_origin,
    prepare,
    write,
)
from jointprobe.errors import JointprobeError, NotFound
from jointprobe.store.engine import IMMEDIATE, bulk_write_cache
from jointprobe.store.tables import User

__all__ = ["ImportReport", "NewEntity", "add_entities", "import_ftm_lines"]


def add_entities(
    session: Session, actor: User, items: Sequence[NewEntity]
) -> list[tuple[int, JointprobeError]]:
    """Write the valid items of a batch; return (index, error) for the others."""
    ready, errors = prepare(session, actor, items)
    if ready:
        write(session, ready)
        ids = [r.id for r in ready]
        record(session, actor.username, "create", "entities", f"{len(ids)} entities", {"ids": ids})
    return errors


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    rolled_back: bool = False


COMMIT_EVERY = 10_000


def _commit(
    session: Session, on_commit: Callable[[int, int], None] | None, entities: int, line: int
) -> None:
    """Commit, then tell ``on_commit``; Ctrl-C waits until both are done, so that what an
    interrupted import reports as committed is what was committed."""
    blocking = (
        hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    )
    if blocking:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        session.commit()
        if on_commit is not None:
            on_commit(entities, line)
    finally:
        if blocking:  # a Ctrl-C that came meanwhile is raised here
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _where(name: str, numbers: list[int], index: int) -> str:
    return f"{name}:{numbers[index]}"


def _write_batch(
    session: Session,
    actor: User,
    origin: Origin | JointprobeError,
    results: list[Parsed | JointprobeError],
    where: Callable[[int], str | None],
) -> list[tuple[int, JointprobeError]]:
    """Write one batch of an import's lines, with its audit entry; return what failed."""
    if isinstance(origin, JointprobeError):  # every line fails: as read, else for the origin
        return [(i, r if isinstance(r, JointprobeError) else origin) for i, r in enumerate(results)]
    ids, failed = add_parsed(session, origin, results, where)
    if ids:
        record(session, actor.username, "create", "entities", f"{len(ids)} entities", {"ids": ids})
    return failed


def _take_write_lock(session: Session) -> None:
    """Begin the next transaction holding the write lock (SQLite ``BEGIN IMMEDIATE``), so a
    writer in another process cannot make a batch fail half-way with "database is locked"."""
    session.connection(execution_options={IMMEDIATE: True})


def import_ftm_lines(
    sessions: sessionmaker[Session],
    actor_username: str,
    lines: Iterable[str],
    *,
    name: str = "<input>",
    case_id: str | None = None,
    strict: bool = False,
    fictional: bool = False,
    batch: int = 1000,
    on_line: Callable[[int], None] | None = None,
    workers: int | None = 1,
    commit_every: int = COMMIT_EVERY,
    on_commit: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import FtM JSON lines, streaming in batches. Bad lines are reported with their number.

    Without ``strict`` bad lines are skipped and the good ones are committed
    every ``commit_every`` lines (rounded up to whole batches) and at the end;
    with ``strict`` the import is one transaction and one bad line, in any
    batch, rolls back the whole import. On SQLite each transaction holds the
    write lock from its start; a strict import of a large file therefore keeps
    other writers of the node waiting until it ends. Fewer, larger commits
    write each page of the selector index to the WAL fewer times; the import's
    connection may cache up to 256 MiB of pages (``bulk_write_cache``).

    Lines are read (JSON, FtM validation, selectors) by ``workers`` processes
    ahead of the writer (``entities.parallel``); None means one per core, 1
    reads in this process. ``on_commit(entities, line)`` is called after each
    commit (the last one too) with the entities imported so far and the last
    line they cover, so that a caller interrupted later can say what stays; a
    Ctrl-C during a commit is held until ``on_commit`` has run.
    """
    report = ImportReport()
    numbered = enumerate(lines, start=1)
    batches = iter(lambda: list(islice(numbered, batch)), [])
    # entities committed, through which line; lines read since
    committed = committed_line = uncommitted = last_line = 0
    engine = sessions.kw.get("bind")
    if not isinstance(engine, Engine):
        raise TypeError("import_ftm_lines needs a sessionmaker bound to an Engine")
    with (
        LineReader(name, workers) as reader,
        engine.connect() as connection,  # one connection for the import, whose cache grows
        bulk_write_cache(connection),
        sessions(bind=connection) as session,
    ):
        _take_write_lock(session)
        actor = session.scalar(select(User).where(User.username == actor_username))
        if actor is None:
            raise NotFound(f"no user {actor_username!r}")
        origin: Origin | JointprobeError
        try:  # once for the import: its lines share case and marking
            origin = check_origin(session, actor, case_id=case_id, fictional=fictional,
                                  source=name)  # fmt: skip
        except NotFound:
            origin = NotFound(f"no case {case_id!r}")
        except JointprobeError as exc:
            origin = exc
        try:
            for chunk, results in reader.read(batches):
                read = [(n, r) for (n, _), r in zip(chunk, results, strict=True) if r is not None]
                numbers = [number for number, _ in read]
                failed = _write_batch(session, actor, origin, [r for _, r in read],
                                      partial(_where, name, numbers))  # fmt: skip
                report.errors += [(numbers[i], exc.message) for i, exc in failed]
                report.imported += len(read) - len(failed)
                if on_line is not None:
                    on_line(chunk[-1][0])
                if strict and report.errors:
                    session.rollback()
                    report.errors.sort()
                    return ImportReport(0, report.errors, rolled_back=True)
                uncommitted += len(chunk)
                last_line = chunk[-1][0]
                if not strict and uncommitted >= commit_every:  # strict: one transaction
                    _commit(session, on_commit, report.imported, last_line)
                    committed, committed_line, uncommitted = report.imported, last_line, 0
                    _take_write_lock(session)
        except ReaderStopped as exc:
            session.rollback()
            kept = (
                "nothing was imported"
                if strict or committed_line == 0
                else f"{committed} entities of earlier batches (lines 1–{committed_line}) "
                "stay imported"
            )
            raise ReaderStopped(f"{exc.message}; {kept}", where=exc.where) from exc
        _commit(session, on_commit, report.imported, last_line)
    report.errors.sort()
    return report
