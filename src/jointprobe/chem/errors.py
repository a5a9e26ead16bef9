"""Errors raised by substance intelligence (C5).

::

    InvalidStructure (jointprobe.errors)      chem.invalid_structure   422
    ├── EmptyStructure                        chem.empty               422
    ├── UnparseableStructure                  chem.unparseable         422
    └── UnsupportedStructure                  chem.unsupported         422
        (inorganic, too large, no organic component)

Every error carries ``where`` (e.g. ``"position 7"``, ``"atom 3 (N)"``,
``"line 12"``) when the location of the problem is known.
"""

from __future__ import annotations

from jointprobe.errors import InvalidStructure


class EmptyStructure(InvalidStructure):
    code = "chem.empty"


class UnparseableStructure(InvalidStructure):
    code = "chem.unparseable"


class UnsupportedStructure(InvalidStructure):
    code = "chem.unsupported"


__all__ = ["EmptyStructure", "InvalidStructure", "UnparseableStructure", "UnsupportedStructure"]
