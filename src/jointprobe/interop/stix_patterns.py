"""Selector kinds as STIX 2.1 cyber-observable types, and patterns both ways.

========== ============================ ==========================================
kind       STIX observable type         pattern
========== ============================ ==========================================
email      ``email-addr`` (spec)        ``[email-addr:value = 'a@b.example']``
domain     ``domain-name`` (spec)       ``[domain-name:value = 'b.example']``
url        ``url`` (spec)               ``[url:value = 'https://b.example/x']``
phone      ``phone-number`` (custom)    ``[phone-number:value = '+8613812345678']``
wallet     ``cryptocurrency-wallet``    ``[cryptocurrency-wallet:value = '0x…']``
========== ============================ ==========================================

STIX 2.1 defines no observable for phone numbers or crypto wallets. We use
the custom types OpenCTI defines and publishes (``phone-number``,
``cryptocurrency-wallet``, each with a ``value``), so that OpenCTI reads them
as its own observables; the OASIS validator accepts custom types in
patterns (it refuses them only with ``--strict-types``).
"""

from __future__ import annotations

from stix2patterns.pattern import Pattern

KIND_TO_TYPE: dict[str, str] = {
    "email": "email-addr",
    "domain": "domain-name",
    "url": "url",
    "phone": "phone-number",
    "wallet": "cryptocurrency-wallet",
}
TYPE_TO_KIND: dict[str, str] = {stix: kind for kind, stix in KIND_TO_TYPE.items()}
# Other names producers use for the same observables (MISP's STIX export, older OpenCTI).
TYPE_TO_KIND |= {"x-misp-phone-number": "phone", "x-opencti-cryptocurrency-wallet": "wallet"}


def quote(value: str) -> str:
    """A string literal of the STIX patterning language."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern_for(kind: str, value: str) -> str:
    """The STIX pattern that matches selector ``(kind, value)``."""
    return f"[{KIND_TO_TYPE[kind]}:value = {quote(value)}]"


def selectors_in(pattern: str) -> list[tuple[str, str]]:
    """The ``(kind, value)`` of every ``type:value = '…'`` comparison in a STIX pattern.

    Comparisons of other types or properties, and other operators, are left out;
    a pattern that does not parse raises ``ValueError`` (the caller says where).
    """
    parsed = Pattern(pattern)  # raises on a syntax error
    found: list[tuple[str, str]] = []
    for obj_type, comparisons in parsed.inspect().comparisons.items():
        kind = TYPE_TO_KIND.get(obj_type)
        if kind is None:
            continue
        for path, operator, literal in comparisons:
            value = _unquote(literal)
            if list(path) == ["value"] and operator == "=" and value is not None:
                found.append((kind, value))
    return found


def _unquote(literal: str) -> str | None:
    if len(literal) >= 2 and literal[0] == literal[-1] == "'":
        return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")
    return None


__all__ = ["KIND_TO_TYPE", "TYPE_TO_KIND", "pattern_for", "quote", "selectors_in"]
