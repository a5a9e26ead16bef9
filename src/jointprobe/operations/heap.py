"""The serving process's heap: what start-up built is frozen, out of the collector's way.

A node's process holds about half a million long-lived objects once it has
started (FtM's model, the name tables, SQLAlchemy's metadata, the routes).
Python's full garbage collection walks every one of them: 100–290 ms each
time, measured in ``bench/network.py``, and one fell inside about one request
in a hundred, making the slow tail of network expansions (docs/benchmarks.md,
Network). :func:`settle_heap`, called once the app is built, moves them to the
permanent generation (``gc.freeze``): they are never collected (they live as
long as the process anyway) and a collection walks only what was made since.
It settles once a process: a second call (an app built again, tests) freezes
nothing more, lest what a running process made since start-up be kept for good.
"""

from __future__ import annotations

import gc

_settled = False


def settle_heap() -> int:
    """Collect once, then freeze what is left; the number of objects frozen. Only the
    first call in a process does so; later ones answer the number frozen and do nothing."""
    global _settled
    if not _settled:
        gc.collect()
        gc.freeze()
        _settled = True
    return gc.get_freeze_count()


__all__ = ["settle_heap"]
