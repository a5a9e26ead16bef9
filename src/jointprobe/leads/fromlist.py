"""Leads from a seized customer list: import, resolve, place, route, report.

:func:`from_list` serves the CLI (``jointprobe leads from-list``), the API
(``POST /api/v1/cases/{case}/leads/from-list``) and the two-node demo alike:

1. every readable row becomes a Person of the case, or is linked to the case's
   existing Person it matches (:mod:`jointprobe.leads.people`), each row in its own
   savepoint so that a row that fails leaves nothing behind;
2. each person is placed by :func:`jointprobe.leads.jurisdiction.decide`;
3. people in the node's own country go to its field offices through the node's
   routing table (:func:`jointprobe.leads.tables.node_table`: the setting's file, else
   the packaged table for the node's country), as received leads do
   (:func:`jointprobe.leads.routing.route_leads`), and so do people no rule places
   (default queue, with the reason) and people in a territory the table lists whole;
   everything written (the people, their copies, the office cases) is marked
   with the user's TLP and use tightened by the case's own marking
   (:func:`jointprobe.exchange.workflow.case_marking`, the rule a referral's
   items follow), so a RED case never yields AMBER copies;
4. people abroad go to the partner node responsible (:mod:`jointprobe.leads.partners`)
   as one referral batch per country, marked with the user's TLP and use
   (:func:`jointprobe.exchange.workflow.send_referral_parts`: the release check
   applies); a country no partner covers is reported and nothing is sent.

A dry run does all of it in a savepoint that is rolled back: the report is what
would happen, nothing is written but the audit entry saying it ran.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases import EventIn, add_event, visible_case
from jointprobe.cases.service import members as case_members
from jointprobe.errors import InvalidInput, JointprobeError, NotFound
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Marking, Tlp, Use, marking_to_store
from jointprobe.exchange.workflow import (
    ReferralIn,
    case_marking,
    send_referral_parts,
    system_user,
)
from jointprobe.leads.listmap import ListMapping
from jointprobe.leads.listread import ReadOut
from jointprobe.leads.partners import partners
from jointprobe.leads.people import Person, place_person
from jointprobe.leads.routing import Lead, Routed, node_country, route_leads
from jointprobe.leads.tables import RoutingTable, node_table
from jointprobe.store.tables import Case, Entity, User
from jointprobe.timeutil import utcnow

RouteKind = Literal["office", "queue", "peer", "unsent"]


@dataclass(frozen=True)
class ListRequest:
    """What the user asks of one list (its rows and mapping are given apart)."""

    case_id: str
    name: str = "customer list"
    tlp: str = "AMBER"
    use: str = "intelligence"
    peers: dict[str, str] = field(default_factory=dict)  # country -> chosen peer
    title: str | None = None
    narrative: str = ""
    requested_action: str = "Identify the people and open investigations where warranted; " \
        "report outcomes."  # fmt: skip
    due_days: int = 30
    dry_run: bool = False


@dataclass
class RouteRow:
    jurisdiction: str
    kind: RouteKind
    to: str | None
    name: str | None
    count: int
    refs: list[str] = field(default_factory=list)  # lead cases or referral ids
    note: str | None = None


@dataclass
class PersonRow:
    line: int
    row_id: str
    name: str
    entity_id: str
    fictional: bool
    jurisdiction: str
    rule: str
    kind: RouteKind
    to: str | None
    matched: str | None = None
    also_held: list[str] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)
    note: str | None = None


@dataclass
class ListReport:
    import_id: str
    case_id: str
    dry_run: bool
    rows: int
    imported: int = 0
    linked: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    routes: list[RouteRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)


def _marking(keys: NodeKeys, req: ListRequest, case: Case) -> Marking:
    """The user's TLP and use, tightened by the case's own marking (as a referral's items are).

    A list imported into a RED case, or one whose handling forbids onward
    disclosure, puts its people (and their copies in the field offices' cases)
    under that marking whatever the request asked for.
    """
    if req.use not in {u.value for u in Use}:
        raise InvalidInput(f"use must be one of {', '.join(u.value for u in Use)}", where="use")
    asked = Marking(Tlp.from_input(req.tlp), keys.node_id, Use(req.use))
    return asked.stricter(case_marking(keys, case))


def _check_target(session: Session, case: Case, mapping: ListMapping) -> None:
    if mapping.customer_of:
        target = session.get(Entity, mapping.customer_of)
        if target is None or target.case_id != case.id:
            raise NotFound(f"no entity {mapping.customer_of!r} in case {case.id}",
                           where="customer_of")  # fmt: skip


def _place_all(
    session: Session, actor: User, case: Case, read: ReadOut, mapping: ListMapping,
    req: ListRequest, marking: Marking, report: ListReport,
    on_row: Callable[[int], None] | None,
) -> list[Person]:  # fmt: skip
    placed: list[Person] = []
    source = f"{req.name} (list import {report.import_id[:8]})"
    for row in read.rows:
        try:
            with session.begin_nested():
                placed.append(place_person(session, actor, case, row, mapping,
                                           import_id=report.import_id, marking=marking,
                                           source=source))  # fmt: skip
        except JointprobeError as exc:
            report.bad.append((row.line, exc.message))
        if on_row is not None:
            on_row(row.line)
    report.bad.sort()
    report.imported = sum(1 for p in placed if p.matched is None)
    report.linked = sum(1 for p in placed if p.matched is not None)
    return placed


def _home(
    session: Session, actor: User, case: Case, people: list[Person], req: ListRequest,
    marking: Marking, keys: NodeKeys, report: ListReport, table: RoutingTable,
) -> dict[int, tuple[RouteKind, str | None, str | None]]:  # fmt: skip
    """Domestic and unplaced people to the field offices' cases (routing table)."""
    if not people:
        return {}
    leads = [
        Lead(item_id=p.row_id, name=p.name, state=p.jurisdiction.region,
             country=p.jurisdiction.country,
             entity={"schema": "Person", "properties": p.props}, fictional=p.fictional,
             marking=marking.to_dict(), same_as=p.entity_id,
             unplaced=p.jurisdiction.rule if p.jurisdiction.country is None else None)
        for p in people
    ]  # fmt: skip
    routed: list[Routed] = route_leads(
        session, system_user(session), referral_id=report.import_id, peer_id=keys.node_id,
        leads=leads, table=table, members=case_members(session, case.id),
        referral_title=f"customer list {req.name} in case {case.id}",
    )  # fmt: skip
    groups: dict[tuple[str, str], list[Routed]] = defaultdict(list)
    out: dict[int, tuple[RouteKind, str | None, str | None]] = {}
    for person, r in zip(people, routed, strict=True):
        groups[(person.jurisdiction.label, r.route.office.id)].append(r)
        kind: RouteKind = "office" if r.route.routed else "queue"
        out[person.line] = (kind, r.route.office.id, r.route.note)
    for (label, _), rs in sorted(groups.items()):
        first = rs[0].route
        report.routes.append(RouteRow(
            label, "office" if first.routed else "queue", first.office.id, first.office.name,
            len(rs), sorted({r.case_id for r in rs}), first.note,
        ))  # fmt: skip
    return out


def _abroad(
    session: Session, actor: User, case: Case, people: list[Person], req: ListRequest,
    keys: NodeKeys, report: ListReport,
) -> dict[int, tuple[RouteKind, str | None, str | None]]:  # fmt: skip
    """People abroad to the responsible partner, one referral batch per country."""
    by_country: dict[str, list[Person]] = defaultdict(list)
    for p in people:
        by_country[str(p.jurisdiction.country)].append(p)
    found = partners(session, set(by_country), req.peers)
    out: dict[int, tuple[RouteKind, str | None, str | None]] = {}
    for country, group in sorted(by_country.items()):
        partner = found[country]
        row = RouteRow(country.upper(), "peer", partner.node_id, partner.name, len(group))
        if partner.node_id is None:
            row.kind, row.note = "unsent", partner.reason
        else:
            try:
                with session.begin_nested():
                    for data in _referrals(case, group, req, country, partner.node_id):
                        row.refs += send_referral_parts(session, actor, keys, data)
            except JointprobeError as exc:
                row.kind, row.note = "unsent", f"not sent to {partner.node_id}: {exc.message}"
        report.routes.append(row)
        for p in group:
            out[p.line] = (row.kind, row.to, row.note)
    return out


#: most entity ids one ReferralIn takes (it splits them into messages itself)
_IDS_PER_REFERRAL = 5_000


def _referrals(
    case: Case, group: list[Person], req: ListRequest, country: str, peer_id: str
) -> list[ReferralIn]:
    ids = list(dict.fromkeys(p.entity_id for p in group))
    return [_referral(case, group, ids[i : i + _IDS_PER_REFERRAL], req, country, peer_id)
            for i in range(0, len(ids), _IDS_PER_REFERRAL)]  # fmt: skip


def _referral(
    case: Case, group: list[Person], ids: list[str], req: ListRequest, country: str,
    peer_id: str,
) -> ReferralIn:  # fmt: skip
    fictional = " (the people are FICTIONAL)" if any(p.fictional for p in group) else ""
    title = req.title or f"{len(group)} people in {country.upper()} from {req.name}"
    narrative = req.narrative or (
        f"People found in {req.name}, seized in our case; placed in {country.upper()} by "
        f"the list's own data{fictional}."
    )
    return ReferralIn(
        case_id=case.id, to=[peer_id], title=title[:300], narrative=narrative,
        requested_action=req.requested_action, due=utcnow() + timedelta(days=req.due_days),
        entity_ids=ids, tlp=req.tlp, use=req.use,  # type: ignore[arg-type]
        split=True,
    )  # fmt: skip


def _people_rows(
    people: list[Person], where: dict[int, tuple[RouteKind, str | None, str | None]]
) -> list[PersonRow]:
    return [
        PersonRow(p.line, p.row_id, p.name, p.entity_id, p.fictional, p.jurisdiction.label,
                  p.jurisdiction.rule, *where[p.line][:2], p.matched, p.also_held, p.possible,
                  where[p.line][2])
        for p in people
    ]  # fmt: skip


def _domestic(country: str | None, home: str, table: RoutingTable) -> bool:
    """Unplaced people, people in the node's country, and people in a country or territory
    the node's routing table lists as a whole (``HK`` on a Chinese node) stay at home."""
    return country is None or country == home or table.covers_country(country)


def _run(
    session: Session, actor: User, keys: NodeKeys, case: Case, read: ReadOut,
    mapping: ListMapping, req: ListRequest, report: ListReport,
    on_row: Callable[[int], None] | None, table: RoutingTable,
) -> None:  # fmt: skip
    marking = _marking(keys, req, case)
    people = _place_all(session, actor, case, read, mapping, req, marking, report, on_row)
    home = (node_country(session) or "").lower()
    domestic = [p for p in people if _domestic(p.jurisdiction.country, home, table)]
    foreign = [p for p in people if not _domestic(p.jurisdiction.country, home, table)]
    where = _home(session, actor, case, domestic, req, marking, keys, report, table)
    where.update(_abroad(session, actor, case, foreign, req, keys, report))
    report.people = _people_rows(people, where)
    counts = Counter(r.kind for r in report.routes for _ in range(r.count))
    title = (f"{req.name}: {len(people)} people ({report.linked} already held); "
             + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))  # fmt: skip
    tlp, handling, grading = marking_to_store(marking)
    add_event(session, actor, case.id, EventIn(
        kind="note", title=title[:500], tlp=tlp, handling=handling, grading=grading,
        fictional=mapping.fictional,
        details={"import_id": report.import_id, "bad_rows": len(report.bad)},
    ))  # fmt: skip


def from_list(
    session: Session,
    actor: User,
    keys: NodeKeys,
    read: ReadOut,
    mapping: ListMapping,
    req: ListRequest,
    *,
    on_row: Callable[[int], None] | None = None,
    table: RoutingTable | None = None,
    routing_file: Path | None = None,
) -> ListReport:
    """Import the rows ``read`` from a list into ``req.case_id`` and route the people.

    The node's routing table (``table``, else :func:`~jointprobe.leads.tables.node_table`
    with ``routing_file``, the setting) is read first: one that cannot be used is
    :class:`~jointprobe.leads.tables.RoutingTableInvalid` before anything is written.
    """
    table = table or node_table(session, routing_file)
    case = visible_case(session, actor, req.case_id)
    _check_target(session, case, mapping)
    report = ListReport(uuid.uuid4().hex, case.id, req.dry_run, len(read.rows) + len(read.bad),
                        bad=list(read.bad))  # fmt: skip
    savepoint = session.begin_nested()
    try:
        _run(session, actor, keys, case, read, mapping, req, report, on_row, table)
    except BaseException:
        savepoint.rollback()
        raise
    if req.dry_run:
        savepoint.rollback()
        for route in report.routes:
            route.refs = []
    else:
        savepoint.commit()
    record(session, actor.username, "import", "lead_list", case.id, _audit(report, req))
    return report


def _audit(report: ListReport, req: ListRequest) -> dict[str, Any]:
    return {
        "import_id": report.import_id, "list": req.name, "dry_run": req.dry_run,
        "rows": report.rows, "imported": report.imported, "linked": report.linked,
        "bad_rows": [line for line, _ in report.bad], "tlp": req.tlp,
        "routes": [{"jurisdiction": r.jurisdiction, "kind": r.kind, "to": r.to,
                    "count": r.count, "refs": r.refs} for r in report.routes],
    }  # fmt: skip


__all__ = ["ListReport", "ListRequest", "PersonRow", "RouteRow", "from_list"]
