"""Caps on what a peer may compare (docs/settings.md, Deconfliction), one function per rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jointprobe.config import Settings
from jointprobe.deconflict.errors import CapExceeded, RateLimited
from jointprobe.deconflict.tables import DeconflictSession

DAY = timedelta(days=1)


def require_set_size(settings: Settings, size: int, *, whose: str, cut: bool = False) -> None:
    """A set larger than ``deconflict_max_elements`` is refused; ``cut``: ``size`` is what a
    read capped at :func:`set_read_cap` returned (the set holds at least that many)."""
    cap = settings.deconflict_max_elements
    if size > cap:
        held = f"more than {cap:,}" if cut else f"{size:,}"
        raise CapExceeded(f"{whose} set holds {held} selectors; at most {cap:,} may be compared")


def set_read_cap(settings: Settings) -> int:
    """How many of our selectors to read at most: one past the cap, to learn it is passed."""
    return settings.deconflict_max_elements + 1


def require_session_quota(
    session: Session, settings: Settings, peer_id: str, now: datetime
) -> None:
    """At most ``deconflict_sessions_per_day`` sessions with one peer in 24 hours."""
    cap = settings.deconflict_sessions_per_day
    used = session.scalar(
        select(func.count()).where(
            DeconflictSession.peer_id == peer_id, DeconflictSession.created_at > now - DAY
        )
    )
    if (used or 0) >= cap:
        raise RateLimited(
            f"{used} deconfliction sessions with {peer_id} in the last 24 hours; "
            f"at most {cap} are allowed"
        )


def ask_flag(settings: Settings, own_size: int, peer_size: int) -> str | None:
    """Why a peer is flagged as asking much more than it offers, or None."""
    ratio = settings.deconflict_ask_ratio
    if own_size and peer_size > ratio * own_size:
        return (
            f"the peer compared {peer_size:,} selectors against our {own_size:,} "
            f"(more than {ratio:g} times as many): it asks much more than it offers"
        )
    return None


__all__ = ["ask_flag", "require_session_quota", "require_set_size", "set_read_cap"]
