"""Reading import lines in worker processes while the importing process writes.

Reading an entity (JSON, FtM validation, selectors, edges: ``write.parse_item``)
needs no store and is most of an import's work; the store takes one writer
at a time. :class:`LineReader` therefore reads batches of lines in a pool of
worker processes, a few batches ahead of the writer, and hands back each
batch's results in input order. At most ``2 × workers`` batches are in
flight, so memory stays flat however long the input.

With one worker (or on a single core) the same reading runs in-process.
Workers are forked, with the name tables already built, so they start in
milliseconds; the pool is for command-line imports and benchmarks, not for
the web server.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any

import orjson

from jointprobe.entities.names import name_keys
from jointprobe.entities.write import Parsed, parse_item
from jointprobe.errors import InvalidEntity, JointprobeError

Line = tuple[int, str]  # (line number, text)


class ReaderStopped(JointprobeError):
    """A worker process died (killed, out of memory) while reading lines."""

    code = "import.reader_stopped"
    status = 500


Result = Parsed | JointprobeError | None  # None: a blank line


MAX_WORKERS = 8  # past this the single writer is the limit


def default_workers() -> int:
    """One worker per core this process may run on (at most ``MAX_WORKERS``); on one
    core, 1 (read in-process)."""
    try:
        cores = len(os.sched_getaffinity(0))  # honours CPU affinity (taskset, containers)
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def _start_worker() -> None:
    """In a worker, once. Ctrl-C is the importing process's to handle (it stops cleanly,
    keeping what it committed); the workers finish their batch and are shut down.

    What the worker inherited (name tables, FtM's model) lives as long as it does:
    frozen, the garbage collector no longer walks it, and collections come less
    often, since reading a line makes many short-lived objects and few cycles.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()
    gc.set_threshold(20_000, 20, 50)


def read_line(line: str, where: str) -> Parsed:
    """One FtM JSON line, read and validated, or :class:`InvalidEntity` saying why not.

    ``orjson`` reads the line: strict JSON (no NaN, no lone surrogate, no number
    beyond a double's range, nesting to 1,024 levels), each failure with its
    column. (An integer past 64 bits becomes a float; entity values are strings.)
    """
    try:
        data: Any = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InvalidEntity(
            f"malformed JSON: {exc.msg} at column {exc.colno}", where=where
        ) from exc
    if not isinstance(data, dict):
        raise InvalidEntity("a line must hold one JSON object", where=where)
    return parse_item(data, where)


def read_lines(name: str, lines: list[Line]) -> list[Result]:
    """Read a batch of lines of input ``name``; a failure is returned, not raised."""
    out: list[Result] = []
    for number, line in lines:
        if not line.strip():
            out.append(None)
            continue
        try:
            out.append(read_line(line, f"{name}:{number}"))
        except JointprobeError as exc:
            out.append(exc)
    return out


Packed = tuple[bytes, list[tuple[int, JointprobeError]]]


def _read_packed(name: str, lines: list[Line]) -> Packed:
    """In a worker: a batch's results for the trip back, entities as ``marshal`` bytes of
    plain tuples (a third of the cost of pickling them, to write and to read) and failures
    pickled as they are, with their index."""
    results = read_lines(name, lines)
    rows = [tuple(result) if isinstance(result, Parsed) else None for result in results]
    failed = [
        (i, result) for i, result in enumerate(results) if isinstance(result, JointprobeError)
    ]
    return marshal.dumps(rows), failed


def _unpack(packed: Packed) -> list[Result]:
    blob, failed = packed
    rows = marshal.loads(blob)  # noqa: S302 - our own worker's bytes, same interpreter
    results: list[Result] = [None if row is None else tuple.__new__(Parsed, row) for row in rows]
    for i, error in failed:
        results[i] = error
    return results


class LineReader:
    """Read batches of lines in ``workers`` processes (in-process when ``workers`` is 1)."""

    def __init__(self, name: str, workers: int | None = None) -> None:
        self.name = name
        self.workers = max(1, default_workers() if workers is None else workers)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LineReader:
        if self.workers > 1:
            name_keys("warm up")  # build the name tables once, before forking
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=context, initializer=_start_worker
            )
            # Fork now, before the caller opens a session and takes the write lock.
            self._pool.submit(int).result()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def read(self, batches: Iterable[list[Line]]) -> Iterator[tuple[list[Line], list[Result]]]:
        """Yield (batch, its results) in input order."""
        if self._pool is None:
            for lines in batches:
                yield lines, read_lines(self.name, lines)
            return
        pending: deque[tuple[list[Line], Future[Packed]]] = deque()
        ahead = 2 * self.workers
        try:
            for lines in batches:
                pending.append((lines, self._pool.submit(_read_packed, self.name, lines)))
                if len(pending) >= ahead:
                    yield _oldest(pending)
            while pending:
                yield _oldest(pending)
        except BrokenProcessPool as exc:
            first = pending[0][0][0][0] if pending and pending[0][0] else "?"  # oldest unread
            raise ReaderStopped(
                f"a process reading lines stopped unexpectedly (at line {first} or later): "
                f"{exc}; run the import again with --workers 1 to read in one process",
                where=self.name,
            ) from exc


def _oldest(
    pending: deque[tuple[list[Line], Future[Packed]]],
) -> tuple[list[Line], list[Result]]:
    """The oldest batch and its results; it leaves ``pending`` only once they are in."""
    lines, future = pending[0]
    results = _unpack(future.result())
    pending.popleft()
    return lines, results
