"""E-mail addresses: trimmed, ``mailto:`` dropped, domain lower-cased and IDNA-encoded.

The local part is lower-cased too: the big providers treat it case-blind,
and the OFAC list writes the same address as ``MagicChemical@hotmail.com``
and ``magicchemical@hotmail.com``. Gmail dots and ``+tags`` are folded only
for Gmail, where they are documented to be ignored.
"""

from __future__ import annotations

import re

from jointprobe.entities.normalise.web import normalise_domain
from jointprobe.errors import InvalidSelector

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+$")
_GMAIL = {"gmail.com", "googlemail.com"}


def normalise_email(raw: str, *, where: str = "email") -> str:
    """Return a comparable e-mail address or raise :class:`InvalidSelector`."""
    text = raw.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not text:
        raise InvalidSelector("empty e-mail address", where=where)
    if text.count("@") != 1:
        raise InvalidSelector(
            f"{raw!r} is not an e-mail address: needs exactly one '@'", where=where
        )
    local, _, domain = text.partition("@")
    if not local or len(local) > 64:
        raise InvalidSelector(f"{raw!r}: the part before '@' is empty or too long", where=where)
    if not _LOCAL.match(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidSelector(f"{raw!r}: characters not allowed before '@'", where=where)
    host = normalise_domain(domain, where=where)
    if "." not in host:
        raise InvalidSelector(f"{raw!r}: the domain has no dot", where=where)
    local = local.lower()
    if host in _GMAIL:
        local = local.split("+", 1)[0].replace(".", "")
        host = "gmail.com"
    return f"{local}@{host}"
