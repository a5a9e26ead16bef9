"""Compare two company names, weighing distinctive words over places, trade words and forms.

The score is led by the distinctive words (``SHUOKANG`` in ``Wuhan Shuokang
Biological Technology Co Ltd``): the same distinctive words give a match
whatever the abbreviations, word order, legal form or pinyin spacing; a
different distinctive word does not, however much else agrees (``Wuhan Jiahe
Biological Technology Co Ltd`` is another company). A name with no
distinctive word at all (``Wuhan Biological Technology Co Ltd``) matches only
a name with the very same trade words and place. Places that disagree
(``Beijing`` against ``Wuhan``) pull the score under the match line.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from jointprobe.entities.names.company_parse import CompanyName, parse_company

# Weights of the parts (sum 1.0); a place conflict costs _PLACE_CONFLICT on top.
_W_DISTINCTIVE = 0.68
_W_TRADE = 0.22
_W_PLACE = 0.06
_W_LEGAL = 0.04
_PLACE_CONFLICT = 0.25
_NEAR = 0.85  # below this similarity two distinctive spellings count as different words


@dataclass(frozen=True, slots=True)
class CompanyMatch:
    """A score in [0, 1] and every reason behind it."""

    score: float
    reasons: tuple[str, ...]


def _upper(words: frozenset[str] | tuple[str, ...]) -> str:
    return " ".join(sorted(words) if isinstance(words, frozenset) else words).upper()


def _distinctive(a: CompanyName, b: CompanyName, reasons: list[str]) -> float:
    if not a.distinctive and not b.distinctive:
        reasons.append("no distinctive word on either side: trade words and place must agree")
        return 1.0 if a.trade == b.trade and a.places == b.places else 0.15
    if not a.distinctive or not b.distinctive:
        generic = a if not a.distinctive else b
        reasons.append(f"{generic.raw!r} has no distinctive word, only generic ones")
        return 0.1
    if a.joined == b.joined:
        if a.distinctive != b.distinctive:
            reasons.append(f"spacing: {_upper(a.distinctive)} = {_upper(b.distinctive)}")
        reasons.append(f"distinctive words agree: {b.joined.upper()}")
        return 1.0
    if a.variants & b.variants:
        for written, pinyin in a.alternates + b.alternates:
            reasons.append(f"Wade-Giles {written.upper()} = pinyin {pinyin.upper()}")
        return 0.97
    if a.sorted_joined == b.sorted_joined:
        reasons.append(f"word order: {_upper(a.distinctive)} = {_upper(b.distinctive)}")
        return 0.98
    only_a = set(a.distinctive) - set(b.distinctive)
    only_b = set(b.distinctive) - set(a.distinctive)
    if only_a and only_b and len(only_a) + len(only_b) < len(a.distinctive) + len(b.distinctive):
        # words in common and a word each of their own: those words decide (STRELA ≠ SEVER)
        a_own, b_own = "".join(sorted(only_a)), "".join(sorted(only_b))
        similarity = Levenshtein.normalized_similarity(a_own, b_own)
    else:
        similarity = max(
            Levenshtein.normalized_similarity(a.joined, b.joined),
            Levenshtein.normalized_similarity(a.sorted_joined, b.sorted_joined),
        )
    if similarity >= _NEAR:
        reasons.append(
            f"distinctive words spelt alike ({similarity:.0%}): "
            f"{_upper(a.distinctive)} ~ {_upper(b.distinctive)}"
        )
        return similarity
    reasons.append(
        f"different distinctive words: {_upper(a.distinctive)} ≠ {_upper(b.distinctive)}"
    )
    return similarity * 0.5


def _trade(a: CompanyName, b: CompanyName, reasons: list[str]) -> float:
    """Trade words: the same (or none) 1; left out on one side 0.2 (RENEEZ, a vessel, is not
    RENEEZ SHIPPING LTD); one set inside the other 0.15 (IRAN AIRCRAFT INDUSTRIES is not
    IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY); otherwise a tenth of the overlap
    (ELEMENTO SOLUTIONS is not ELEMENTO OIL & GAS)."""
    x, y = a.trade, b.trade
    if x == y:
        return 1.0
    if not x or not y:
        reasons.append(f"trade words on one side only: {_upper(x or y)}")
        return 0.2
    reasons.append(f"trade words differ: {_upper(x)} vs {_upper(y)}")
    if x <= y or y <= x:
        return 0.15
    return 0.1 * len(x & y) / len(x | y)


def _place(a: CompanyName, b: CompanyName, reasons: list[str]) -> tuple[float, float]:
    if a.places and b.places:
        if a.places & b.places:
            moved = " (moved into brackets)" if a.bracketed_place != b.bracketed_place else ""
            reasons.append(f"place agrees: {_upper(a.places & b.places)}{moved}")
            return 1.0, 0.0
        reasons.append(f"places conflict: {_upper(a.places)} vs {_upper(b.places)}")
        return 0.0, _PLACE_CONFLICT
    if a.places or b.places:
        reasons.append(f"place given on one side only: {_upper(a.places or b.places)}")
    return 0.5, 0.0


def _explain_spelling(a: CompanyName, b: CompanyName, reasons: list[str]) -> None:
    canon_a = {c: w for w, c in a.rewrites}
    canon_b = {c: w for w, c in b.rewrites}
    for canonical in sorted((a.trade | a.legal) & (b.trade | b.legal)):
        wa, wb = canon_a.get(canonical, canonical), canon_b.get(canonical, canonical)
        if wa != wb:
            reasons.append(f"abbreviation {wa.upper()} = {wb.upper()}")
    for written, pinyin in a.romanised + b.romanised:
        if written.isascii():
            reasons.append(f"Wade-Giles {written.upper()} = pinyin {pinyin.upper()}")
        else:
            reasons.append(f"Chinese characters {written} read as {pinyin.upper()}")


def compare_parsed(a: CompanyName, b: CompanyName) -> CompanyMatch:
    """Score two parsed company names (see the module docstring)."""
    reasons: list[str] = []
    distinctive = _distinctive(a, b, reasons)
    trade = _trade(a, b, reasons)
    place, penalty = _place(a, b, reasons)
    legal = 1.0 if a.legal == b.legal else 0.5
    if distinctive >= _NEAR:
        _explain_spelling(a, b, reasons)
    score = _W_DISTINCTIVE * distinctive + _W_TRADE * trade + _W_PLACE * place + _W_LEGAL * legal
    return CompanyMatch(round(max(0.0, min(1.0, score - penalty)), 3), tuple(reasons))


def compare_companies(a: str, b: str) -> CompanyMatch:
    """Score how likely company names ``a`` and ``b`` name the same company, with reasons."""
    return compare_parsed(parse_company(a), parse_company(b))
