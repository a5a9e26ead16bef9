"""A company name read into its parts: distinctive words, trade words, places, legal form.

``Cishun Fine Chem (Shanghai) Co Ltd`` and ``SHANGHAI CISHUN FINE CHEMICAL CO, LTD.``
both read as distinctive ``cishun``, trade ``chemical fine``, place ``shanghai``,
legal ``co ltd``; ``武汉硕康生物科技有限公司``, ``Wuhan Shuokang Bio-Tech Co., Ltd.``,
``WU-HAN SHUO-K'ANG BIOLOGICAL TECHNOLOGY CO LTD`` as ``shuokang`` / ``biotech`` /
``wuhan`` / ``co ltd``. Pinyin spacing does not matter: the distinctive words are
compared run together (``SHUO KANG`` = ``SHUOKANG``) as well as one by one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from jointprobe.entities.names._tables import tables
from jointprobe.entities.names.company_words import (
    HAN_WORDS,
    LEGAL,
    TRADE,
    phrase_starts,
    phrase_table,
    place_name,
    place_prefixes,
    places,
)
from jointprobe.entities.normalise._han import has_han, is_han_char, to_simplified
from jointprobe.errors import InvalidSelector

MAX_NAME = 300
"""Longest company name read (characters); the longest in the OFAC list has 150."""

_BRACKETS = re.compile(r"[(（\[]([^)）\]]*)[)）\]]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
_SPLIT = re.compile(r"[^\w']+|_")


@dataclass(frozen=True, slots=True)
class CompanyName:
    """The parts of one company name (all folded, canonical spellings)."""

    raw: str
    distinctive: tuple[str, ...]  # in the order written
    trade: frozenset[str]
    places: frozenset[str]
    legal: frozenset[str]
    bracketed_place: bool  # a place was written in brackets: "(Shanghai)"
    rewrites: tuple[tuple[str, str], ...]  # (as written, canonical) for abbreviations
    romanised: tuple[tuple[str, str], ...]  # (as written, pinyin): Chinese or Wade-Giles
    # (pinyin as written, its Wade-Giles reading) of hyphenated words that are both:
    # ``kuan-lang`` is pinyin kuanlang, and Wade-Giles for guanlang
    alternates: tuple[tuple[str, str], ...] = ()

    @property
    def joined(self) -> str:
        """The distinctive words run together, as written (``shuokang``)."""
        return "".join(self.distinctive)

    @property
    def variants(self) -> frozenset[str]:
        """The joined distinctive words, and the same read as Wade-Giles where it can be."""
        joined = self.joined
        return frozenset(
            {joined} | {joined.replace(p, w) for p, w in self.alternates if p in joined}
        )

    @property
    def sorted_joined(self) -> str:
        return "".join(sorted(self.distinctive))

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self.distinctive) | self.trade | self.places


def _wade_giles_to_pinyin() -> dict[str, str]:
    t = tables()
    inverse = {wg: py for py, wg in sorted(t.pinyin_to_wade_giles.items(), reverse=True)}
    for py, wg in t.pinyin_to_wade_giles.items():
        inverse.setdefault(wg.replace("'", ""), py)
    return inverse


_WG: dict[str, str] = {}


def _from_wade_giles(token: str, *, strict: bool = True) -> str | None:
    """``shuo-k'ang`` → ``shuokang`` when a syllable is Wade-Giles and not pinyin; with
    ``strict=False`` also ``kuan-lang`` → ``guanlang`` (every syllable read as Wade-Giles)."""
    if "-" not in token and "'" not in token:
        return None
    if not _WG:
        _WG.update(_wade_giles_to_pinyin())
    syllables = [s for s in token.split("-") if s]
    pinyin = tables().pinyin
    if not syllables or (strict and all(s in pinyin for s in syllables)):
        return None
    if strict:
        read = [_WG.get(s) or (s if s in pinyin else None) for s in syllables]
    else:
        read = [_WG.get(s) for s in syllables]
    if any(r is None for r in read):
        return None
    return "".join(r for r in read if r)


def _han_to_latin(text: str, romanised: list[tuple[str, str]]) -> str:
    """Chinese trade words and legal forms read as their English words, the rest as pinyin."""
    simplified = to_simplified(text)
    for han, latin in HAN_WORDS:
        simplified = simplified.replace(han, latin)
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            chars = "".join(run)
            syllables = lazy_pinyin(chars, style=Style.NORMAL, errors="ignore")
            romanised.append((chars, "".join(syllables)))
            out.append(" " + " ".join(syllables) + " ")
            run.clear()

    for char in simplified:
        if is_han_char(char):
            run.append(char)
        else:
            flush()
            out.append(char)
    flush()
    return "".join(out)


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(
    text: str, romanised: list[tuple[str, str]], alternates: list[tuple[str, str]] | None = None
) -> list[str]:
    """Folded words; a Wade-Giles word read as pinyin; other hyphenated words split."""
    out: list[str] = []
    for raw in re.split(r"[^\w'\-]+|_", text):
        word = raw.strip("'-")
        if not word:
            continue
        pinyin = _from_wade_giles(word)
        if pinyin:
            romanised.append((word, pinyin))
            out.append(pinyin)
            continue
        wade = _from_wade_giles(word, strict=False)
        if wade and alternates is not None and wade != word.replace("-", ""):
            alternates.append((word.replace("-", ""), wade))
        out.extend(w for w in _SPLIT.split(word.replace("'", " ")) if w)
    return out


def _rewrite(words: list[str], rewrites: list[tuple[str, str]]) -> list[str]:
    """Abbreviations and variants → canonical words, longest spelling first."""
    table = phrase_table()
    starts = phrase_starts()
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(starts.get(words[i], 0), len(words) - i), 0, -1):
            canonical = table.get(tuple(words[i : i + n]))
            if canonical is not None:
                written = " ".join(words[i : i + n])
                if written != canonical:
                    rewrites.append((written, canonical))
                out.append(canonical)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def _take_places(words: list[str]) -> tuple[list[str], set[str]]:
    """Remove place names (one to three words, run together: ``hong kong``, ``wu han``)
    where a company name puts them: before its first other word, or after its last
    distinctive one (``XIAN`` inside ``SHANG YI XIAN DA`` is a syllable, not Xi'an)."""
    known = places()
    prefixes = place_prefixes()
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for n in (3, 2, 1) if words[i] in prefixes else ():
            joined = "".join(words[i : i + n])
            if i + n <= len(words) and joined in known:
                spans.append((i, i + n, place_name(joined)))
                i += n
                break
        else:
            i += 1
    covered = {k for start, end, _ in spans for k in range(start, end)}
    plain = [k for k in range(len(words)) if k not in covered]
    generic = LEGAL | TRADE
    first = plain[0] if plain else len(words)
    last = max((k for k in plain if words[k] not in generic), default=-1)
    found: set[str] = set()
    taken: set[int] = set()
    for start, end, place in spans:
        if end <= first or start > last:
            found.add(place)
            taken.update(range(start, end))
    return [w for k, w in enumerate(words) if k not in taken], found


def _check(raw: str, where: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise InvalidSelector("empty company name", where=where)
    if len(text) > MAX_NAME:
        raise InvalidSelector(
            f"a company name of {len(text)} characters is not a name (at most {MAX_NAME})",
            where=where,
        )
    return text


@lru_cache(maxsize=131072)
def parse_company(raw: str, *, where: str = "name") -> CompanyName:
    """Read a company name into its parts (see the module docstring)."""
    text = _check(raw, where)
    romanised: list[tuple[str, str]] = []
    rewrites: list[tuple[str, str]] = []
    bracketed = " ".join(_BRACKETS.findall(text))
    if has_han(text):
        text = _han_to_latin(text, romanised)
        bracketed = _han_to_latin(bracketed, []) if has_han(bracketed) else bracketed
    alternates: list[tuple[str, str]] = []
    words = _rewrite(_tokens(_fold(text), romanised, alternates), rewrites)
    rest, found_places = _take_places(words)
    in_brackets = bool(bracketed) and bool(_take_places(_tokens(_fold(bracketed), []))[1])
    legal = _legal_words(rest)
    distinctive = tuple(w for i, w in enumerate(rest) if i not in legal and w not in TRADE)
    if not distinctive and not found_places and not any(w in TRADE for w in rest):
        if not any(c.isalnum() for c in text):
            raise InvalidSelector(f"{raw!r} has no letters or digits to match on", where=where)
    return CompanyName(
        raw=raw,
        distinctive=distinctive,
        trade=frozenset(w for w in rest if w in TRADE and w != "and"),
        places=frozenset(found_places),
        legal=frozenset(rest[i] for i in legal),
        bracketed_place=in_brackets,
        rewrites=tuple(rewrites),
        romanised=tuple(romanised),
        alternates=tuple(alternates),
    )


def _legal_words(words: list[str]) -> set[int]:
    """Positions of legal-form words: anywhere for long ones (``limited``), only in the
    closing run for two-letter ones (``sa``, ``se``, ``de``: pinyin syllables too)."""
    found = {i for i, w in enumerate(words) if w in LEGAL and len(w) > 2}
    i = len(words) - 1
    while i >= 0 and words[i] in LEGAL:
        found.add(i)
        i -= 1
    return found
