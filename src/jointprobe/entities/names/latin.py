"""Readings of romanised Chinese names: pinyin, Wade-Giles and Cantonese spellings.

A Latin name has Chinese readings only when one end of it is a known
Chinese surname (or a comma marks the surname). Each given-name syllable is
mapped to the pinyin syllables it can spell in each system; a token without
hyphens is cut into syllables when it is not already pinyin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import cache, lru_cache
from itertools import islice, product

from jointprobe.entities.names._tables import tables
from jointprobe.entities.names.reading import Reading

_PER_SYSTEM = 24
MAX_TOKEN = 30
"""Longest word read as romanised Chinese. The longest such word, a given name of two
syllables run together (``zhuangzhuang``), has 12 letters; a longer one is not a
Chinese name, and reading it (cutting it into syllables, trying typo repairs) would
cost time growing with the square of its length."""

MAX_WORDS = 8
"""Most words in a name whose typos are repaired: each repaired spelling is read again
in full, so the cost grows with the square of the word count. A romanised Chinese
name has two to five words (``Ou Yang Xiao Long``)."""

_TONE_DIGITS = re.compile(r"(?<=[a-z])[1-5]\b")
_NOT_NAME = re.compile(r"[^a-z'\-\s,]+")
_DOUBLE = re.compile(r"(.)\1")


def fold_latin(name: str) -> str:
    """Lower case without accents or tone marks; ü as v; apostrophes and hyphens kept."""
    text = name.replace("ü", "v").replace("Ü", "V").replace("’", "'").replace("‘", "'")
    if text.isascii():  # nothing to decompose
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = _TONE_DIGITS.sub("", plain)
    return " ".join(_NOT_NAME.sub(" ", plain).split())


_SYSTEMS = ("pinyin", "wade-giles", "cantonese")
BySystem = dict[str, list[str]]  # system -> pinyin spellings


@lru_cache(maxsize=65536)
def _syllable_options(syllable: str) -> BySystem:
    """Pinyin spellings of one syllable per system (cached: callers must not change it)."""
    t = tables()
    bare = syllable.replace("'", "")
    out: BySystem = {}
    if bare in t.pinyin:
        out["pinyin"] = [bare]
    elif bare.startswith(("ly", "ny")) and bare.replace("yu", "v") in t.pinyin:
        out["pinyin"] = [bare.replace("yu", "v")]
    wade = sorted(t.wade_giles.get(syllable, frozenset()) | t.wade_giles.get(bare, frozenset()))
    if wade:
        out["wade-giles"] = wade
    if bare in t.cantonese:
        out["cantonese"] = sorted(t.cantonese[bare])
    return out


@cache
def _inventory() -> frozenset[str]:
    """Every syllable spelling of every system."""
    t = tables()
    return frozenset(t.pinyin | t.wade_giles.keys() | t.cantonese.keys())


@lru_cache(maxsize=65536)
def _segment(token: str) -> tuple[tuple[str, ...], ...]:
    """Cut a hyphen-less token into known syllables, fewest pieces only (at most 3 ways)."""
    inventory = _inventory()
    best: list[list[tuple[str, ...]]] = [[] for _ in range(len(token) + 1)]
    best[0] = [()]
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 7), end):
            piece = token[start:end]
            if best[start] and piece in inventory:
                best[end] += [seg + (piece,) for seg in best[start][:3]]
        if best[end]:
            shortest = min(len(seg) for seg in best[end])
            best[end] = [seg for seg in best[end] if len(seg) == shortest][:3]
    return tuple(best[len(token)])


def _token_options(token: str) -> BySystem:
    """Pinyin spellings (syllables joined) a romanised token may stand for, per system."""
    token = token.strip("-'")
    if "-" in token:
        cuts: list[tuple[str, ...]] = [tuple(p for p in token.split("-") if p)]
    else:
        cuts = list(_segment(token.replace("'", "")))
    out: dict[str, dict[str, None]] = {}
    for cut in cuts:
        for system, spelling in _joined([_syllable_options(s) for s in cut], 16):
            out.setdefault(system, {})[spelling] = None
    return {system: list(spellings) for system, spellings in out.items()}


def _joined(parts: list[BySystem], cap: int) -> Iterator[tuple[str, str]]:
    """(system, spelling) for each system in which every part has spellings: one spelling
    of each part, joined; at most ``cap`` per system."""
    for system in _SYSTEMS:
        lists = [part.get(system) or [] for part in parts]
        if all(lists):
            for combo in islice(product(*lists), cap):
                yield system, "".join(combo)


def _token_reads(token: str) -> bool:
    """Whether :func:`_token_options` has any spelling for ``token``, without building them."""
    token = token.strip("-'")
    if "-" in token:
        cuts: Iterable[tuple[str, ...]] = [tuple(p for p in token.split("-") if p)]
    else:
        cuts = _segment(token.replace("'", ""))
    for cut in cuts:
        per_syllable = [_syllable_options(s) for s in cut]
        for system in _SYSTEMS:
            if all(options.get(system) for options in per_syllable):
                return True
    return False


def _surname_options(token: str) -> BySystem:
    t = tables()
    bare = token.replace("-", "").replace("'", "")
    if bare not in t.latin_surnames and token not in t.latin_surnames:
        return {}  # the Latin surnames include every compound surname
    if bare in _compound_surnames():
        return {"pinyin": [bare]}
    return _syllable_options(token) or _token_options(token)


@cache
def _compound_surnames() -> frozenset[str]:
    return frozenset(tables().compound_surnames.values())


def _readings(surname: str, given: list[str], surname_first: bool) -> list[Reading]:
    sur_options = _surname_options(surname)
    if not sur_options or not given:
        return []
    given_options = [_token_options(tok) for tok in given]
    if not all(given_options):
        return []
    out: dict[str, Reading] = {}
    for system in _SYSTEMS:
        lists = [sur_options.get(system)] + [g.get(system) for g in given_options]
        if not all(lists):
            continue
        for combo in islice(product(*[x for x in lists if x]), _PER_SYSTEM):
            reading = Reading(combo[0], "".join(combo[1:]), system, surname_first)
            out.setdefault(reading.key, reading)
    if not out:  # mixed spellings: surname in one system, given name in another
        merged = [
            sorted({p for ps in o.values() for p in ps}) for o in [sur_options, *given_options]
        ]
        for combo in islice(product(*merged), _PER_SYSTEM):
            reading = Reading(combo[0], "".join(combo[1:]), "cantonese", surname_first)
            out.setdefault(reading.key, reading)
    return list(out.values())


def _collapse_doubles(token: str) -> list[str]:
    return [token[:i] + token[i + 1 :] for i in range(1, len(token)) if token[i] == token[i - 1]]


@lru_cache(maxsize=131072)
def _near_surnames(token: str) -> tuple[str, ...]:
    """The one known surname spelling a single edit away, if exactly one is.

    Cached: the scan over every known surname is the costliest step of reading a
    name that reads no other way, and imports repeat their tokens.
    """
    if len(token) < 3:
        return ()
    near = _one_edit_surnames(token) - {token}
    return tuple(near) if len(near) == 1 else ()


@cache
def _deletions() -> tuple[dict[str, frozenset[str]], dict[tuple[str, int], frozenset[str]]]:
    """Known surnames by each spelling one deleted letter leaves: (any position, that position)."""
    anywhere: dict[str, set[str]] = {}
    at: dict[tuple[str, int], set[str]] = {}
    for name in tables().latin_surnames:
        for i in range(len(name)):
            cut = name[:i] + name[i + 1 :]
            anywhere.setdefault(cut, set()).add(name)
            at.setdefault((cut, i), set()).add(name)
    return (
        {k: frozenset(v) for k, v in anywhere.items()},
        {k: frozenset(v) for k, v in at.items()},
    )


def _one_edit_surnames(token: str) -> set[str]:
    """Known surnames within one insertion, deletion or substitution of ``token``.

    A surname one letter longer leaves ``token`` when that letter is deleted; one
    letter shorter is ``token`` with a letter deleted; the same length with one
    letter replaced leaves the same spelling when the same position is deleted.
    """
    anywhere, at = _deletions()
    surnames = tables().latin_surnames
    found = set(anywhere.get(token, ()))
    for i in range(len(token)):
        cut = token[:i] + token[i + 1 :]
        if cut in surnames:
            found.add(cut)
        found |= at.get((cut, i), frozenset())
    return found


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=16384)
def _dropped_letter(token: str) -> tuple[str, ...]:
    """The one spelling of a given-name token that a single restored letter makes readable.

    Empty when the token reads as it is, or when no or several restorations read
    (``ie`` could be Xie, Jie, Lie, … — that is no evidence).
    """
    if len(token.strip("-'")) < 2 or _token_reads(token):
        return ()
    readable = [spelling for spelling in _insertions(token) if _token_reads(spelling)]
    if not readable:
        return ()
    # A letter restored inside a syllable, not one that adds a syllable (qiag: qiang, not qiaga).
    fewest = min(_pieces(spelling) for spelling in readable)
    best = [spelling for spelling in readable if _pieces(spelling) == fewest]
    return tuple(best) if len(best) == 1 else ()


def _insertions(token: str) -> set[str]:
    """Spellings of ``token`` with one letter inserted that could read.

    A plain token (no hyphen or apostrophe) reads only if it can be cut into
    known syllables, so only insertions that complete a syllable between a
    readable beginning and a readable end are kept; the others cannot read.
    A token with hyphens or apostrophes goes through :func:`_marked_insertions`.
    """
    if "-" in token or "'" in token:
        return _marked_insertions(token)
    n = len(token)
    head = [False] * (n + 1)  # head[k]: token[:k] cuts into syllables
    tail = [False] * (n + 1)  # tail[k]: token[k:] cuts into syllables
    inventory = _inventory()
    head[0] = tail[n] = True
    for end in range(1, n + 1):
        head[end] = any(head[a] and token[a:end] in inventory for a in range(max(0, end - 7), end))
    for start in range(n - 1, -1, -1):
        tail[start] = any(
            tail[b] and token[start:b] in inventory for b in range(start + 1, min(n, start + 7) + 1)
        )
    gaps = _syllable_gaps()
    found: set[str] = set()
    for i in range(n + 1):  # the letter goes in before token[i]
        for a in range(max(0, i - 6), i + 1):
            if not head[a]:
                continue
            for b in range(i, min(n, a + 6) + 1):  # syllable: token[a:i] + letter + token[i:b]
                if tail[b]:
                    for letter in gaps.get((token[a:b], i - a), ()):
                        found.add(token[:i] + letter + token[i:])
    return found


def _marked_insertions(token: str) -> set[str]:
    """:func:`_insertions` of a token with hyphens or apostrophes.

    Such a token reads as its hyphen-separated pieces, each a syllable spelling;
    without hyphens, as its letters with the apostrophes dropped. So an inserted
    letter is kept only when the piece it lengthens is a syllable spelling, or,
    without hyphens, when the plain token it makes is a plain insertion kept.
    """
    core = token.strip("-'")  # an inner hyphen stays in every spelling: pieces decide
    plain = set() if "-" in core else _insertions(token.replace("-", "").replace("'", ""))
    found: set[str] = set()
    for i in range(len(token) + 1):
        for letter in _LETTERS:
            spelling = token[:i] + letter + token[i:]
            lengthened = spelling.strip("-'")
            if "-" not in lengthened:
                if lengthened.replace("'", "") in plain:
                    found.add(spelling)
                continue
            at = i - (len(spelling) - len(spelling.lstrip("-'")))  # the letter, in lengthened
            start = lengthened.rfind("-", 0, at) + 1
            end = lengthened.find("-", at)
            if _syllable_options(lengthened[start : end if end >= 0 else None]):
                found.add(spelling)
    return found


@cache
def _syllable_gaps() -> dict[tuple[str, int], frozenset[str]]:
    """(syllable with the letter at position j taken out, j) -> the letters taken out."""
    gaps: dict[tuple[str, int], set[str]] = {}
    for syllable in _inventory():
        if len(syllable) <= 7 and syllable.isalpha() and syllable.isascii():
            for j, letter in enumerate(syllable):
                gaps.setdefault((syllable[:j] + syllable[j + 1 :], j), set()).add(letter)
    return {key: frozenset(letters) for key, letters in gaps.items()}


def _pieces(token: str) -> int:
    if "-" in token:
        return len([p for p in token.split("-") if p])
    cuts = _segment(token.replace("'", ""))
    return len(cuts[0]) if cuts else 0


def _repairs(folded: str) -> list[str]:
    """Spellings of ``folded`` with one likely typo undone (doubled or dropped letter, slip).

    A dropped letter is restored only in a given-name token of a name with a known
    Chinese surname at one end, and only when exactly one restoration reads.
    """
    head, comma, tail = folded.partition(",")
    tokens = head.split() + ([","] if comma else []) + tail.split()
    if not tokens or len(tokens) > MAX_WORDS:  # each repair reads the whole name again
        return []
    surnames = tables().latin_surnames
    ends = [0] if comma else [0, len(tokens) - 1]
    known = [j for j in ends if tokens[j] in surnames]  # ends that are a known surname
    doubled = _DOUBLE.search(folded) is not None
    if (
        not doubled
        and not known
        and not any(tokens[j] != "," and _near_surnames(tokens[j]) for j in ends)
    ):
        return []  # no letter doubled, no known surname at an end, none one edit away
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token == ",":
            continue
        fixes = _collapse_doubles(token) if doubled else []
        is_surname_slot = i == 0 or (not comma and i == len(tokens) - 1)
        if is_surname_slot and token not in surnames:
            fixes += _near_surnames(token)
        if known and any(j != i for j in known):
            fixes += _dropped_letter(token)
        for fix in fixes:
            out.append(" ".join(tokens[:i] + [fix] + tokens[i + 1 :]).replace(" ,", ","))
    return out


def latin_readings(name: str) -> list[Reading]:
    """Chinese readings of a Latin-script name; empty when it does not look Chinese.

    When the spelling as written gives no reading, one likely typo is undone
    (a doubled letter, or a surname one letter away from exactly one known
    surname) and those readings are returned marked ``corrected``.
    """
    return folded_readings(fold_latin(name))


def _too_long(folded: str) -> bool:
    return len(folded) > MAX_TOKEN and any(
        len(token) > MAX_TOKEN for token in folded.replace(",", " ").split()
    )


def folded_readings(folded: str) -> list[Reading]:
    """:func:`latin_readings` of a name already folded by :func:`fold_latin`; none when a
    word is longer than :data:`MAX_TOKEN` letters."""
    if _too_long(folded):
        return []
    found = _latin_readings(folded)
    if found:
        return found
    repaired: dict[str, Reading] = {}
    for spelling in _repairs(folded):
        for reading in _latin_readings(spelling):
            repaired.setdefault(reading.key, replace(reading, corrected=True))
    return list(repaired.values())


def _latin_readings(folded: str) -> list[Reading]:
    if "," in folded:
        before, _, after = folded.partition(",")
        sur, given = before.split(), after.replace(",", " ").split()
        if len(sur) == 1 and given:
            return _readings(sur[0], given, True)
        return []
    tokens = folded.split()
    if len(tokens) < 2:
        return []
    readings = _readings(tokens[0], tokens[1:], True)
    readings += _readings(tokens[-1], tokens[:-1], False)
    return readings


_GIVEN_CAP = 24  # spellings per name, as for readings


def given_spellings(folded: str) -> list[str]:
    """Pinyin spellings the given name of a Latin-script name may stand for, whatever its
    surname: for a linkage feature that still pairs ``Den Lin-fu`` with ``Deng Linfu``
    when a typo leaves the surname unreadable or turns it into another surname.

    Only names with a known Chinese surname, or a spelling one edit from one, at an end
    (or before a comma) are read, none with a word longer than :data:`MAX_TOKEN`; each
    order is tried (surname first, surname last), and a given name reads when all its
    tokens read in one system.
    """
    if _too_long(folded):
        return []
    head, comma, tail = folded.partition(",")
    if comma:
        candidates = [(head.split(), tail.replace(",", " ").split())]
    else:
        tokens = folded.split()
        candidates = [(tokens[:1], tokens[1:]), (tokens[-1:], tokens[:-1])]
    out: dict[str, None] = {}
    for surname, given_tokens in candidates:
        given = [token for token in given_tokens if token.strip("-'")]  # not a lone '-'
        if len(surname) != 1 or not given:
            continue
        if not _surname_like(surname[0].replace("-", "").replace("'", "")):
            continue
        for _, spelling in _joined([_token_options(tok) for tok in given], _GIVEN_CAP):
            if spelling:
                out[spelling] = None
    return list(out)[:_GIVEN_CAP]


@lru_cache(maxsize=131072)
def _surname_like(token: str) -> bool:
    """A known surname spelling, or one of three letters or more one edit from one (shorter
    words are a letter from many surnames: an initial is no mistyped surname). Cached:
    imports repeat their tokens."""
    if token in tables().latin_surnames:
        return True
    return len(token) >= 3 and bool(_one_edit_surnames(token))
