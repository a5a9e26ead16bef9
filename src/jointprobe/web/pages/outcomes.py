"""Reporting an outcome of a received referral back to its sender (``workflow.send_outcome``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from jointprobe.errors import InvalidInput, JointprobeError
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.payloads import Outcome
from jointprobe.exchange.workflow import send_outcome
from jointprobe.node import Node
from jointprobe.web.pages.deps import CsrfDep, DbDep, PageUser, TextForm
from jointprobe.web.pages.refdata import referral_detail
from jointprobe.web.pages.referrals import show_referral
from jointprobe.web.pages.render import finish

router = APIRouter()
DETAILS = ("place", "substance", "quantity", "unit", "outcome", "term_months")


def invalid(exc: ValidationError) -> InvalidInput:
    """A form's pydantic errors as one :class:`InvalidInput` (422)."""
    problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return InvalidInput("; ".join(problems))


def _number(text: str, name: str, kind: type[Decimal] | type[int]) -> Decimal | int | None:
    if not text.strip():
        return None
    try:
        value = kind(text.strip())
    except (ValueError, InvalidOperation):
        raise InvalidInput(f"{name} must be a number") from None
    if value < 0:
        raise InvalidInput(f"{name} cannot be negative")
    return value


def outcome_from_form(form: dict[str, str]) -> dict[str, Any]:
    """One outcome as the workflow takes it, from the form's fields (all text)."""
    if form["date"].strip():
        try:
            date.fromisoformat(form["date"].strip())
        except ValueError:
            raise InvalidInput("date must read YYYY-MM-DD") from None
    quantity = _number(form["quantity"], "quantity", Decimal)
    term = _number(form["term_months"], "term in months", int)
    details: dict[str, Any] = {k: form[k].strip() for k in DETAILS if form[k].strip()}
    if quantity is not None:
        details["quantity"] = str(quantity)
    if term is not None:
        details["term_months"] = term
    if not form["description"].strip():
        raise InvalidInput("describe the outcome")
    data = {
        "type": form["type"],
        "description": form["description"].strip(),
        "date": form["date"].strip() or None,
        "details": details,
    }
    try:
        return Outcome.model_validate(data).model_dump()
    except ValidationError as exc:
        raise invalid(exc) from None


@router.post("/referrals/{referral_id}/outcome")
def report(
    referral_id: str,
    request: Request,
    db: DbDep,
    user: PageUser,
    _csrf: CsrfDep,
    peer_id: TextForm = "",
    type: TextForm = "",  # noqa: A002 (the form field's name)
    description: TextForm = "",
    date: TextForm = "",
    place: TextForm = "",
    substance: TextForm = "",
    quantity: TextForm = "",
    unit: TextForm = "",
    outcome: TextForm = "",
    term_months: TextForm = "",
    tlp: TextForm = "AMBER",
    use: TextForm = "intelligence",
) -> Response:
    referral_detail(db, user, referral_id)
    form = {
        "peer_id": peer_id, "type": type, "description": description, "date": date,
        "place": place, "substance": substance, "quantity": quantity, "unit": unit,
        "outcome": outcome, "term_months": term_months, "tlp": tlp, "use": use,
    }  # fmt: skip
    node: Node = request.app.state.node
    try:
        reported = outcome_from_form(form)
        with node.write_session() as session:
            send_outcome(
                session, session.merge(user), node_keys(node), referral_id, outcomes=[reported],
                tlp=tlp, use=use, peer_id=peer_id or None,
            )  # fmt: skip
    except JointprobeError as exc:
        return show_referral(
            request, db, user, referral_id, error=exc, error_for="outcome", form=form
        )
    return finish(request, RedirectResponse(f"/referrals/{referral_id}#outcomes", 303))
