"""Rows that differ only in a numbered, unnamed person read as one row.

Public reporting often names a few defendants and only counts the rest ("six
further defendants were sentenced to fixed terms"). Such people are recorded
as ``Defendant 4 (not named in the reporting)`` … ``Defendant 9 (…)``, each
with the same sentence. Shown one by one they are six identical rows; shown by
:func:`fold_numbered` they are one: ``Defendants 4–9 (not named in the
reporting): Fixed term between six months and ten years …``.

Only *adjacent* rows fold (a timeline keeps its order), and only when every
other cell and the caller's ``same`` key (date, marking, source…) are equal,
so no fact and no marking is hidden by folding. Every consumer (CLI case
summary, the demo, the case and referral pages, the stored outcome summary)
goes through this one function.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

NUMBERED = re.compile(r"\b(Defendant|Suspect|Accused|Buyer|Person) (\d+)\b")
"""A numbered stand-in for a person whose name is not known or not reported."""


@dataclass
class Folded(Generic[T]):
    """One row as shown: its text cells and the rows it stands for (in order)."""

    cells: tuple[str, ...]
    items: list[T] = field(default_factory=list)

    @property
    def first(self) -> T:
        return self.items[0]


def fold_numbered(
    items: Iterable[T],
    cells: Callable[[T], Sequence[str]],
    same: Callable[[T], Hashable] = lambda _: None,
) -> list[Folded[T]]:
    """Fold runs of adjacent rows that differ only in one numbered person.

    ``cells`` gives a row's text (where ``Defendant 4`` may appear, in any
    cell, any number of times); ``same`` gives everything else that must be
    equal for two rows to fold. A single row is returned unchanged.
    """
    out: list[Folded[T]] = []
    runs: list[tuple[Hashable, list[int]]] = []
    for item in items:
        row = tuple(cells(item))
        shape = _shape(row)
        key = None if shape is None else (shape[0], same(item))
        if key is not None and shape is not None and runs and runs[-1][0] == key:
            out[-1].items.append(item)
            runs[-1][1].append(shape[1])
            continue
        out.append(Folded(row, [item]))
        runs.append((key, [] if shape is None else [shape[1]]))
    for folded, (_, numbers) in zip(out, runs, strict=True):
        if len(folded.items) > 1:
            folded.cells = _plural(folded.cells, numbers)
    return out


def fold_text(parts: Iterable[str]) -> list[str]:
    """:func:`fold_numbered` for plain strings (e.g. the parts of a ``; ``-joined summary)."""
    return [f.cells[0] for f in fold_numbered(parts, lambda s: (s,))]


def number_ranges(numbers: Sequence[int]) -> str:
    """``[4, 5, 6, 8]`` -> ``4–6, 8``."""
    spans: list[list[int]] = []
    for n in sorted(set(numbers)):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


def _shape(row: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], int] | None:
    """The row with its one numbered person blanked out, and that person's number."""
    found = {(m[1], int(m[2])) for cell in row for m in NUMBERED.finditer(cell)}
    if len(found) != 1:
        return None
    ((noun, number),) = found
    label = re.compile(rf"\b{noun} {number}\b")
    return (noun, tuple(label.sub("\0", cell) for cell in row)), number


def _plural(row: tuple[str, ...], numbers: list[int]) -> tuple[str, ...]:
    first = _shape(row)
    assert first is not None
    (noun, blanked), _ = first
    return tuple(cell.replace("\0", f"{noun}s {number_ranges(numbers)}") for cell in blanked)
