"""The deletion index finds exactly the known surnames one edit away, as a full scan would."""

import random

from rapidfuzz.distance import Levenshtein

from jointprobe.entities.names._tables import tables
from jointprobe.entities.names.latin import _one_edit_surnames


def _scan(token: str) -> set[str]:
    return {s for s in tables().latin_surnames if Levenshtein.distance(token, s) <= 1}


def test_one_edit_lookup_equals_a_scan_over_every_surname() -> None:
    rng = random.Random(3)
    letters = "abcdefghijklmnopqrstuvwxyz'-"
    surnames = sorted(tables().latin_surnames)
    tokens = set()
    for name in rng.sample(surnames, 200):
        i = rng.randrange(len(name) + 1)
        tokens |= {
            name,
            name[:i] + rng.choice(letters) + name[i:],  # inserted
            name[:i] + name[i + 1 :],  # deleted (or unchanged at the end)
            name[:i] + rng.choice(letters) + name[i + 1 :],  # replaced
            name[:i] + name[i + 2 :],  # two deleted: usually nothing near
        }
    tokens |= {"".join(rng.choices(letters, k=rng.randint(2, 8))) for _ in range(300)}
    assert len(tokens) > 700
    for token in tokens:
        assert _one_edit_surnames(token) == _scan(token), token
