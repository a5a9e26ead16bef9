"""Index lookups in the name layer find exactly what a brute-force search finds."""

import random
import string

from rapidfuzz.distance import Levenshtein

from jointprobe.entities.names._tables import tables
from jointprobe.entities.names.latin import (
    _insertions,
    _inventory,
    _one_edit_surnames,
    _token_options,
)


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


def _insertions_by_brute_force(token: str) -> set[str]:
    found = {
        token[:i] + c + token[i:] for i in range(len(token) + 1) for c in string.ascii_lowercase
    }
    return {spelling for spelling in found if _token_options(spelling)}


def test_restorable_letters_are_those_a_brute_force_finds() -> None:
    rng = random.Random(8)
    syllables = sorted(s for s in _inventory() if "'" not in s)
    tokens = set()
    for _ in range(400):
        word = "".join(rng.sample(syllables, rng.randint(1, 3)))
        i = rng.randrange(len(word))
        tokens |= {word[:i] + word[i + 1 :], word}  # a letter dropped, and none
    tokens |= {
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(200)
    }
    tokens |= {"xiao-ing", "ch'ing", "qiag", "ie", "-fu-chng", "fu-chng-", "'an-ing", "hsiao-ln",
               "a--b", "ch'ng", "'ch'ig'", "xi'an", "hsi-an'", "-'-", "zh-ng-hu", "-fu", "fu-",
               "'an", "-an'", "-", "'", "-'a"}  # fmt: skip
    for _ in range(100):  # Wade-Giles given names with a letter dropped: Fu-ching, Ch'ing-kuo
        pieces = rng.sample(syllables, rng.randint(2, 3))
        word = "-".join(pieces).replace("ch", "ch'", rng.randint(0, 1))
        i = rng.randrange(len(word))
        tokens |= {word[:i] + word[i + 1 :], word}
    for token in sorted(tokens):
        readable = {s for s in _insertions(token) if _token_options(s)}
        assert readable == _insertions_by_brute_force(token), token


def test_a_name_without_latin_letters_has_no_latin_readings() -> None:
    from jointprobe.entities.names import latin_readings

    for name in ["", " ", "123", "王", "·", ",", "-", "'"]:
        assert latin_readings(name) == [], name
