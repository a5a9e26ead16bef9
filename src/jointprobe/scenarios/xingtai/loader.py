"""Load the Xingtai case into a node: real facts with sources, fictional fill-ins marked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from jointprobe.cases import CaseIn, EventIn, add_event, create_case
from jointprobe.entities import add_entity
from jointprobe.scenarios.xingtai import fictional
from jointprobe.store.tables import Case, User

CASE_ID = "xingtai-2017"
FICTIONAL = "generated (fictional): not in the reporting"


def load_facts() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("facts.yaml").read_text(encoding="utf-8")
    facts: dict[str, Any] = yaml.safe_load(text)
    return facts


def _entity(
    session: Session,
    actor: User,
    schema: str,
    eid: str,
    props: dict[str, Any],
    *,
    source: str,
    fictional_: bool = False,
) -> None:
    data = {"id": eid, "schema": schema, "properties": props}
    add_entity(
        session,
        actor,
        data,
        case_id=CASE_ID,
        tlp="AMBER",
        grading="A1" if not fictional_ else None,
        fictional=fictional_,
        source=source,
    )


def _load_network(
    session: Session, actor: User, facts: dict[str, Any], *, buyers: bool = True
) -> list[str]:
    r = fictional.rng()
    for person in facts["people"]:
        props: dict[str, Any] = {"name": [person["name"]], "description": [person["role"]]}
        if "notes" in person:
            props["notes"] = [person["notes"]]
        _entity(session, actor, "Person", person["id"], props, source=person["source"])
    phone = {
        "username": ["Diana (telephone contact)"],
        "service": ["telephone"],
        "phone": [fictional.diana_phone(r)],
        "owner": ["xt-diana"],
    }
    _entity(session, actor, "UserAccount", "xt-diana-phone", phone, source=FICTIONAL,
            fictional_=True)  # fmt: skip
    for org in facts["organizations"]:
        props = {"name": [org["name"]], "notes": [org["notes"]]}
        _entity(session, actor, org["schema"], org["id"], props, source=org["source"])
    for i, link in enumerate(facts["memberships"]):
        props = {"member": [link["member"]], "organization": [link["organization"]]}
        props["role"] = [link["role"]]
        _entity(session, actor, "Membership", f"xt-mem-{i}", props, source=link["source"])
    unnamed = []
    for i in range(facts["unnamed_defendants"]):
        eid = f"xt-defendant-{i + 4}"
        unnamed.append(eid)
        props = {"name": [f"Defendant {i + 4} (not named in the reporting)"]}
        _entity(session, actor, "Person", eid, props, source=facts["unnamed_defendants_source"])
    sales = facts["sales_companies"]
    for i, (name, domain) in enumerate(fictional.sales_companies(r, sales["count"])):
        cid = f"xt-sales-{i + 1}"
        props = {"name": [name], "website": [f"https://www.{domain}/"], "notes": [sales["notes"]]}
        _entity(session, actor, "Company", cid, props, source=FICTIONAL, fictional_=True)
        link = {"member": ["xt-diana"], "organization": [cid], "role": ["sales (fictional link)"]}
        _entity(session, actor, "Membership", f"xt-sales-mem-{i}", link, source=FICTIONAL,
                fictional_=True)  # fmt: skip
    follow = facts["us_follow_up"]
    for buyer in fictional.buyers(r, follow["buyers_identified_at_least"] + 2) if buyers else []:
        props = {
            "name": [buyer.name],
            "email": [buyer.email],
            "phone": [buyer.phone],
            "address": [f"{buyer.state}, USA"],
            "country": ["us"],
            "notes": [fictional.LABEL],
        }
        _entity(session, actor, "Person", buyer.id, props, source=FICTIONAL, fictional_=True)
        link = {"subject": [buyer.id], "object": ["xt-ring"], "role": ["tried to buy from"]}
        _entity(session, actor, "UnknownLink", f"{buyer.id}-link", link, source=FICTIONAL,
                fictional_=True)  # fmt: skip
    return unnamed


def _event_in(spec: dict[str, Any], people: list[str]) -> EventIn:
    details = dict(spec.get("details", {}))
    if "precision" in spec:
        details["date_precision"] = spec["precision"]
    quantity = spec.get("quantity")
    return EventIn(
        kind=spec["kind"],
        title=spec["title"],
        occurred_on=spec.get("occurred_on"),
        place=spec.get("place"),
        substance=spec.get("substance"),
        quantity=Decimal(quantity) if quantity is not None else None,
        unit=spec.get("unit"),
        outcome=spec.get("outcome"),
        people=people,
        details=details,
        tlp="AMBER",
        grading="A1",
        source=spec["source"],
    )


def load_xingtai(
    session: Session, actor: User, *, us_follow_up: bool = True, buyers: bool = True
) -> Case:
    """Create the case with its network and events in the caller's transaction.

    ``us_follow_up=False`` leaves out what US agencies did with the buyer leads: on
    a Chinese node of the two-node demo, that happens on the US node instead.
    ``buyers=False`` leaves out the (fictional) buyers: the two-node demo's Chinese
    node takes them in from the seized customer list with ``leads from-list``
    (:func:`fictional.buyer_list_csv`, ``buyers_mapping.yaml``).
    """
    facts = load_facts()
    spec = facts["case"]
    case = create_case(
        session,
        actor,
        CaseIn(
            id=CASE_ID,
            title=spec["title"],
            summary=spec["summary"],
            tlp=spec["tlp"],
            grading=spec["grading"],
            source=spec["source"],
        ),
    )
    unnamed = _load_network(session, actor, facts, buyers=buyers)
    for event in facts["events"]:
        if event.get("repeat_for_unnamed_defendants"):
            for eid in unnamed:
                add_event(session, actor, CASE_ID, _event_in(event, [eid]))
        else:
            add_event(session, actor, CASE_ID, _event_in(event, event.get("people", [])))
    if not us_follow_up:
        return case
    follow = facts["us_follow_up"]
    us_events = [
        EventIn(
            kind="referral",
            title=(
                f"Chinese police pass back more than {follow['buyers_identified_at_least']} "
                "US residents who tried to buy from the ring (buyer identities fictional)"
            ),
            occurred_on=date(2018, 1, 1),
            details={"date_precision": "unknown", "direction": "CN->US"},
            source=follow["source"],
        ),
        EventIn(
            kind="investigation",
            title=(
                f"More than {follow['domestic_investigations_at_least']} "
                "US domestic investigations opened from the leads"
            ),
            details={"count_at_least": follow["domestic_investigations_at_least"] + 1},
            source=follow["source"],
        ),
        EventIn(
            kind="arrest",
            title=f"{follow['major_arrests']} major criminal arrests and indictments in "
            "New York and Oregon",
            place=", ".join(follow["arrest_states"]),
            details={"count": follow["major_arrests"]},
            source=follow["source"],
        ),
    ]
    for event_in in us_events:
        add_event(session, actor, CASE_ID, event_in)
    return case
