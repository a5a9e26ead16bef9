"""Regular expressions for API schemas that every regex engine reads alike.

A schema's ``pattern`` is read by three engines: pydantic's (Rust ``regex``)
when a request arrives, Python's ``re`` in the services and in schemathesis,
and ECMA-style engines in clients. They disagree on classes such as ``\\w``,
``\\s`` and ``\\d`` (Unicode in one, ASCII in another: a combining accent is a
word character to Rust and not to Python), so a request one engine refuses
another accepts. These patterns use explicit character sets only, built from
Python's own ``str.isalnum`` / ``str.isspace`` (the rules the services apply
with ``.strip()`` and ``isalnum()``).
"""

from __future__ import annotations

#: The scripts a name to screen is expected in (Latin, Greek, Cyrillic, Hebrew,
#: Arabic, Devanagari, Thai, kana, CJK, Hangul, full-width Latin and digits).
NAME_SCRIPTS: tuple[tuple[int, int], ...] = (
    (0x0030, 0x024F),
    (0x0370, 0x052F),
    (0x0590, 0x06FF),
    (0x0900, 0x097F),
    (0x0E00, 0x0E7F),
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xFF10, 0xFF5A),
)

_META = set("\\]^-[")


def _literal(cp: int) -> str:
    char = chr(cp)
    return "\\" + char if char in _META else char


def _char_class(codepoints: list[int], *, negate: bool = False) -> str:
    """``[...]`` of the given code points, as runs of literal characters."""
    runs: list[tuple[int, int]] = []
    for cp in sorted(codepoints):
        if runs and runs[-1][1] == cp - 1:
            runs[-1] = (runs[-1][0], cp)
        else:
            runs.append((cp, cp))
    body = "".join(_literal(a) if a == b else f"{_literal(a)}-{_literal(b)}" for a, b in runs)
    return f"[{'^' if negate else ''}{body}]"


def _whitespace() -> list[int]:
    return [cp for cp in range(0x10000) if chr(cp).isspace()]


#: At least one character that is not white space (what ``.strip()`` leaves).
NOT_BLANK = _char_class(_whitespace(), negate=True)

#: At least one letter or digit of :data:`NAME_SCRIPTS` (``isalnum``).
HAS_LETTER_OR_DIGIT = _char_class(
    [cp for a, b in NAME_SCRIPTS for cp in range(a, b + 1) if chr(cp).isalnum()]
)

__all__ = ["HAS_LETTER_OR_DIGIT", "NAME_SCRIPTS", "NOT_BLANK"]
