"""C7 deconfliction: which selectors two agencies share, without showing each other the rest.

An elliptic-curve Diffie-Hellman private set intersection on ristretto255
(docs/protocol.md §11) run over the exchange as ``psi-*`` messages:

- ``sodium``: libsodium's ristretto255 on packed arrays; ``crypto``: hashing
  selectors to points, blinding, shuffling, matching
- ``tables`` and ``store``: sessions and their arrays; ``caps``: set size,
  sessions per day, the ask-much-more flag
- ``steps``: the protocol's computing steps; ``rounds``: sending and closing
- ``messages``: applying what a peer sends (:func:`inbox_handlers`, wired by
  ``wiring.default_wiring``); ``service``: what users do; ``visibility``:
  need-to-know and who decides
"""

from __future__ import annotations

from jointprobe.deconflict.messages import inbox_handlers
from jointprobe.deconflict.service import (
    DEFAULT_KINDS,
    SessionView,
    consent,
    decline,
    expire_stalled,
    join,
    list_sessions,
    start,
    view,
)

__all__ = [
    "DEFAULT_KINDS",
    "SessionView",
    "consent",
    "decline",
    "expire_stalled",
    "inbox_handlers",
    "join",
    "list_sessions",
    "start",
    "view",
]
