"""curve25519 field arithmetic (gmpy2): hashing onto the curve, and checking a peer's points.

- :func:`encode` is RFC 9380's ``encode_to_curve`` for the suite
  ``curve25519_XMD:SHA-512_ELL2_NU_`` up to its last step: ``hash_to_field``
  (``expand_message_xmd`` with SHA-512, 48 bytes, one field element), then
  ``map_to_curve_elligator2`` (§6.7.1, Z = 2). The cofactor is not cleared
  here: X25519 clamps every scalar to a multiple of 8, so the first
  multiplication clears it (docs/protocol.md §11.4). Only the u-coordinate is
  kept — all X25519 reads — and it always lies on the curve, never on its
  twist (hashing straight to a u-coordinate would land on the twist half the
  time, and a peer could tell which offline).
- :func:`check` refuses what a peer must not send: a non-canonical encoding
  (the top bit set, or u ≥ p), a u-coordinate on the twist rather than the
  curve (a Jacobi symbol), or a point of small order.

Points are 32-byte little-endian u-coordinates (RFC 7748).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import gmpy2
from gmpy2 import mpz

from jointprobe.deconflict.sodium import POINT, BadPoint

P = mpz(2**255 - 19)
A = mpz(486662)
_P_INT = int(P)
#: RFC 9380 §5.3 for this suite: 48 bytes give one field element with 128-bit security
_L = 48
#: u-coordinates of the points of small order (orders 1, 2, 4 and 8) that are canonical
#: encodings: 0, 1, p − 1 and the two of order 8 (libsodium refuses them all)
SMALL_ORDER = frozenset(
    [0, 1, _P_INT - 1]
    + [
        int.from_bytes(bytes.fromhex(h), "little")
        for h in (
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
            "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        )
    ]
)


class Suite:
    """``expand_message_xmd`` (RFC 9380 §5.3.1) with SHA-512 for one domain-separation tag."""

    def __init__(self, dst: bytes) -> None:
        if not 0 < len(dst) <= 255:
            raise ValueError("a domain-separation tag is 1–255 bytes")
        self.dst_prime = dst + bytes([len(dst)])
        self._b0 = hashlib.sha512(bytes(128))  # Z_pad: one SHA-512 block of zeros
        self._tail0 = _L.to_bytes(2, "big") + b"\x00" + self.dst_prime
        self._tail1 = b"\x01" + self.dst_prime

    def field_element(self, msg: bytes) -> mpz:
        """``hash_to_field(msg, 1)``: one element of GF(p)."""
        h = self._b0.copy()
        h.update(msg + self._tail0)
        b1 = hashlib.sha512(h.digest() + self._tail1).digest()
        return mpz(int.from_bytes(b1[:_L], "big")) % P


def elligator2(u: mpz) -> mpz:
    """``map_to_curve_elligator2`` for curve25519 (RFC 9380 §6.7.1, Z = 2): the u-coordinate."""
    tv1 = 2 * u * u % P
    if tv1 == P - 1:  # 1 + Z·u² = 0: inv0 gives 0, so x1 = −A
        tv1 = mpz(0)
    x1 = -A * gmpy2.invert(1 + tv1, P) % P if tv1 else P - A
    gx1 = x1 * (x1 * (x1 + A) + 1) % P
    return x1 if gmpy2.jacobi(gx1, P) != -1 else (-x1 - A) % P


def encode(suite: Suite, messages: Iterable[bytes]) -> bytes:
    """Each message hashed onto the curve, packed as 32-byte u-coordinates."""
    field, to_bytes = suite.field_element, int.to_bytes
    return b"".join(to_bytes(int(elligator2(field(msg))), POINT, "little") for msg in messages)


def check(points: bytes, *, offset: int = 0) -> None:
    """:class:`BadPoint` (indexed from ``offset``) unless every point is canonical, on the
    curve and not of small order."""
    if len(points) % POINT:
        raise BadPoint(offset + len(points) // POINT, "is not a whole 32-byte encoding")
    jacobi, small, p, a, from_bytes = gmpy2.jacobi, SMALL_ORDER, _P_INT, A, int.from_bytes
    for index in range(len(points) // POINT):
        u = from_bytes(points[POINT * index : POINT * (index + 1)], "little")
        if u >= p:
            raise BadPoint(offset + index, "is not a canonical encoding (u ≥ p or top bit set)")
        if u in small:
            raise BadPoint(offset + index, "has small order")
        m = mpz(u)  # gmpy2 arithmetic: about a third faster than Python's for 255 bits
        if jacobi(m * (m * (m + a) + 1) % P, P) != 1:
            raise BadPoint(offset + index, "is on the twist, not on curve25519")


__all__ = ["A", "P", "SMALL_ORDER", "Suite", "check", "elligator2", "encode"]
