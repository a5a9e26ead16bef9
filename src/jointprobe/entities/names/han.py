"""Readings of names written in Chinese characters."""

from __future__ import annotations

from itertools import islice, product

from pypinyin import Style, pinyin

from jointprobe.entities.names._tables import tables
from jointprobe.entities.names.reading import Reading
from jointprobe.entities.normalise._han import is_han_char, to_simplified

_MAX_READINGS = 8


def han_core(name: str) -> str:
    """The simplified ideographs of ``name`` (middle dots, spaces and Latin dropped)."""
    return "".join(c for c in to_simplified(name) if is_han_char(c))


def split_surname(core: str) -> tuple[str, str]:
    """Split simplified ideographs into (surname, given), compound surnames first."""
    if len(core) >= 3 and core[:2] in tables().compound_surnames:
        return core[:2], core[2:]
    return core[:1], core[1:]


def surname_pinyin(surname: str) -> str:
    """The surname reading: the compound table, the reading table, else pypinyin."""
    t = tables()
    if surname in t.compound_surnames:
        return t.compound_surnames[surname]
    if surname in t.surname_readings:
        return t.surname_readings[surname]
    return "".join(p[0] for p in pinyin(surname, style=Style.NORMAL))


def han_readings(name: str) -> list[Reading]:
    """Every plausible pinyin reading of a Chinese-character name (at most 8)."""
    core = han_core(name)
    if not core:
        return []
    surname, given = split_surname(core)
    options = [choices[:2] for choices in pinyin(given, style=Style.NORMAL, heteronym=True)]
    sur = surname_pinyin(surname)
    combos = islice(product(*options), _MAX_READINGS) if options else iter([()])
    return [Reading(sur, "".join(combo), "han") for combo in combos]
