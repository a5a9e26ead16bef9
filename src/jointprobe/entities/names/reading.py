"""A reading: one way to say a name as pinyin, surname and given name apart."""

from __future__ import annotations

from dataclasses import dataclass

# How a reading was obtained, from most to least certain.
SYSTEM_RANK = {"han": 0, "pinyin": 1, "wade-giles": 2, "cantonese": 3}
SYSTEM_LABEL = {
    "han": "the Chinese characters",
    "pinyin": "pinyin",
    "wade-giles": "Wade-Giles romanisation",
    "cantonese": "Cantonese romanisation",
}


@dataclass(frozen=True, slots=True)
class Reading:
    """``surname`` and ``given`` as tone-less pinyin, syllables joined without spaces."""

    surname: str
    given: str
    system: str
    surname_first: bool = True
    corrected: bool = False  # read after repairing a likely typo

    @property
    def key(self) -> str:
        return f"{self.surname}|{self.given}"


def worst_system(systems: list[str]) -> str:
    """The least certain system among those that produced the syllables."""
    return max(systems, key=SYSTEM_RANK.__getitem__) if systems else "pinyin"
