"""Compare two names and say why they match (or why they do not)."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from jointprobe.entities.names._tables import tables
from jointprobe.entities.names.han import han_core
from jointprobe.entities.names.keys import latin_key, readings
from jointprobe.entities.names.reading import SYSTEM_LABEL, SYSTEM_RANK, Reading
from jointprobe.entities.normalise._han import has_han

# Scores by the weaker of the two sides' reading systems.
_SYSTEM_SCORE = {"han": 1.0, "pinyin": 0.95, "wade-giles": 0.9, "cantonese": 0.85}


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A score in [0, 1] and the reason in words."""

    score: float
    reason: str


def _display(reading: Reading) -> str:
    return f"{reading.surname.capitalize()} {reading.given.capitalize()}"


def _explain_common(a: str, b: str, ra: Reading, rb: Reading) -> NameMatch:
    match = _explain_reading(a, b, ra, rb)
    if ra.corrected or rb.corrected:
        return NameMatch(
            round(match.score - 0.1, 3), match.reason + " (after undoing a likely typo)"
        )
    return match


def _explain_reading(a: str, b: str, ra: Reading, rb: Reading) -> NameMatch:
    if ra.system == "han" and rb.system == "han":
        if han_core(a) == han_core(b) and a.strip() != b.strip():
            return NameMatch(
                1.0, f"{a} = {b}: same characters once traditional/simplified are folded"
            )
        return NameMatch(0.97, f"{a} = {b}: same pinyin reading {_display(ra)}")
    weaker = ra if SYSTEM_RANK[ra.system] >= SYSTEM_RANK[rb.system] else rb
    score = _SYSTEM_SCORE[weaker.system]
    if "han" in (ra.system, rb.system):
        han, other = (a, b) if ra.system == "han" else (b, a)
        return NameMatch(
            score, f"{han} = {other}: {SYSTEM_LABEL[weaker.system]} of the Chinese name"
        )
    if ra.surname_first != rb.surname_first:
        return NameMatch(
            round(score - 0.02, 3), f"{a} = {b}: same name, surname-first vs given-name-first"
        )
    return NameMatch(score, f"{a} = {b}: same name in {SYSTEM_LABEL[weaker.system]}")


def _surname_guard(a: str, b: str, ra: list[Reading], rb: list[Reading]) -> NameMatch | None:
    """Refuse near-identical but distinct surnames (Zheng vs Zhang) with the same given name."""
    confusable = tables().confusable
    for x in ra:
        for y in rb:
            if x.given == y.given and x.surname != y.surname:
                if frozenset((x.surname, y.surname)) in confusable:
                    return NameMatch(
                        0.2,
                        f"{a} ≠ {b}: different surnames {x.surname.capitalize()} and "
                        f"{y.surname.capitalize()} that romanise almost alike",
                    )
    return None


def compare_names(a: str, b: str) -> NameMatch:
    """Score how likely ``a`` and ``b`` name the same person, with the reason."""
    if not a.strip() or not b.strip():
        return NameMatch(0.0, "an empty name matches nothing")
    ra, rb = readings(a), readings(b)
    by_key_b = {r.key: r for r in rb}
    common = [(x, by_key_b[x.key]) for x in ra if x.key in by_key_b]
    if common:
        x, y = min(common, key=lambda p: max(SYSTEM_RANK[p[0].system], SYSTEM_RANK[p[1].system]))
        return _explain_common(a, b, x, y)
    lat_a, lat_b = latin_key(a), latin_key(b)
    if lat_a and lat_b and lat_a == lat_b:
        return NameMatch(0.97, f"{a} = {b}: same name once case, accents and word order are folded")
    guard = _surname_guard(a, b, ra, rb)
    if guard is not None:
        return guard
    if ra and rb:
        same_surname = {x.surname for x in ra} & {y.surname for y in rb}
        if not same_surname:
            return NameMatch(0.1, f"{a} ≠ {b}: different surnames")
    if lat_a and lat_b:
        ratio = fuzz.token_sort_ratio(lat_a, lat_b) / 100
        return NameMatch(round(0.8 * ratio, 3), f"{a} ~ {b}: spelling {ratio:.0%} similar")
    if has_han(a) and has_han(b):
        ratio = fuzz.ratio(han_core(a), han_core(b)) / 100
        return NameMatch(round(0.8 * ratio, 3), f"{a} ~ {b}: characters {ratio:.0%} similar")
    return NameMatch(0.0, f"{a} ≠ {b}: nothing in common")
