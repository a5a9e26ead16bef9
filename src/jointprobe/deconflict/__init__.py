"""C7 deconfliction: which selectors two agencies share, without showing each other the rest.

An elliptic-curve Diffie-Hellman private set intersection on curve25519
(X25519, selectors hashed onto the curve with RFC 9380's Elligator 2;
docs/protocol.md §11) run over the exchange as ``psi-*`` messages:

- ``sodium``: libsodium's X25519 on packed arrays, over the cores; ``curve``:
  hash-to-curve and point checks in gmpy2; ``crypto``: hashing selectors to
  points, blinding, shuffling, matching
- ``worker``: the curve arithmetic, outside write transactions, and the
  stale-session sweep; ``wake``: owing a step wakes the worker on commit
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
