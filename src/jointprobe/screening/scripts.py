"""Names in scripts the name layer does not read (Cyrillic, Arabic, Greek…) → Latin letters.

The name layer reads Latin and Chinese. A query or a list alias in another
script is transliterated (``normality.ascii_text``: ``Ромашка`` → ``Romaska``)
and compared in that form, and the reasons say so; a query that gives no
letters even then is refused with ``screening.script``.
"""

from __future__ import annotations

import unicodedata

from normality import ascii_text

from jointprobe.entities.normalise._han import is_han_char
from jointprobe.errors import InvalidInput


def other_script(text: str) -> str | None:
    """The first script of ``text`` that is neither Latin nor Han (``CYRILLIC``), or None."""
    for char in text:
        if char.isalpha() and not is_han_char(char):
            script = unicodedata.name(char, "UNKNOWN").split(" ")[0]
            if script != "LATIN":
                return script
    return None


def romanise(text: str) -> tuple[str, str | None]:
    """``text`` as Latin letters when it is in another script, and the reason if so."""
    script = other_script(text)
    if script is None:
        return text, None
    latin = " ".join(ascii_text(text).split())
    if not any(c.isalpha() for c in latin):
        raise InvalidInput(
            f"cannot read {text!r}: {script.lower()} script gives no letters to compare; "
            "give the name in Latin letters or Chinese characters",
            code="screening.script",
            where="q",
        )
    return latin, f"{script.capitalize()} {text} transliterated as {latin.upper()}"
