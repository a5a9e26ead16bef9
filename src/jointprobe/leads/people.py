"""One row of a customer list as a person of the case: linked to a match, or new.

Resolution uses the instant selector hits (:func:`jointprobe.resolve.hits_for_entity`)
under the user's need-to-know. A row that shares a phone number or an e-mail
address with a Person of the same case *is* that Person: nothing new is written
and the lead names it. A match in another case the user may see is reported
("also held as …") but not merged, since the case keeps its own holdings; a
name-only hit is reported as possible, never linked (common names collide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model
from sqlalchemy.orm import Session

from jointprobe.entities import add_entity
from jointprobe.exchange.markings import Marking, marking_to_store
from jointprobe.leads.jurisdiction import Jurisdiction, decide
from jointprobe.leads.listmap import ListMapping
from jointprobe.leads.listread import ListRow
from jointprobe.resolve.hits import Hit, hits_for_entity
from jointprobe.store.tables import Case, Entity, User

#: selector kinds strong enough to say two records are one person
LINKING_KINDS = ("phone", "email")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
FICTIONAL_NOTE = "FICTIONAL: from a generated customer list, not a real person"


@dataclass
class Person:
    line: int
    row_id: str
    name: str
    entity_id: str
    jurisdiction: Jurisdiction
    props: dict[str, list[str]]
    fictional: bool = False
    matched: str | None = None  # why the row is an existing entity of the case
    also_held: list[str] = field(default_factory=list)
    possible: list[str] = field(default_factory=list)
    orders: dict[str, str] = field(default_factory=dict)


def _is_person(hit: Hit) -> bool:
    schema = model.get(hit.schema)
    return schema is not None and schema.is_a("Person")


def _props(row: ListRow, mapping: ListMapping) -> dict[str, list[str]]:
    props = {k: list(v) for k, v in row.properties.items()}
    notes = props.setdefault("notes", [])
    if row.orders:
        notes.append(
            "order (customer list): " + "; ".join(f"{k} {v}" for k, v in row.orders.items())
        )
    if mapping.fictional and not any("fictional" in n.lower() for n in notes):
        notes.append(FICTIONAL_NOTE)
    if not notes:
        del props["notes"]
    return props


def _name(props: dict[str, Any]) -> str:
    if props.get("name"):
        return str(props["name"][0])
    return " ".join(str(props[p][0]) for p in ("firstName", "lastName") if props.get(p))


def place_person(
    session: Session,
    actor: User,
    case: Case,
    row: ListRow,
    mapping: ListMapping,
    *,
    import_id: str,
    marking: Marking,
    source: str,
) -> Person:
    """Resolve the row against the node's holdings; write a Person only if it is new.

    What is written (the Person, its customer link) is stored under ``marking``.
    """
    tlp, handling, grading = marking_to_store(marking)
    props = _props(row, mapping)
    new_id = _SAFE.sub("-", f"list-{import_id[:8]}-{row.row_id}")[:64]
    hits = hits_for_entity(session, actor, {"id": new_id, "schema": "Person", "properties": props})
    strong = [h for h in hits if h.kind in LINKING_KINDS and _is_person(h)]
    here = [h for h in strong if h.case_id == case.id]
    person = Person(row.line, row.row_id, _name(props), new_id,
                    decide(row, phone_region=mapping.phone_region), props,
                    fictional=mapping.fictional, orders=dict(row.orders))  # fmt: skip
    person.also_held = [f"{h.entity_id} in case {h.case_id} ({h.reason})"
                        for h in strong if h.case_id != case.id]  # fmt: skip
    person.possible = [f"{h.entity_id} ({h.reason})" for h in hits
                       if h.kind == "name" and _is_person(h) and h.score >= 0.9
                       and h.entity_id not in {s.entity_id for s in strong}]  # fmt: skip
    if here:
        best = here[0]
        person.entity_id, person.matched = best.entity_id, f"{best.caption}: {best.reason}"
        person.fictional = person.fictional or best.fictional
    else:
        add_entity(
            session, actor, {"id": new_id, "schema": "Person", "properties": props},
            case_id=case.id, tlp=tlp, handling=handling, grading=grading,
            fictional=mapping.fictional, source=source, where=f"line {row.line}",
        )  # fmt: skip
    if mapping.customer_of:
        _link(session, actor, case, person, mapping, marking=marking, source=source)
    return person


def _link(
    session: Session, actor: User, case: Case, person: Person, mapping: ListMapping, *,
    marking: Marking, source: str,
) -> None:  # fmt: skip
    """``person`` tried to buy from ``customer_of`` (once per pair)."""
    tlp, handling, grading = marking_to_store(marking)
    link_id = _SAFE.sub("-", f"{person.entity_id}-customer-of-{mapping.customer_of}")[:64]
    if session.get(Entity, link_id) is not None:
        return
    props = {"subject": [person.entity_id], "object": [mapping.customer_of],
             "role": ["customer (seized customer list)"]}  # fmt: skip
    add_entity(
        session, actor, {"id": link_id, "schema": "UnknownLink", "properties": props},
        case_id=case.id, tlp=tlp, handling=handling, grading=grading,
        fictional=mapping.fictional, source=source,
    )  # fmt: skip


__all__ = ["FICTIONAL_NOTE", "LINKING_KINDS", "Person", "place_person"]
