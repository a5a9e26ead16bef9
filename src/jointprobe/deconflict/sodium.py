"""ristretto255 from libsodium, on whole arrays of points at a time.

PyNaCl (1.6) does not expose libsodium's ristretto255 functions, so they are
reached here through ``cffi`` in ABI mode (no compiler needed) from the
system's libsodium (1.0.18 or later: Debian's ``libsodium23``). Each function
takes and returns packed bytes (32 bytes a point, 64 bytes a hash) so that the
Python work per element is one C call; large arrays are split over threads
(the C calls release the GIL), one per core.
"""

from __future__ import annotations

import ctypes.util
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import cffi

from jointprobe.errors import ConfigError

POINT = 32
HASH = 64
SCALAR = 32
#: Below this many elements one thread does the work (splitting costs more than it saves).
PARALLEL_FROM = 4096

_CDEF = """
int sodium_init(void);
const char *sodium_version_string(void);
int crypto_core_ristretto255_is_valid_point(const unsigned char *p);
int crypto_core_ristretto255_from_hash(unsigned char *p, const unsigned char *r);
int crypto_scalarmult_ristretto255(unsigned char *q, const unsigned char *n,
                                   const unsigned char *p);
void crypto_core_ristretto255_scalar_random(unsigned char *r);
"""
_ffi = cffi.FFI()
_ffi.cdef(_CDEF)


class BadPoint(ValueError):
    """A packed point that is not a canonical ristretto255 encoding (or is the identity)."""

    def __init__(self, index: int) -> None:
        super().__init__(f"element {index} is not a valid ristretto255 point")
        self.index = index


@cache
def _lib() -> Any:
    names = [ctypes.util.find_library("sodium"), "libsodium.so.26", "libsodium.so.23"]
    for name in [n for n in names if n]:
        try:
            lib = _ffi.dlopen(name)
            lib.crypto_core_ristretto255_from_hash  # noqa: B018 (1.0.18 or later)
        except (OSError, AttributeError):
            continue
        if lib.sodium_init() < 0:
            raise ConfigError("libsodium could not be initialised")
        return lib
    raise ConfigError(
        "deconfliction needs libsodium 1.0.18 or later (ristretto255); "
        "install it (Debian/Ubuntu: apt-get install libsodium23)"
    )


def version() -> str:
    return str(_ffi.string(_lib().sodium_version_string()).decode())


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="psi")


def _spread(count: int, work: Callable[[int, int], None]) -> None:
    """Run ``work(start, end)`` over ``range(count)``, split over the cores when it pays."""
    workers = os.cpu_count() or 1
    if count < PARALLEL_FROM or workers == 1:
        work(0, count)
        return
    step = -(-count // workers)
    futures = [_pool().submit(work, s, min(s + step, count)) for s in range(0, count, step)]
    for future in futures:
        future.result()


def random_scalar() -> bytes:
    out = _ffi.new("unsigned char[]", SCALAR)
    _lib().crypto_core_ristretto255_scalar_random(out)
    return bytes(_ffi.buffer(out, SCALAR))


def hash_to_points(digests: bytes) -> bytes:
    """Map each 64-byte uniform hash to a point (libsodium's hash-to-group)."""
    count = _count(digests, HASH)
    out = bytearray(count * POINT)
    src, dst, lib = _ffi.from_buffer(digests), _ffi.from_buffer(out), _lib()
    from_hash = lib.crypto_core_ristretto255_from_hash

    def work(start: int, end: int) -> None:
        for i in range(start, end):
            from_hash(dst + POINT * i, src + HASH * i)

    _spread(count, work)
    return bytes(out)


def multiply(scalar: bytes, points: bytes) -> bytes:
    """Each point times ``scalar``; :class:`BadPoint` names the first invalid one."""
    if len(scalar) != SCALAR:
        raise ValueError("a scalar is 32 bytes")
    count = _count(points, POINT)
    out = bytearray(count * POINT)
    src, dst, lib = _ffi.from_buffer(points), _ffi.from_buffer(out), _lib()
    key = _ffi.new("unsigned char[]", scalar)
    mult = lib.crypto_scalarmult_ristretto255
    failed: list[int] = []

    def work(start: int, end: int) -> None:
        for i in range(start, end):
            if mult(dst + POINT * i, key, src + POINT * i) != 0:
                failed.append(i)
                return

    _spread(count, work)
    if failed:
        raise BadPoint(min(failed))
    return bytes(out)


def check_points(points: bytes) -> None:
    """:class:`BadPoint` unless every point is a canonical, non-identity encoding."""
    count = _count(points, POINT)
    src, lib = _ffi.from_buffer(points), _lib()
    valid = lib.crypto_core_ristretto255_is_valid_point
    failed: list[int] = []
    zero = bytes(POINT)

    def work(start: int, end: int) -> None:
        for i in range(start, end):
            if valid(src + POINT * i) != 1 or points[POINT * i : POINT * (i + 1)] == zero:
                failed.append(i)
                return

    _spread(count, work)
    if failed:
        raise BadPoint(min(failed))


def _count(data: bytes, size: int) -> int:
    if len(data) % size:
        raise BadPoint(len(data) // size)
    return len(data) // size


__all__ = [
    "HASH",
    "POINT",
    "SCALAR",
    "BadPoint",
    "check_points",
    "hash_to_points",
    "multiply",
    "random_scalar",
    "version",
]
