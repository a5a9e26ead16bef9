"""Fictional Latin-script person records at scale (1M in seconds), with known duplicates.

Names are built from syllables (so they exist nowhere), dates of birth,
4-digit postcodes and towns are drawn at random; a share of records are
copies of others with the typos imports carry (dropped or doubled letters,
swapped date digits, missing fields). ``cluster`` is the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
_CODAS = ["", "n", "r", "s", "l", "th", "m"]


def _names(rng: np.random.Generator, count: int, syllables: int) -> np.ndarray:
    parts = [
        rng.choice(_ONSETS, count).astype(object)
        + rng.choice(_VOWELS, count).astype(object)
        + rng.choice(_CODAS, count).astype(object)
        for _ in range(syllables)
    ]
    out = parts[0]
    for part in parts[1:]:
        out = out + part
    return np.unique(out)


def _typo(values: np.ndarray, rng: np.random.Generator, rate: float) -> np.ndarray:
    out = values.copy()
    for i in np.flatnonzero(rng.random(len(values)) < rate):
        word = out[i]
        if isinstance(word, str) and len(word) > 3:
            j = int(rng.integers(1, len(word)))
            out[i] = word[:j] + word[j + 1 :] if rng.random() < 0.5 else word[:j] + word[j - 1 :]
    return out


def generate(n: int, *, duplicate_share: float = 0.2, seed: int = 1) -> pd.DataFrame:
    """``n`` records; about ``duplicate_share`` of them are noisy copies of others."""
    rng = np.random.default_rng(seed)
    firsts, lasts = _names(rng, 4000, 2), _names(rng, 30000, 3)
    originals = int(n * (1 - duplicate_share))
    frame = pd.DataFrame(
        {
            "first_name": rng.choice(firsts, originals),
            "last_name": rng.choice(lasts, originals),
            "dob": pd.to_datetime(rng.integers(-18000, 15000, originals), unit="D")
            .strftime("%Y-%m-%d")
            .to_numpy(),
            "postcode": rng.integers(1000, 9999, originals).astype(str),
            "city": rng.choice(_names(rng, 3000, 2), originals),
        }
    )
    frame["cluster"] = np.arange(originals)
    source = rng.integers(0, originals, n - originals)
    dups = frame.iloc[source].reset_index(drop=True)
    dups["first_name"] = _typo(dups["first_name"].to_numpy(), rng, 0.15)
    dups["last_name"] = _typo(dups["last_name"].to_numpy(), rng, 0.15)
    for column, rate in (("dob", 0.05), ("postcode", 0.05), ("city", 0.1)):
        dups.loc[rng.random(len(dups)) < rate, column] = None
    out = pd.concat([frame, dups], ignore_index=True)
    out.insert(0, "unique_id", [f"p{i}" for i in range(len(out))])
    out["fictional"] = True
    return out
