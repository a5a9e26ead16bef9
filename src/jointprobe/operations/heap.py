"""The serving process's heap: what start-up built is frozen, out of the collector's way.

A node's process holds about half a million long-lived objects once it has
started (FtM's model, the name tables, SQLAlchemy's metadata, the routes).
Python's full garbage collection walks every one of them: 100–290 ms each
time, measured in ``bench/network.py``, and one fell inside about one request
in a hundred, making the slow tail of network expansions (docs/benchmarks.md,
Network). :func:`settle_heap`, called once the app is built, moves them to the
permanent generation (``gc.freeze``): they are never collected (they live as
long as the process anyway) and a collection walks only what was made since.
"""

from __future__ import annotations

import gc


def settle_heap() -> int:
    """Collect once, then freeze what is left; the number of objects frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


__all__ = ["settle_heap"]
