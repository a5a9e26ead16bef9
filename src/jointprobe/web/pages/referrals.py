"""Referrals: compose from a case, view with its conversation, acknowledge, report status.

Outcomes and RFIs about a referral are in ``outcomes`` and ``rfis``; they re-show
the referral page through :func:`show_referral` when their form has an error.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from jointprobe.cases.marking import TLP_LABELS
from jointprobe.cases.service import list_cases, visible_case
from jointprobe.entities.service import case_entities, read_case_entities
from jointprobe.errors import InvalidInput, JointprobeError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.payloads import OutcomeType
from jointprobe.exchange.workflow import (
    ReferralIn,
    SelectorIn,
    acknowledge,
    is_overdue,
    read_referral,
    send_referral,
)
from jointprobe.exchange.workflow import send_status as send_status_message
from jointprobe.node import Node
from jointprobe.store.tables import Entity, User
from jointprobe.web.pages.composing import compose_context
from jointprobe.web.pages.deps import AuditedDbDep, CsrfDep, DbDep, ListForm, PageUser, TextForm
from jointprobe.web.pages.graphdata import is_relation
from jointprobe.web.pages.refdata import referral_detail, referral_hits
from jointprobe.web.pages.render import finish, page

router = APIRouter()

OUTCOME_TYPES = get_args(OutcomeType)


def parse_selectors(text: str) -> list[SelectorIn]:
    """One selector a line, ``type: value`` (e.g. ``phone: +86 138 0000 0000``)."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        kind, sep, value = line.partition(":")
        if not sep or not kind.strip() or not value.strip():
            raise InvalidInput(f"selector line {number} must read 'type: value'")
        out.append(SelectorIn(type=kind.strip().lower(), value=value.strip()))
    return out


def _compose_context(
    db: Session, user: User, case_id: str, form: dict[str, Any], entities: list[Entity]
) -> dict[str, Any]:
    """The form with ``entities`` of the case to pick from (read by the caller)."""
    context = compose_context(db, user, case_id, form, title="New referral")
    shown = [e for e in entities if not is_relation(e.schema)]
    context["entities"] = sorted(shown, key=lambda e: (e.schema, e.caption))
    return context


def _default_form() -> dict[str, Any]:
    due = date.today() + timedelta(days=14)
    return {"to": [], "entity_ids": [], "tlp": "AMBER", "use": "intelligence", "due": due}


@router.get("/referrals/new")
def compose(request: Request, db: AuditedDbDep, user: PageUser, case: str = "") -> Response:
    """The form; the case's entity list is a read of the case, recorded in the audit log."""
    entities = read_case_entities(db, user, case) if case else []
    context = _compose_context(db, user, case, _default_form(), entities)
    return page(request, "referral_new.html", context)


def _referral_in(case_id: str, form: dict[str, Any], selectors: str) -> ReferralIn:
    due: date = form["due"]
    try:
        return ReferralIn(
            case_id=case_id,
            to=form["to"],
            title=form["title"],
            narrative=form["narrative"],
            requested_action=form["requested_action"],
            due=datetime.combine(due, time(23, 59), tzinfo=UTC),
            selectors=parse_selectors(selectors),
            entity_ids=form["entity_ids"],
            tlp=form["tlp"],
            use=form["use"],
        )
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise InvalidInput("; ".join(problems)) from None


@router.post("/referrals")
def send(
    request: Request,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    case_id: TextForm,
    due: Annotated[date, Form()],
    title: TextForm = "",
    narrative: TextForm = "",
    requested_action: TextForm = "",
    selectors: TextForm = "",
    tlp: TextForm = "AMBER",
    use: TextForm = "intelligence",
    to: ListForm = [],  # noqa: B006 (FastAPI copies form defaults)
    entity_ids: ListForm = [],  # noqa: B006
) -> Response:
    visible_case(db, user, case_id)
    form = {
        "to": to, "entity_ids": entity_ids, "tlp": tlp, "use": use, "due": due, "title": title,
        "narrative": narrative, "requested_action": requested_action, "selectors": selectors,
    }  # fmt: skip
    node: Node = request.app.state.node
    try:
        data = _referral_in(case_id, form, selectors)
        with node.write_session() as session:
            referral_id = send_referral(session, session.merge(user), node_keys(node), data)
    except JointprobeError as exc:
        # shown again after a failed send: the read of the form was recorded already
        context = _compose_context(db, user, case_id, form, case_entities(db, case_id))
        context["error"] = str(exc)
        return page(request, "referral_new.html", context, status=exc.status)
    return finish(request, RedirectResponse(f"/referrals/{referral_id}", status_code=303))


def show_referral(
    request: Request,
    db: DbDep,
    user: User,
    referral_id: str,
    *,
    error: JointprobeError | None = None,
    error_for: str = "",
    form: dict[str, Any] | None = None,
) -> Response:
    """The referral (or RFI) page; with ``error``, the form ``error_for`` shown again."""
    detail = referral_detail(db, user, referral_id)
    context = {
        "title": detail.first.title,
        "detail": detail,
        "overdue": {r.peer_id: is_overdue(r) for r in detail.rows},
        "cases": list_cases(db, user),
        "hits": [h for row in detail.rows for h in referral_hits(db, user, row)],
        "tlps": TLP_LABELS,
        "outcome_types": OUTCOME_TYPES,
        "error": str(error) if error else None,
        "error_for": error_for,
        "form": form or {},
    }
    return page(request, "referral.html", context, status=error.status if error else 200)


@router.get("/referrals/{referral_id}")
def show(referral_id: str, request: Request, db: AuditedDbDep, user: PageUser) -> Response:
    read_referral(db, user, referral_id)  # need-to-know, and the view on record
    return show_referral(request, db, user, referral_id)


@router.post("/referrals/{referral_id}/ack")
def ack(
    referral_id: str,
    request: Request,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    peer_id: TextForm,
    decision: TextForm,
    reason: TextForm = "",
    case_id: TextForm = "",
) -> Response:
    referral_detail(db, user, referral_id)
    node: Node = request.app.state.node
    try:
        if decision not in ("accept", "decline"):
            raise InvalidInput("decision must be accept or decline")
        with node.write_session() as session:
            acknowledge(
                session, session.merge(user), node_keys(node), referral_id, decision=decision,
                reason=reason, case_id=case_id or None, peer_id=peer_id,
            )  # fmt: skip
    except JointprobeError as exc:
        return show_referral(request, db, user, referral_id, error=exc, error_for="ack")
    return finish(request, RedirectResponse(f"/referrals/{referral_id}", status_code=303))


@router.post("/referrals/{referral_id}/status")
def status(
    referral_id: str,
    request: Request,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    peer_id: TextForm,
    state: TextForm,
    note: TextForm = "",
) -> Response:
    referral_detail(db, user, referral_id)
    node: Node = request.app.state.node
    try:
        with node.write_session() as session:
            send_status_message(
                session, session.merge(user), node_keys(node), referral_id, state=state,
                note=note, peer_id=peer_id,
            )  # fmt: skip
    except JointprobeError as exc:
        return show_referral(request, db, user, referral_id, error=exc, error_for="status")
    return finish(request, RedirectResponse(f"/referrals/{referral_id}", status_code=303))
