"""Web domains and URLs.

``normalise_domain`` gives the host a person would recognise: lower case,
IDNA (punycode) for non-ASCII labels, no trailing dot and no leading
``www.``. ``normalise_url`` keeps scheme-less ``host/path`` with the query
string but not the fragment, so that ``http://WWW.GlobalRC.net/`` and
``globalrc.net`` meet on the same domain selector while distinct pages
stay distinct URLs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

from jointprobe.errors import InvalidSelector

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_domain(raw: str, *, where: str = "domain") -> str:
    """Return the comparable host name of a domain, URL or e-mail domain."""
    try:
        return _domain(raw)
    except InvalidSelector as exc:
        raise InvalidSelector(exc.message, where=where) from None


@lru_cache(maxsize=65536)
def _domain(raw: str) -> str:
    where = "domain"
    text = raw.strip()
    if not text:
        raise InvalidSelector("empty domain", where=where)
    if "://" in text or "/" in text:
        text = _split(raw, text, where).hostname or ""
    text = text.split(":", 1)[0].rstrip(".").lower()
    try:
        host = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidSelector(f"{raw!r} is not a valid domain: {exc}", where=where) from exc
    labels = host.split(".")
    if len(labels) < 2:
        raise InvalidSelector(
            f"{raw!r} is not a domain: it needs a dot (e.g. example.com)", where=where
        )
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidSelector(f"{raw!r} has an invalid label {label!r}", where=where)
    if labels[-1].isdigit():
        raise InvalidSelector(f"{raw!r} is an IP address, not a domain", where=where)
    if labels[0] == "www" and len(labels) > 2:
        labels = labels[1:]
    return ".".join(labels)


def normalise_url(raw: str, *, where: str = "url") -> str:
    """Return ``host/path?query`` with the host normalised and no trailing slash."""
    text = raw.strip()
    if not text:
        raise InvalidSelector("empty URL", where=where)
    parts = _split(raw, text, where)
    if parts.scheme and parts.scheme.lower() not in {"http", "https", ""}:
        raise InvalidSelector(f"{raw!r}: only http and https URLs are selectors", where=where)
    host = normalise_domain(parts.netloc.rsplit("@", 1)[-1], where=where)
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"


def _split(raw: str, text: str, where: str) -> SplitResult:
    """``text`` split as a URL (scheme-less read as ``//host…``); a bracket left open is refused.

    ``urlsplit`` raises ``ValueError`` for a host with an unbalanced ``[`` or ``]`` (an IPv6
    literal it cannot read): that is a bad selector, not a fault of the node.
    """
    try:
        return urlsplit(text if "://" in text else "//" + text)
    except ValueError as exc:
        raise InvalidSelector(f"{raw!r} is not a valid URL: {exc}", where=where) from None
