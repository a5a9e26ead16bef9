"""Han-script helpers shared by normalisers and names: detection and OpenCC folding."""

from __future__ import annotations

import re
from functools import lru_cache

from opencc import OpenCC

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_converter: OpenCC | None = None


def has_han(text: str) -> bool:
    """True when ``text`` contains at least one CJK ideograph."""
    return _HAN.search(text) is not None


def is_han_char(char: str) -> bool:
    """True for a single CJK ideograph."""
    return _HAN.match(char) is not None


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Fold traditional characters to simplified (OpenCC ``t2s``)."""
    global _converter
    if _converter is None:
        _converter = OpenCC("t2s")
    return str(_converter.convert(text))
