"""Which partner node is responsible for leads in a foreign country.

A trusted peer covers the country its node card names (``Peer.country``, the
``country`` of the card the operator accepted): HSI's node covers ``US``, the
Ministry of Public Security's node ``CN``. Only an active peer whose agreement
allows referrals counts. Where several peers cover one country, the user names
the one to use (``--peer US=us-hsi-nola``; ``peers`` in the API), and only a
peer covering that country may be named (residents of one country are never
sent to another country's node by a slip of the option); where none does, the
people stay in the case and the report says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.errors import InvalidInput
from jointprobe.exchange.tables import Peer


@dataclass(frozen=True)
class Partner:
    node_id: str | None
    name: str | None
    reason: str | None = None  # why there is none


def _candidates(session: Session) -> list[Peer]:
    rows = session.scalars(select(Peer).where(Peer.active.is_(True)).order_by(Peer.node_id))
    return [p for p in rows if "referral" in (p.allowed_kinds or [])]


def parse_choices(items: list[str]) -> dict[str, str]:
    """``["US=us-hsi-nola"]`` as ``{"us": "us-hsi-nola"}``; a bad item is InvalidInput."""
    out: dict[str, str] = {}
    for item in items:
        country, sep, node = item.partition("=")
        if not sep or not country.strip() or not node.strip():
            raise InvalidInput(f"--peer takes COUNTRY=NODE, not {item!r}", where="peer")
        out[country.strip().lower()] = node.strip()
    return out


def partners(
    session: Session, countries: set[str], chosen: Mapping[str, str]
) -> dict[str, Partner]:
    """The responsible partner for each country (lower-case ISO codes)."""
    peers = _candidates(session)
    by_id = {p.node_id: p for p in peers}
    out: dict[str, Partner] = {}
    for country in sorted(countries):
        pick = chosen.get(country)
        if pick is not None:
            peer = by_id.get(pick)
            if peer is None:
                raise InvalidInput(
                    f"peer {pick!r} chosen for {country.upper()} is not an active peer whose "
                    "agreement allows referrals", where="peer",
                )  # fmt: skip
            if (peer.country or "").lower() != country:
                covers = f"covers {peer.country.upper()}" if peer.country else "names no country"
                raise InvalidInput(
                    f"peer {pick!r} chosen for {country.upper()} {covers} (its node card's "
                    f"country); only a peer covering {country.upper()} may be chosen for it",
                    where="peer",
                )  # fmt: skip
            out[country] = Partner(peer.node_id, peer.name)
            continue
        covering = [p for p in peers if p.country.lower() == country]
        if len(covering) == 1:
            out[country] = Partner(covering[0].node_id, covering[0].name)
        elif not covering:
            why = f"no trusted peer covers {country.upper()} (a peer covers its card's country)"
            out[country] = Partner(None, None, why)
        else:
            ids = ", ".join(p.node_id for p in covering)
            why = f"{len(covering)} peers cover {country.upper()} ({ids}): choose one with " \
                f"--peer {country.upper()}=NODE"  # fmt: skip
            out[country] = Partner(None, None, why)
    return out


__all__ = ["Partner", "parse_choices", "partners"]
