"""The arithmetic of the protocol (docs/protocol.md §11): hash, blind, shuffle, match.

A selector ``(kind, value)`` — already normalised by ``entities.normalise`` —
is hashed onto curve25519 (RFC 9380 ``encode_to_curve``, :mod:`.curve`) under
the protocol's domain-separation tag, with the session id and the kind in the
message, so the kind is bound into its point (a phone never meets an e-mail
with the same text) and a point of one session is worthless in any other.
Blinding is X25519 with the session's secret scalar; points travel packed,
32 bytes each.

Hashing and checking are Python work that holds the GIL; the multiplications
release it. Both are done block by block so that the threads multiply one
block while the next is hashed or checked (:class:`~.sodium.Multiplier`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar

from jointprobe.deconflict import curve, sodium
from jointprobe.deconflict.sodium import POINT

#: the suite of the session's points (the offer names it; docs/protocol.md §11.1)
SUITE = "x25519-ell2nu/2"
#: RFC 9380 domain-separation tag: this protocol, its version, the suite
DST = b"jointprobe-deconflict-v2-with-curve25519_XMD:SHA-512_ELL2_NU_"
_SUITE = curve.Suite(DST)
#: elements hashed or checked per block handed to the threads
BLOCK = 2048

#: (kind, size) runs of a packed array; kind "*" when kinds are not disclosed
Groups = list[tuple[str, int]]


def selector_message(session_id: str, kind: str, value: str) -> bytes:
    """What is hashed onto the curve for one selector: session, kind and value."""
    return session_id.encode() + b"\x00" + kind.encode() + b"\x00" + value.encode()


def hash_selectors(session_id: str, selectors: Sequence[tuple[str, str]]) -> bytes:
    """``H(selector)`` for each selector: u-coordinates on the curve, packed in order."""
    return curve.encode(_SUITE, (selector_message(session_id, k, v) for k, v in selectors))


def blind_selectors(session_id: str, scalar: bytes, selectors: Sequence[tuple[str, str]]) -> bytes:
    """``H(selector) · scalar`` for each selector, packed in the same order."""
    work = sodium.Multiplier(scalar, len(selectors))
    for start in range(0, len(selectors), BLOCK):
        work.add(hash_selectors(session_id, selectors[start : start + BLOCK]))
    return work.result()


def blind_points(scalar: bytes, points: bytes) -> bytes:
    """A peer's points times ``scalar``, each checked first (:func:`.curve.check`).

    :class:`~.sodium.BadPoint` names the first point that is not canonical, not
    on the curve, or of small order.
    """
    if len(points) % POINT:
        raise sodium.BadPoint(len(points) // POINT, "is not a whole 32-byte encoding")
    work = sodium.Multiplier(scalar, len(points) // POINT)
    step = BLOCK * POINT
    for start in range(0, len(points), step):
        block = points[start : start + step]
        curve.check(block, offset=start // POINT)
        work.add(block)
    return work.result()


def check_points(points: bytes) -> None:
    """:class:`~.sodium.BadPoint` unless every point is canonical, on the curve, not small."""
    curve.check(points)


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
    "BLOCK",
    "DST",
    "SUITE",
    "Groups",
    "blind_points",
    "blind_selectors",
    "check_points",
    "counts_by_kind",
    "has_duplicates",
    "match_positions",
    "hash_selectors",
    "order_selectors",
    "selector_message",
    "shuffle_points",
    "split",
]
