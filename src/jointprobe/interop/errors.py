"""Errors of imports and exports: a file we cannot read, or one over the size cap.

::

    InvalidInput                 input.invalid          422
    ├── InvalidInteropFile       interop.invalid        422
    └── InteropFileTooLarge      interop.too_large      413
    JointprobeError
    └── ExportInvalid            interop.export_invalid 500  (a fault of ours)
"""

from __future__ import annotations

from jointprobe.errors import InvalidInput, JointprobeError


class InvalidInteropFile(InvalidInput):
    """Not JSON, not a STIX 2.1 bundle or MISP event, or an object in it we cannot read."""

    code = "interop.invalid"


class InteropFileTooLarge(InvalidInput):
    """Over ``JOINTPROBE_INTEROP_MAX_IMPORT_BYTES``: refused before it is read."""

    code = "interop.too_large"
    status = 413


class ExportInvalid(JointprobeError):
    """The bundle we built fails the OASIS validator: a fault of ours, nothing is written."""

    code = "interop.export_invalid"
    status = 500


__all__ = ["ExportInvalid", "InteropFileTooLarge", "InvalidInteropFile"]
