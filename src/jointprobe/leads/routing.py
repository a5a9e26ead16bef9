"""Route buyer leads to field offices by region; each office works them as a case.

A lead is a FollowTheMoney ``Person`` item of a referral placed in the node's
country (:func:`received_lead`): on a US node, an address naming a US state
(two-letter code) or the country ``us``; elsewhere, the list rules of
:mod:`jointprobe.leads.jurisdiction` (a Chinese province in the address). The
node's routing table (:mod:`jointprobe.leads.tables`; the packaged US one is
``field_offices.yaml``) maps regions to offices; a lead without a region, or with
a state the table does not know, goes to the default queue with a note saying
why. Each routed lead becomes an entity and a ``referral`` event in a case of
its office, and the office opens domestic investigations as ordinary case events.

Need-to-know: there is one such case per (office, referral), never one standing
case per office. Its id, ``leads-<office id>-<random>``, cannot be guessed or
taken first (users may not choose ``leads-`` ids); :func:`find_lead_case` finds it
by the key kept in its ``source``, among the cases the routing account opened. The
members of our case the referral answers join only that referral's office
cases, so they see the leads of that referral and not every lead the office
was ever sent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases import CaseIn, EventIn, add_event
from jointprobe.cases.service import members as case_members
from jointprobe.cases.service import new_case_id, open_case
from jointprobe.entities import add_entity
from jointprobe.errors import JointprobeError
from jointprobe.exchange.inbox import Applied
from jointprobe.exchange.markings import Marking, Tlp, marking_to_store
from jointprobe.exchange.payloads import ReferralBody
from jointprobe.exchange.tables import Referral, ReferralEvent
from jointprobe.exchange.workflow import system_user
from jointprobe.leads.jurisdiction import decide, property_values, state_of
from jointprobe.leads.listread import ListRow
from jointprobe.leads.tables import (
    DEFAULT_QUEUE,
    Office,
    Route,
    RoutingTable,
    RoutingTableInvalid,
    load_table,
    node_table,
)
from jointprobe.store.tables import Case, CaseMember, NodeIdentity, User
from jointprobe.timeutil import utcnow

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def lead_case_key(office: Office, peer_id: str, referral_id: str) -> str:
    """What the ``source`` of the case holding one referral's leads for one office says."""
    return f"leads of referral {referral_id} from {peer_id} for {office.id}"


def find_lead_case(
    session: Session, router: User, office: Office, peer_id: str, referral_id: str
) -> str | None:
    """The case ``router`` opened for the leads of one referral for one office, if any.

    Only cases ``router`` (the routing account) created count, so a case a user
    opened with the same ``source`` is never taken for it.
    """
    key = lead_case_key(office, peer_id, referral_id)
    query = select(Case.id).where(Case.source == key, Case.created_by == router.id)
    return session.scalar(query.order_by(Case.created_at).limit(1))


@dataclass(frozen=True)
class Lead:
    item_id: str
    name: str
    state: str | None
    entity: dict[str, Any] = field(hash=False, compare=False)
    fictional: bool = False
    marking: dict[str, Any] | None = field(default=None, hash=False, compare=False)
    #: the node's own entity this lead is (a customer list's match), named on the event
    same_as: str | None = None
    #: why no jurisdiction was found (the lead goes to the default queue saying so)
    unplaced: str | None = None
    #: the lead's country (lower-case ISO code) when not the table's own
    country: str | None = None


_COUNTRIES: dict[str, str] = {}


def node_country(session: Session) -> str | None:
    """The node's country, read once per database (it never changes) and not per message."""
    key = str(session.get_bind().engine.url)
    if key not in _COUNTRIES:
        identity = session.scalar(select(NodeIdentity))
        if identity is None:
            return None
        _COUNTRIES[key] = identity.country.upper()
    return _COUNTRIES[key]


def _received_marking(lead: Lead, peer_id: str) -> tuple[str, dict[str, Any], str | None]:
    """The lead's marking as the partner sent it (originator and consent kept)."""
    if lead.marking is None:
        return "AMBER", {"originator": peer_id, "consent": []}, None
    return marking_to_store(Marking.from_dict(lead.marking))


def _person_props(item: dict[str, Any]) -> dict[str, Any] | None:
    """The properties of a referral item that is a Person entity; ``None`` for anything else."""
    entity = item.get("entity")
    if item.get("type") != "entity" or not isinstance(entity, dict):
        return None
    if entity.get("schema") != "Person":
        return None
    props = entity.get("properties") or {}
    return props if isinstance(props, dict) else None


def _lead(item: dict[str, Any], state: str | None, country: str | None = None) -> Lead:
    entity: dict[str, Any] = item["entity"]
    props = entity.get("properties") or {}
    names = property_values(props, "name")
    notes = " ".join(property_values(props, "notes") + property_values(props, "description"))
    return Lead(
        item_id=str(item.get("item_id") or entity.get("id") or "lead"),
        name=names[0] if names else "(no name)",
        state=state,
        entity=entity,
        fictional="fictional" in notes.lower(),
        marking=item.get("marking") if isinstance(item.get("marking"), dict) else None,
        country=country,
    )


def lead_from_item(item: dict[str, Any], known: Iterable[str] = ()) -> Lead | None:
    """A lead if the item is a Person in the US; ``None`` for anything else."""
    props = _person_props(item)
    if props is None:
        return None
    state = state_of(props, known)
    countries = {c.lower() for c in property_values(props, "country")}
    if state is None and "us" not in countries:
        return None
    return _lead(item, state)


def received_lead(item: dict[str, Any], table: RoutingTable) -> Lead | None:
    """A lead for the node whose routing table is ``table``, if the item is one.

    On a US table, :func:`lead_from_item` (a Person with a US state or country).
    Elsewhere, a Person the list rules (:func:`jointprobe.leads.jurisdiction.decide`:
    country, province, phone) place in the table's country, or in a country or
    territory the table lists whole (``HK`` on a Chinese node), as from-list keeps
    such people at home; a Person placed nowhere or abroad is not a lead.
    """
    if table.country in (None, "US"):
        return lead_from_item(item, table.by_state)
    props = _person_props(item)
    if props is None:
        return None
    countries = property_values(props, "country")
    row = ListRow(0, "lead", {k: property_values(props, k) for k in ("address", "phone")},
                  country=countries[0] if countries else None)  # fmt: skip
    where = decide(row, phone_region=table.country)
    if where.country is None:
        return None
    if where.country != table.country.lower() and not table.covers_country(where.country):
        return None
    return _lead(item, where.region, where.country)


def _strictest(tlps: Iterable[str]) -> str:
    """The most restrictive of the TLP labels ``tlps``, and never below AMBER (an office case
    says whom a partner referred, which is not for sharing beyond the offices)."""
    return max([Tlp.AMBER, *(Tlp.parse(t) for t in tlps)], key=lambda t: t.rank).value


def _tighten(session: Session, actor: User, case_id: str, tlp: str) -> None:
    """Raise an office case's TLP to ``tlp`` if it is weaker (never lower it)."""
    case = session.get(Case, case_id)
    if case is None or Tlp.parse(case.tlp).rank >= Tlp.parse(tlp).rank:
        return
    before, case.tlp = case.tlp, Tlp.parse(tlp).value
    detail = {"tlp": case.tlp, "was": before, "because": "a lead routed to it is marked so"}
    record(session, actor.username, "update", "case", case_id, detail)


@dataclass
class Routed:
    lead: Lead
    route: Route
    case_id: str
    entity_id: str | None


def _office_case(
    session: Session,
    actor: User,
    office: Office,
    *,
    peer_id: str,
    referral_id: str,
    referral_title: str,
    members: Sequence[str],
    tlp: str,
) -> str:
    """The office's case for this referral (created on first use, marked ``tlp``), ``members``
    added; a case opened before under a weaker TLP is raised to ``tlp``."""
    case_id = find_lead_case(session, actor, office, peer_id, referral_id)
    if case_id is None:
        about = referral_title or f"referral {referral_id}"
        title = f"{office.name}: leads from {peer_id} ({about})"[:300]
        source = lead_case_key(office, peer_id, referral_id)
        case_id = new_case_id(f"leads-{office.id}"[:47])
        open_case(session, actor, CaseIn(title=title, tlp=tlp, source=source), case_id)
    else:
        _tighten(session, actor, case_id, tlp)
    present = set(case_members(session, case_id))
    for username in members:
        user = session.scalar(select(User).where(User.username == username))
        if user is not None and username not in present:
            session.add(CaseMember(case_id=case_id, user_id=user.id))
    return case_id


def route_leads(
    session: Session,
    actor: User,
    *,
    referral_id: str,
    peer_id: str,
    leads: Sequence[Lead],
    table: RoutingTable | None = None,
    members: Sequence[str] = (),
    referral_title: str = "",
) -> list[Routed]:
    """Put each lead as an entity and an event in its office's case for this referral.

    ``members`` (the members of our case the referral answers) join those cases
    and no others.
    """
    table = table or load_table()
    routes = [
        Route(table.default, None, f"{lead.unplaced}; {table.default_note}")
        if lead.unplaced else table.route(lead.state, lead.country)
        for lead in leads
    ]  # fmt: skip
    markings = [_received_marking(lead, peer_id) for lead in leads]
    office_tlp: dict[str, list[str]] = defaultdict(list)
    for route, (tlp, _, _) in zip(routes, markings, strict=True):
        office_tlp[route.office.id].append(tlp)
    out: list[Routed] = []
    for lead, route, (tlp, handling, grading) in zip(leads, routes, markings, strict=True):
        case_id = _office_case(
            session, actor, route.office, peer_id=peer_id, referral_id=referral_id,
            referral_title=referral_title, members=members,
            tlp=_strictest(office_tlp[route.office.id]),
        )  # fmt: skip
        where = f"{lead.state}" if lead.state else "no state"
        title = (
            f"Lead from {peer_id}: {lead.name} ({where}) routed to {route.office.name}"
            if route.routed
            else f"Lead from {peer_id}: {lead.name} ({where}) not routed: {route.note}"
        )
        entity_id: str | None = _SAFE.sub("-", f"lead-{referral_id[:8]}-{lead.item_id}")[:64]
        try:
            with session.begin_nested():
                add_entity(
                    session, actor,
                    {"id": entity_id, "schema": "Person",
                     "properties": lead.entity.get("properties") or {}},
                    case_id=case_id, fictional=lead.fictional,
                    tlp=tlp, handling=handling, grading=grading,
                    source=f"referral {referral_id} from {peer_id}",
                )  # fmt: skip
        except JointprobeError as exc:
            entity_id = None
            title = f"{title} (entity not stored: {exc.code})"
        details: dict[str, Any] = {
            "referral_id": referral_id, "from": peer_id, "lead": lead.item_id,
            "state": lead.state, "office": route.office.id, "routed": route.routed,
        }  # fmt: skip
        if route.note:
            details["note"] = route.note
        if lead.same_as:
            details["same_as"] = lead.same_as
        add_event(
            session, actor, case_id,
            EventIn(kind="referral", title=title[:500], people=[entity_id] if entity_id else [],
                    details=details, fictional=lead.fictional,
                    tlp=tlp, handling=handling, grading=grading,
                    source=f"referral {referral_id} from {peer_id}"),
        )  # fmt: skip
        out.append(Routed(lead, route, case_id, entity_id))
    counts: dict[str, int] = defaultdict(int)
    for r in out:
        counts[r.route.office.id] += 1
    record(session, actor.username, "route", "referral", referral_id, {"offices": dict(counts)})
    return out


def _origin_case(session: Session, peer_id: str, remote_case: str | None) -> str | None:
    """Our case whose referral the peer accepted into ``remote_case`` (the conversation's root)."""
    if not remote_case:
        return None
    query = (
        select(Referral.case_id)
        .where(
            Referral.direction == "out",
            Referral.peer_id == peer_id,
            Referral.remote_case_ref == remote_case,
        )
        .order_by(Referral.created_at.desc())
    )
    return session.scalars(query).first()


def route_on_arrival(session: Session, msg: Applied, *, routing_file: Path | None = None) -> None:
    """A referral hook (``wiring``): route the leads of a referral with the node's routing
    table (:func:`~jointprobe.leads.tables.node_table`: ``routing_file``, the setting, else
    the packaged table for the node's country, else one default queue named for the node,
    as from-list does).

    A routing table that cannot be used routes nothing: the referral is kept as received
    and its timeline says why (``unrouted``), so the operator can fix the file.
    """
    body = msg.body
    if not isinstance(body, ReferralBody):
        return
    entry = msg.entry
    try:
        table = node_table(session, routing_file)
    except RoutingTableInvalid as exc:
        session.add(ReferralEvent(
            referral_id=entry.message_id, peer_id=entry.sender,
            message_id=entry.message_id, kind="unrouted", at=utcnow(),
            summary=f"leads not routed: {exc.message}"[:4000], body={"error": exc.code},
        ))  # fmt: skip
        return
    route_received(
        session, table, referral_id=entry.message_id, peer_id=entry.sender,
        items=[item.model_dump() for item in body.items], title=body.title,
        case_ref=body.case_ref,
    )  # fmt: skip


def route_received(
    session: Session,
    table: RoutingTable,
    *,
    referral_id: str,
    peer_id: str,
    items: Sequence[dict[str, Any]],
    title: str,
    case_ref: str | None,
    again: bool = False,
) -> str | None:
    """Route the leads among a received referral's ``items`` with ``table``; the ``routed``
    summary, or ``None`` when no item is a lead.

    ``again`` (:func:`reroute`) leaves out the leads whose office already has this
    referral's case (:func:`find_lead_case`), so routing again creates nothing twice.
    """
    actor = system_user(session)
    leads = [lead for item in items if (lead := received_lead(item, table)) is not None]
    if again:
        leads = [
            lead for lead in leads
            if find_lead_case(session, actor, table.route(lead.state, lead.country).office,
                              peer_id, referral_id) is None
        ]  # fmt: skip
    if not leads:
        return None
    origin = _origin_case(session, peer_id, case_ref)
    extra = case_members(session, origin) if origin else []
    extra = [u for u in extra if u != actor.username]
    routed = route_leads(
        session, actor, referral_id=referral_id, peer_id=peer_id, leads=leads,
        table=table, members=extra, referral_title=title,
    )  # fmt: skip
    offices = {r.route.office.id for r in routed if r.route.routed}
    unrouted = sum(1 for r in routed if not r.route.routed)
    summary = (
        ("routed again: " if again else "")
        + (f"{len(routed)} leads routed to {len(offices)} field offices")
        + (f"; {unrouted} in the default queue ({table.default.name})" if unrouted else "")
    )
    referral = session.scalars(
        select(Referral).where(Referral.id == referral_id, Referral.peer_id == peer_id)
    ).first()
    if referral is not None and origin and referral.case_id is None:
        referral.case_id = origin
    session.add(
        ReferralEvent(
            referral_id=referral_id, peer_id=peer_id, message_id=referral_id,
            kind="routed", at=utcnow(), summary=summary,
            body={"offices": sorted(offices), "cases": sorted({r.case_id for r in routed})},
        )
    )  # fmt: skip
    if origin:
        add_event(session, actor, origin, EventIn(kind="note", title=summary))
    return summary


def received_referrals(session: Session, referral_id: str) -> list[Referral]:
    """The received referrals with id ``referral_id`` (one per peer that chose it)."""
    query = select(Referral).where(
        Referral.id == referral_id, Referral.direction == "in", Referral.type == "referral"
    )
    return list(session.scalars(query.order_by(Referral.peer_id)))


def unrouted_referrals(session: Session) -> list[Referral]:
    """Received referrals whose timeline says ``unrouted`` (a bad routing table) and not
    ``routed`` since, oldest first."""
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    events = select(ReferralEvent.referral_id, ReferralEvent.peer_id, ReferralEvent.kind)
    for rid, peer_id, kind in session.execute(
        events.where(ReferralEvent.kind.in_(("unrouted", "routed")))
    ):
        kinds[(rid, peer_id)].add(kind)
    keys = [k for k, seen in kinds.items() if seen == {"unrouted"}]
    rows = [r for r in (session.get(Referral, key) for key in keys) if r is not None]
    rows = [r for r in rows if r.direction == "in" and r.type == "referral"]
    return sorted(rows, key=lambda r: (r.created_at, r.id))


def reroute(session: Session, table: RoutingTable, referral: Referral) -> str | None:
    """Route a received referral's leads that were not routed (the routing table was bad
    when it arrived) with ``table``, the node's table now; the ``routed`` summary added to
    its timeline, or ``None`` when nothing was left to route. Running it twice routes
    nothing twice: leads whose office case for the referral exists are left out."""
    return route_received(
        session, table, referral_id=referral.id, peer_id=referral.peer_id,
        items=list(referral.items or []), title=referral.title,
        case_ref=referral.remote_case_ref, again=True,
    )  # fmt: skip


def revoke_lead_access(session: Session, actor: User, case_id: str, user: User) -> None:
    """A member-removed hook (``wiring``): a user removed from a case also leaves the lead
    cases of the referrals that answered it (they joined those as its member)."""
    routed = session.scalars(
        select(ReferralEvent.body)
        .join(
            Referral,
            (Referral.id == ReferralEvent.referral_id)
            & (Referral.peer_id == ReferralEvent.peer_id),
        )
        .where(
            Referral.case_id == case_id, Referral.direction == "in", ReferralEvent.kind == "routed"
        )
    )
    lead_cases = sorted({c for body in routed for c in (body or {}).get("cases", [])})
    for lead_case in lead_cases:
        member = session.get(CaseMember, (lead_case, user.id))
        if member is not None:
            session.delete(member)
            detail = {"removed_member": user.username, "because_removed_from": case_id}
            record(session, actor.username, "update", "case", lead_case, detail)


__all__ = [
    "DEFAULT_QUEUE",
    "Lead",
    "Office",
    "Route",
    "Routed",
    "RoutingTable",
    "find_lead_case",
    "lead_case_key",
    "lead_from_item",
    "load_table",
    "node_country",
    "route_leads",
    "route_on_arrival",
    "route_received",
    "received_lead",
    "received_referrals",
    "reroute",
    "revoke_lead_access",
    "state_of",
    "unrouted_referrals",
]
