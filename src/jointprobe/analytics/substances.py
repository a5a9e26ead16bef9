"""A seized substance's class, by the chemistry layer: fentanyl-related, precursor or other.

A seizure with a lab result is classed by that result's verdicts. Without one,
its substance name is looked up in the chemistry layer's named lists (``NPP``,
``ANPP``, ``fentanyl``…) and that structure classified under today's rules, so
a substance keeps one class across a trend (furanylfentanyl seized in 2015 is
fentanyl-related, though not yet controlled then). A name the lists do not hold
counts as ``other``: the analytics never guess a structure from a name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from jointprobe.chem.classify import classify
from jointprobe.chem.lists import named_index

FENTANYL, PRECURSOR, OTHER = "fentanyl-related", "precursor", "other"
CLASSES = (FENTANYL, PRECURSOR, OTHER)


def _keys(name: str) -> Iterable[str]:
    """``NPP (N-phenethyl-4-piperidone)`` is found as itself, ``npp`` and the long name."""
    text = name.strip().lower()
    yield text
    if " (" in text and text.endswith(")"):
        short, _, long = text[:-1].partition(" (")
        yield short.strip()
        yield long.strip()


@lru_cache(maxsize=1)
def _smiles_by_name() -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in named_index().entries:
        for key in _keys(entry.name):
            out.setdefault(key, entry.smiles)
    return out


def class_of_verdicts(verdicts: Mapping[str, Any]) -> str:
    """The class from a classification's verdicts (``Classification.to_dict()['verdicts']``)."""
    values = [v for v in verdicts.values() if isinstance(v, Mapping)]
    if any(v.get("fentanyl_related") for v in values):
        return FENTANYL
    if any(v.get("precursor") for v in values):
        return PRECURSOR
    return OTHER


def class_of_name(name: str | None) -> str:
    """The class of a substance name as the chemistry layer judges it today."""
    if not name:
        return OTHER
    smiles = _smiles_by_name().get(name.strip().lower())
    return OTHER if smiles is None else _class_of_structure(smiles, date.today())


@lru_cache(maxsize=1024)
def _class_of_structure(smiles: str, as_of: date) -> str:
    return class_of_verdicts(classify(smiles, as_of).to_dict()["verdicts"])


__all__ = ["CLASSES", "FENTANYL", "OTHER", "PRECURSOR", "class_of_name", "class_of_verdicts"]
