"""Comparable keys of a person's name across scripts and romanisations.

Two kinds of key, distinguishable by prefix:

- ``zh:zheng|fujing`` — a Chinese reading: tone-less pinyin of the surname,
  a bar, the given name's syllables joined. 郑富京, 鄭富京, ``ZHENG, Fujing``,
  ``Zhèng Fùjīng``, ``Fujing Zheng`` and Wade-Giles ``Cheng Fu-ching`` share it.
- ``lt:fujing zheng`` — the Latin tokens folded (case, accents) and sorted,
  for names of any origin in any word order.
"""

from __future__ import annotations

import re
from functools import lru_cache

from jointprobe.entities.names.han import han_readings
from jointprobe.entities.names.latin import fold_latin, folded_readings
from jointprobe.entities.names.reading import Reading
from jointprobe.entities.normalise._han import has_han
from jointprobe.errors import InvalidSelector

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·・•]+")


def split_scripts(name: str) -> tuple[str, str]:
    """Return (Chinese-character part, Latin part) of a possibly mixed-script name."""
    han = " ".join(_HAN_RUN.findall(name))
    latin = _HAN_RUN.sub(" ", name)
    return han, latin


def readings(name: str) -> list[Reading]:
    """All Chinese readings of ``name``: its characters and its romanised part."""
    han, latin = split_scripts(name)
    return _readings(han, fold_latin(latin))


def _readings(han: str, folded: str) -> list[Reading]:
    found = han_readings(han) if has_han(han) else []
    if folded:
        found += folded_readings(folded)
    return found


def latin_key(name: str) -> str | None:
    """The sorted-token Latin key (without prefix), or None if no Latin letters."""
    _, latin = split_scripts(name)
    return _latin_key(fold_latin(latin))


_TOKEN_BREAK = re.compile(r"[\s,\-']+")


def _latin_key(folded: str) -> str | None:
    tokens = sorted(t for t in _TOKEN_BREAK.split(folded) if t)
    return " ".join(tokens) if tokens else None


def name_keys(name: str) -> set[str]:
    """Every key under which ``name`` should be found (see the module docstring)."""
    if not name or not name.strip():
        raise InvalidSelector("empty name", where="name")
    return set(_name_keys(name))


@lru_cache(maxsize=65536)
def _name_keys(name: str) -> frozenset[str]:
    han, latin_part = split_scripts(name)
    folded = fold_latin(latin_part)  # once, for both the readings and the Latin key
    keys = {f"zh:{reading.key}" for reading in _readings(han, folded)}
    latin = _latin_key(folded)
    if latin:
        keys.add(f"lt:{latin}")
    if not keys:
        raise InvalidSelector(f"{name!r} has no letters or characters to match on", where="name")
    return frozenset(keys)
