"""The per-kind groups a peer declares: which are acceptable, and when they are merged
(docs/protocol.md §11.2, "Per-kind counts"; review M1).

A peer's round is shuffled only within the groups the peer declared, and it then
learns how many of its elements matched in each. A group of one would tell it
whether that very selector is in our case; so a group's kind must be one the
session offered (a real selector kind, each once), and if any group is smaller
than ``deconflict_min_group`` its round is shuffled as one group and the count is
reported as one ``*`` group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from jointprobe.deconflict.errors import BadGroups
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.entities.normalise import SELECTOR_KINDS

#: the one group of a set not laid out by kind
ALL = "*"


def require_valid_groups(kinds: Iterable[str], groups: Sequence[tuple[str, int]]) -> None:
    """:class:`BadGroups` unless ``groups`` is one ``*`` group or names only kinds the
    session offered that are real selector kinds."""
    names = [kind for kind, _ in groups]
    if names == [ALL]:
        return
    allowed = set(kinds) & set(SELECTOR_KINDS)
    bad = sorted(set(names) - allowed)
    if bad:
        raise BadGroups(
            f"groups name kinds the session does not compare: {', '.join(bad)[:200]} "
            f"(the session compares {', '.join(sorted(allowed)) or 'no known kind'})"
        )


def merged(groups: Sequence[tuple[str, int]], size: int, minimum: int) -> list[list[object]] | None:
    """One ``*`` group of ``size`` if any of ``groups`` is smaller than ``minimum``; else None."""
    if any(count < minimum for _, count in groups):
        return [[ALL, size]]
    return None


def merge_small_groups(row: DeconflictSession, minimum: int) -> bool:
    """When both owners allowed counts by kind but a peer's group is below ``minimum``,
    lay the peer's rounds out as one ``*`` group (shuffled as one, counted as one);
    True if it merged."""
    if not row.by_kind_agreed:
        return False
    declared = [(str(kind), int(size)) for kind, size in row.peer_groups]  # type: ignore[call-overload]
    one = merged(declared, row.peer_size, minimum)
    if one is None:
        return False
    row.peer_groups = one
    return True


__all__ = ["ALL", "merge_small_groups", "merged", "require_valid_groups"]
