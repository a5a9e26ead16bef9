"""The arithmetic of the protocol (docs/protocol.md §11): hash, blind, shuffle, match.

A selector ``(kind, value)`` — already normalised by ``entities.normalise`` —
is hashed with a domain-separation prefix and the session id, so the kind is
bound into its point (a phone never meets an e-mail with the same text) and a
point of one session is worthless in any other. Blinding multiplies by the
session's secret scalar; points travel packed, 32 bytes each.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import TypeVar

from jointprobe.deconflict import sodium
from jointprobe.deconflict.sodium import POINT

DOMAIN = b"jointprobe/deconflict/v1/selector\x00"

#: (kind, size) runs of a packed array; kind "*" when kinds are not disclosed
Groups = list[tuple[str, int]]


def selector_hash(session_id: str, kind: str, value: str) -> bytes:
    """64 uniform bytes for one selector: SHA-512 over the prefix, session, kind and value."""
    return hashlib.sha512(
        DOMAIN + session_id.encode() + b"\x00" + kind.encode() + b"\x00" + value.encode()
    ).digest()


def blind_selectors(session_id: str, scalar: bytes, selectors: Sequence[tuple[str, str]]) -> bytes:
    """``H(selector) * scalar`` for each selector, packed in the same order."""
    prefix = hashlib.sha512(DOMAIN + session_id.encode() + b"\x00")
    parts = []
    for kind, value in selectors:  # selector_hash, with the prefix hashed once
        h = prefix.copy()
        h.update(kind.encode() + b"\x00" + value.encode())
        parts.append(h.digest())
    digests = b"".join(parts)
    return sodium.multiply(scalar, sodium.hash_to_points(digests))


def order_selectors(
    selectors: Sequence[tuple[str, str]], *, by_kind: bool
) -> tuple[list[tuple[str, str]], Groups]:
    """Our selectors in a secret random order (grouped by kind if kinds are disclosed)."""
    unique = list(dict.fromkeys(selectors))
    _shuffle(unique)
    if not by_kind:
        return unique, [("*", len(unique))]
    unique.sort(key=lambda sel: sel[0])  # stable: random order within each kind
    groups: Groups = []
    for kind, _ in unique:
        if groups and groups[-1][0] == kind:
            groups[-1] = (kind, groups[-1][1] + 1)
        else:
            groups.append((kind, 1))
    return unique, groups


def shuffle_points(points: bytes, groups: Groups) -> bytes:
    """The points in a secret random order, each group shuffled within itself."""
    items = split(points)
    out: list[bytes] = []
    start = 0
    for _, size in groups:
        run = items[start : start + size]
        _shuffle(run)
        out.extend(run)
        start += size
    return b"".join(out)


def match_positions(mine: bytes, theirs: bytes) -> list[int]:
    """Positions in ``mine`` whose point is also in ``theirs``."""
    other = set(split(theirs))
    return [i for i, point in enumerate(split(mine)) if point in other]


def counts_by_kind(positions: Sequence[int], groups: Groups) -> dict[str, int]:
    """How many of ``positions`` fall in each group of an array laid out by ``groups``."""
    counts: dict[str, int] = {kind: 0 for kind, _ in groups}
    bounds: list[tuple[int, str]] = []
    end = 0
    for kind, size in groups:
        end += size
        bounds.append((end, kind))
    for position in positions:
        for limit, kind in bounds:
            if position < limit:
                counts[kind] += 1
                break
    return counts


def has_duplicates(points: bytes) -> bool:
    items = split(points)
    return len(set(items)) != len(items)


def split(points: bytes) -> list[bytes]:
    return [points[i : i + POINT] for i in range(0, len(points), POINT)]


T = TypeVar("T")


def _shuffle(items: list[T]) -> None:
    """A uniformly random permutation from the operating system's randomness, in place.

    Each item gets a random 64-bit key and the items are sorted by it (a tie, one
    in 2^64 per pair, keeps the earlier item first): one ``os.urandom`` call and a
    sort in C instead of a Python Fisher–Yates step per item.
    """
    keys = memoryview(os.urandom(8 * len(items))).cast("Q")
    order = sorted(range(len(items)), key=keys.__getitem__)
    items[:] = [items[i] for i in order]


__all__ = [
    "DOMAIN",
    "Groups",
    "blind_selectors",
    "counts_by_kind",
    "has_duplicates",
    "match_positions",
    "order_selectors",
    "selector_hash",
    "shuffle_points",
    "split",
]
