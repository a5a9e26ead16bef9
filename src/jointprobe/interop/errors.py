"""Errors of imports and exports: a file we cannot read, or one over the size cap.

::

    InvalidInput                 input.invalid        422
    ├── InvalidInteropFile       interop.invalid      422
    └── InteropFileTooLarge      interop.too_large    413
"""

from __future__ import annotations

from jointprobe.errors import InvalidInput


class InvalidInteropFile(InvalidInput):
    """Not JSON, not a STIX 2.1 bundle or MISP event, or an object in it we cannot read."""

    code = "interop.invalid"


class InteropFileTooLarge(InvalidInput):
    """Over ``JOINTPROBE_INTEROP_MAX_IMPORT_BYTES``: refused before it is read."""

    code = "interop.too_large"
    status = 413


__all__ = ["InteropFileTooLarge", "InvalidInteropFile"]
