"""Feature columns that let Splink compare names across scripts.

Input records use the roles of :data:`ROLES` as column names (a mapping file
renames an import's columns to them). :func:`add_features` adds:

- ``name_fold`` — the name folded (Latin: lower case, no accents; Chinese:
  simplified characters), or ``first_name last_name`` when only those exist;
- ``lt_key`` — the Latin tokens sorted, so word order does not matter;
- ``zh_keys`` — every Chinese reading ``surname|given`` in tone-less pinyin
  (characters, pinyin, Wade-Giles, Cantonese all meet here);
- ``surnames`` — the pinyin surnames of those readings;
- ``py_given`` — the given name of the first reading in pinyin (for typo-tolerant
  comparison under the same surname; the surname is left out so that a shared
  surname does not lift a Jaro-Winkler prefix score);
- ``name_key`` — one scalar key (first Chinese reading, else ``lt_key``) for EM blocking;
- ``phone``/``email`` normalised (invalid values become null, not errors);
- ``city_fold`` — a place name as spaceless pinyin or Latin;
- ``dob`` as ISO 8601 (``1967/03/05`` and ``1967-03-05`` are one date; a partial
  date stays partial; an ambiguous ``05/03/1967`` becomes null, never a guess:
  :func:`~jointprobe.resolve.importers.records.read_csv` reports it with the
  mapping's ``date_order`` to fix it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pandas as pd
from pypinyin import Style, lazy_pinyin

from jointprobe.entities.names import fold_latin, name_keys, readings
from jointprobe.entities.names.keys import split_scripts
from jointprobe.entities.names.latin import given_spellings
from jointprobe.entities.normalise import normalise_email, normalise_phone
from jointprobe.entities.normalise._han import has_han, to_simplified
from jointprobe.entities.normalise.dates import date_or_none
from jointprobe.errors import InvalidSelector

ROLES = (
    "unique_id", "name", "first_name", "last_name", "dob", "phone", "email", "postcode",
    "address", "city", "state", "id_number", "country",
)  # fmt: skip


NameFeatures = tuple[
    str | None, str | None, tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...]
]
_NO_NAME: NameFeatures = (None, None, (), (), None, ())


@lru_cache(maxsize=262144)
def _name_features(name: str) -> NameFeatures:
    if not name or not name.strip():
        return _NO_NAME
    try:
        keys = name_keys(name)
    except InvalidSelector:
        return _NO_NAME
    latin = fold_latin(split_scripts(name)[1])  # the whole name when it has no characters
    fold = to_simplified(name) if has_han(name) else latin.replace(",", "")
    lt = next((k[3:] for k in keys if k.startswith("lt:")), None)
    zh = tuple(sorted(k[3:] for k in keys if k.startswith("zh:")))
    found = readings(name)
    surnames = tuple(sorted({r.surname for r in found}))
    first = found[0] if found else None
    fold = " ".join(fold.split())
    given = {r.given for r in found if r.given} | set(given_spellings(latin))
    return fold, lt, zh, surnames, first.given if first else None, tuple(sorted(given))


def _safe(fn: Callable[[str], str], value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return fn(value)
    except InvalidSelector:
        return None


@lru_cache(maxsize=65536)
def fold_place(value: str) -> str | None:
    """A place name as spaceless lower-case Latin (Chinese characters as pinyin)."""
    if not value or not value.strip():
        return None
    if has_han(value):
        core = to_simplified(value).rstrip("市省县区")
        return "".join(lazy_pinyin(core, style=Style.NORMAL, errors="ignore"))
    return fold_latin(value).replace(" ", "").replace("-", "").replace("'", "")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    return (
        frame[column].astype("string").fillna("")
        if column in frame
        else pd.Series("", index=frame.index)
    )


def add_features(frame: pd.DataFrame, *, phone_region: str | None = None) -> pd.DataFrame:
    """Return a copy of ``frame`` with the feature columns for the models in ``model.py``."""
    out = frame.copy()
    if "name" not in out and ("first_name" in out or "last_name" in out):
        full = (_text(out, "first_name") + " " + _text(out, "last_name")).str.strip()
    else:
        full = _text(out, "name")
    feats = [_name_features(str(n)) for n in full]
    out["name_fold"] = [f[0] for f in feats]
    out["lt_key"] = [f[1] for f in feats]
    out["zh_keys"] = [list(f[2]) or None for f in feats]
    out["surnames"] = [list(f[3]) or None for f in feats]
    out["name_key"] = [f[2][0] if f[2] else f[1] for f in feats]
    out["py_given"] = [f[4] for f in feats]
    out["given_keys"] = [list(f[5]) or None for f in feats]
    for column in ("first_name", "last_name"):
        if column in out:
            out[column] = [fold_latin(v) or None for v in _text(out, column)]
    if "phone" in out:
        out["phone"] = [_safe(lambda v: normalise_phone(v, phone_region), v) for v in out["phone"]]
    if "email" in out:
        out["email"] = [_safe(normalise_email, v) for v in out["email"]]
    if "city" in out:
        out["city_fold"] = [fold_place(v) if isinstance(v, str) else None for v in out["city"]]
    if "dob" in out:
        out["dob"] = [date_or_none(v) for v in _text(out, "dob")]
    for column in ("postcode", "address", "state", "id_number"):
        if column in out:
            out[column] = [
                v.strip() or None if isinstance(v, str) else None for v in _text(out, column)
            ]
    return out
