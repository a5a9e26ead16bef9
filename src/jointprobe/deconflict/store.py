"""Keeping a session's arrays: packed chunks per round, read back in order, dropped when done."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from jointprobe.deconflict.tables import DeconflictChunk, DeconflictSession

_CHUNKS = cast(Table, DeconflictChunk.__table__)
#: what a session keeps after counting: our selectors in the order we sent them
KEPT_AFTER_COUNT = ("own",)


def put_chunk(
    session: Session, sid: str, name: str, chunk: int, chunks: int, items: int, data: bytes
) -> None:
    session.connection().execute(
        insert(_CHUNKS),
        [dict(session_id=sid, name=name, chunk=chunk, chunks=chunks, items=items, data=data)],
    )


def put_array(session: Session, sid: str, name: str, data: bytes, *, item_size: int) -> None:
    """Keep a whole array as one chunk (arrays this node made itself)."""
    put_chunk(session, sid, name, 0, 1, len(data) // item_size, data)


def has_chunk(session: Session, sid: str, name: str, chunk: int) -> bool:
    return session.get(DeconflictChunk, (sid, name, chunk)) is not None


def received(session: Session, sid: str, name: str) -> tuple[int, int]:
    """(chunks, items) held for ``name``."""
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(DeconflictChunk.items), 0)).where(
            DeconflictChunk.session_id == sid, DeconflictChunk.name == name
        )
    ).one()
    return int(row[0]), int(row[1])


def expected_chunks(session: Session, sid: str, name: str) -> int | None:
    """How many chunks ``name`` comes in, as its first chunk here said (None: none yet)."""
    return session.scalar(
        select(DeconflictChunk.chunks)
        .where(DeconflictChunk.session_id == sid, DeconflictChunk.name == name)
        .limit(1)
    )


def complete(session: Session, sid: str, name: str) -> bool:
    """Whether every chunk of ``name`` has arrived."""
    expected = expected_chunks(session, sid, name)
    return expected is not None and received(session, sid, name)[0] == expected


def get_array(session: Session, sid: str, name: str) -> bytes:
    query = (
        select(DeconflictChunk.data)
        .where(DeconflictChunk.session_id == sid, DeconflictChunk.name == name)
        .order_by(DeconflictChunk.chunk)
    )
    return b"".join(session.scalars(query))


def put_selectors(session: Session, sid: str, selectors: Sequence[tuple[str, str]]) -> None:
    text = "\n".join(f"{kind}\t{value}" for kind, value in selectors).encode()
    put_chunk(session, sid, "own", 0, 1, len(selectors), text)


def get_selectors(session: Session, sid: str) -> list[tuple[str, str]]:
    text = get_array(session, sid, "own").decode()
    return [cast(tuple[str, str], tuple(line.split("\t", 1))) for line in text.split("\n") if line]


def drop_arrays(session: Session, row: DeconflictSession, *, keep: Sequence[str] = ()) -> None:
    """Forget a session's points (and its scalar): nothing left to test guesses against."""
    row.scalar = None
    session.execute(
        delete(DeconflictChunk).where(
            DeconflictChunk.session_id == row.id, DeconflictChunk.name.not_in(list(keep))
        )
    )


__all__ = [
    "KEPT_AFTER_COUNT",
    "complete",
    "drop_arrays",
    "expected_chunks",
    "get_array",
    "get_selectors",
    "has_chunk",
    "put_array",
    "put_chunk",
    "put_selectors",
    "received",
]
