"""Shares of a whole (origin shares per period) and their log-ratio transforms.

Shares live on the simplex: they sum to one, so a rise in one is a fall in
others, and ordinary distances mislead. The centred log-ratio (clr) maps them to
ordinary space; the additive log-ratio (alr) does so against a reference part.
A zero share has no logarithm: zeros are replaced first by adding ``prior``
seizures to every cell (a Bayesian-multiplicative replacement: a part never
seen gets a small share, the others shrink in proportion).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float64]
#: pseudo-count added to every cell before taking shares (Jeffreys' prior)
PRIOR = 0.5


def shares(counts: NDArray[np.float64] | NDArray[np.int64], prior: float = PRIOR) -> Matrix:
    """Row shares of a periods × parts count matrix, zeros replaced (see module doc)."""
    data = np.asarray(counts, dtype=np.float64) + prior
    return np.asarray(data / data.sum(axis=1, keepdims=True), dtype=np.float64)


def raw_shares(counts: NDArray[np.float64] | NDArray[np.int64]) -> Matrix:
    """Row shares without replacement (a row of zeros stays zero): what a reader sees."""
    data = np.asarray(counts, dtype=np.float64)
    totals = data.sum(axis=1, keepdims=True)
    return np.asarray(np.divide(data, totals, out=np.zeros_like(data), where=totals > 0))


def clr(parts: Matrix) -> Matrix:
    """Centred log-ratio: log of each share minus the row's mean log share."""
    logs = np.log(parts)
    return np.asarray(logs - logs.mean(axis=1, keepdims=True), dtype=np.float64)


def alr(parts: Matrix, reference: int = -1) -> Matrix:
    """Additive log-ratio against part ``reference`` (that column is dropped)."""
    logs = np.log(parts)
    return np.asarray(np.delete(logs - logs[:, [reference]], reference, axis=1), dtype=np.float64)


__all__ = ["PRIOR", "alr", "clr", "raw_shares", "shares"]
