"""X25519 from libsodium, on whole arrays of points at a time.

The scalar multiplication is libsodium's ``crypto_scalarmult_curve25519``
(RFC 7748's X25519: the scalar is clamped, so it is a multiple of the cofactor
8 and any small-order component of the input vanishes). PyNaCl wraps it for
one point at a time only, so it is reached here through ``cffi`` in ABI mode
(no compiler needed) from the system's libsodium (1.0.18 or later: Debian's
``libsodium23``). Each call takes packed bytes (32 bytes a point); the C calls
release the GIL, so large arrays are split over threads, one per core.

libsodium refuses (returns -1) an input of small order and any product that
comes out as the all-zero point; :class:`BadPoint` names the first such
element. Whether a point is canonical and on the curve (not its twist) is
:mod:`jointprobe.deconflict.curve`'s check, made before the multiplication.
"""

from __future__ import annotations

import ctypes.util
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from typing import Any

import cffi

from jointprobe.errors import ConfigError

POINT = 32
SCALAR = 32
#: Below this many elements one thread does the work (splitting costs more than it saves).
PARALLEL_FROM = 4096

_CDEF = """
int sodium_init(void);
const char *sodium_version_string(void);
int crypto_scalarmult_curve25519(unsigned char *q, const unsigned char *n,
                                 const unsigned char *p);
void randombytes_buf(void * const buf, const size_t size);
"""
_ffi = cffi.FFI()
_ffi.cdef(_CDEF)


class BadPoint(ValueError):
    """A packed point that is not a valid curve25519 input (see the module's docstring)."""

    def __init__(self, index: int, why: str = "is not a valid curve25519 point") -> None:
        super().__init__(f"element {index} {why}")
        self.index = index


@cache
def _lib() -> Any:
    names = [ctypes.util.find_library("sodium"), "libsodium.so.26", "libsodium.so.23"]
    for name in [n for n in names if n]:
        try:
            lib = _ffi.dlopen(name)
            lib.crypto_scalarmult_curve25519  # noqa: B018
        except (OSError, AttributeError):
            continue
        if lib.sodium_init() < 0:
            raise ConfigError("libsodium could not be initialised")
        return lib
    raise ConfigError(
        "deconfliction needs libsodium 1.0.18 or later; "
        "install it (Debian/Ubuntu: apt-get install libsodium23)"
    )


def version() -> str:
    return str(_ffi.string(_lib().sodium_version_string()).decode())


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="psi")


def random_scalar() -> bytes:
    """32 random bytes from libsodium; X25519 clamps them when it multiplies."""
    out = _ffi.new("unsigned char[]", SCALAR)
    _lib().randombytes_buf(out, SCALAR)
    return bytes(_ffi.buffer(out, SCALAR))


def _multiply_into(key: Any, src: Any, first: int, dst: Any, start: int, end: int) -> int | None:
    """Multiply elements ``start:end`` (``src`` holds them from ``first`` on); the index
    of the first refused one, if any."""
    mult = _lib().crypto_scalarmult_curve25519
    for i in range(start, end):
        if mult(dst + POINT * i, key, src + POINT * (i - first)) != 0:
            return i
    return None


def multiply(scalar: bytes, points: bytes) -> bytes:
    """Each point times ``scalar`` (X25519); :class:`BadPoint` names the first refused one."""
    return Multiplier(scalar, len(points) // POINT).run(points)


class Multiplier:
    """X25519 over an array that may arrive block by block (:meth:`add`), in the threads.

    The caller prepares the next block (hashing, checking: Python work that
    holds the GIL) while the threads multiply the blocks already added, so both
    cores stay busy; :meth:`result` waits for all of them.
    """

    def __init__(self, scalar: bytes, count: int) -> None:
        if len(scalar) != SCALAR:
            raise ValueError("a scalar is 32 bytes")
        self.key = _ffi.new("unsigned char[]", scalar)
        self.out = bytearray(count * POINT)
        self.dst = _ffi.from_buffer(self.out)
        self.done = 0
        self._pending: list[tuple[Future[int | None], bytes]] = []

    def add(self, points: bytes) -> None:
        """Queue the next block (whole 32-byte encodings)."""
        count = _count(points, POINT)
        start = self.done
        self.done += count
        src = _ffi.from_buffer(points)
        step = count if count < PARALLEL_FROM else -(-count // (os.cpu_count() or 1))
        for s in range(0, count, max(step, 1)):
            job = _job(self.key, src, start, self.dst, start + s, start + min(s + step, count))
            self._pending.append((_pool().submit(job), points))

    def result(self) -> bytes:
        failed = [i for f, _ in self._pending if (i := f.result()) is not None]
        self._pending = []
        if failed:
            raise BadPoint(min(failed), "has small order (refused by X25519)")
        return bytes(self.out[: self.done * POINT])

    def run(self, points: bytes) -> bytes:
        self.add(points)
        return self.result()


def _job(
    key: Any, src: Any, first: int, dst: Any, start: int, end: int
) -> Callable[[], int | None]:
    return lambda: _multiply_into(key, src, first, dst, start, end)


def _count(data: bytes, size: int) -> int:
    if len(data) % size:
        raise BadPoint(len(data) // size, "is not a whole 32-byte encoding")
    return len(data) // size


__all__ = ["POINT", "SCALAR", "BadPoint", "Multiplier", "multiply", "random_scalar", "version"]
