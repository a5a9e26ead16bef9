"""Tables behind name keys, built once on first use.

- pinyin syllables and the Wade-Giles → pinyin map are derived from pypinyin's
  own readings of the CJK block (the commonest Wade-Giles spelling per pinyin
  syllable, inverted), shipped precomputed in ``data/wade_giles.json`` so that
  a process needs no second to start reading names;
- surname readings, compound surnames and Cantonese syllables come from the
  YAML files in ``data/`` (each with its ``source``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pypinyin
import yaml
from pypinyin import Style, lazy_pinyin

_DATA = Path(__file__).parent / "data"
WADE_GILES_FILE = "wade_giles.json"


@dataclass(frozen=True, slots=True)
class Tables:
    pinyin: frozenset[str]
    pinyin_to_wade_giles: dict[str, str]
    wade_giles: dict[str, frozenset[str]]
    cantonese: dict[str, frozenset[str]]
    surname_readings: dict[str, str]
    compound_surnames: dict[str, str]
    latin_surnames: frozenset[str]
    confusable: frozenset[frozenset[str]]


def _load(name: str) -> dict[str, Any]:
    with (_DATA / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def _strip_wg(syllable: str) -> str:
    return syllable.replace("'", "").replace("’", "")


def derive_wade_giles() -> dict[str, str]:
    """Every pinyin syllable pypinyin reads in the CJK block, with its commonest Wade-Giles
    spelling there (~1 s). Shipped precomputed in ``data/wade_giles.json``; a test checks
    that file against this; :func:`write_wade_giles` rewrites it."""
    chars = "".join(chr(c) for c in range(0x4E00, 0x9FA6))
    plain = lazy_pinyin(chars, style=Style.NORMAL, errors="ignore")
    wade = lazy_pinyin(chars, style=Style.WADEGILES, errors="ignore")
    pairs = Counter(zip(plain, wade, strict=True))
    best: dict[str, tuple[int, str]] = {}
    for (py, wg), count in pairs.items():
        if count > best.get(py, (0, ""))[0]:
            best[py] = (count, wg.lower())
    return {py: wg for py, (_, wg) in sorted(best.items())}


def _shipped_wade_giles() -> dict[str, str]:
    with (_DATA / WADE_GILES_FILE).open(encoding="utf-8") as handle:
        shipped: dict[str, str] = json.load(handle)["pinyin_to_wade_giles"]
    return shipped


@cache
def tables() -> Tables:
    """Return the shared name tables (built on first call, in milliseconds)."""
    to_wade_giles = _shipped_wade_giles()
    wg_map: dict[str, set[str]] = {}
    for py, wg in to_wade_giles.items():
        for spelling in {wg, _strip_wg(wg)}:
            wg_map.setdefault(spelling.replace("v", "u").replace("ü", "u"), set()).add(py)
    surnames = _load("surnames.yaml")
    canto = {k: frozenset(v) for k, v in _load("cantonese.yaml")["syllables"].items()}
    readings: dict[str, str] = surnames["readings"]
    compound: dict[str, str] = surnames["compound"]
    latin: set[str] = set(compound.values())
    for char in surnames["common"].strip():
        py = readings.get(char) or lazy_pinyin(char, style=Style.NORMAL)[0]
        latin.add(py)
        latin.add(_strip_wg(to_wade_giles[py]).replace("v", "u"))
    for syllable, readings_of in canto.items():
        if readings_of & latin:
            latin.add(syllable)
    return Tables(
        pinyin=frozenset(to_wade_giles),
        pinyin_to_wade_giles=to_wade_giles,
        wade_giles={k: frozenset(v) for k, v in wg_map.items()},
        cantonese=canto,
        surname_readings=readings,
        compound_surnames=compound,
        latin_surnames=frozenset(latin),
        confusable=frozenset(frozenset(pair) for pair in surnames["confusable"]),
    )


def write_wade_giles() -> Path:
    """Derive the Wade-Giles table again (after a pypinyin upgrade) and ship it."""
    path = _DATA / WADE_GILES_FILE
    body = {
        "source": f"derived from pypinyin {pypinyin.__version__} by derive_wade_giles()",
        "pinyin_to_wade_giles": derive_wade_giles(),
    }
    path.write_text(json.dumps(body, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return path
