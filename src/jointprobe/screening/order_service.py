"""Screen orders and keep them: need-to-know, markings and the audit log as for cases.

Who may screen: analysts, chemists, liaison officers and supervisors (an
admin runs the node, not its cases). A screening belongs to the user who ran
it and, when given, to a case: its members see it too; supervisors see all.
The customer's history is read from the stored orders the user may see, so
a verdict never rests on orders hidden from the person reading it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from jointprobe.audit import record
from jointprobe.cases.marking import check_marking
from jointprobe.cases.service import can_see_case_id, visible_case, visible_case_ids
from jointprobe.errors import Forbidden, InvalidInput, NotFound
from jointprobe.screening.flag_rules import PastOrder
from jointprobe.screening.order_reading import ReadOrder
from jointprobe.screening.order_tables import ScreenedOrder
from jointprobe.screening.orders import Order
from jointprobe.screening.verdict import Screening, rule_set, screen_order
from jointprobe.store.tables import User

SCREEN_ROLES = ("analyst", "chemist", "liaison", "supervisor")


@dataclass(frozen=True)
class Filing:
    """Where screenings are kept: a case (optional) and the markings they carry."""

    case_id: str | None = None
    tlp: str = "AMBER"
    handling: dict[str, Any] = field(default_factory=dict)
    fictional: bool = False
    source: str | None = None


@dataclass
class Batch:
    """The outcome of screening a file or a request: screenings and the lines left out."""

    screenings: list[Screening] = field(default_factory=list)
    errors: list[tuple[int, InvalidInput]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in ("clear", "review", "hold_and_report")}
        for s in self.screenings:
            out[s.verdict] += 1
        return out


def check_may_screen(user: User) -> None:
    if user.role not in SCREEN_ROLES:
        raise Forbidden(f"role {user.role} may not screen orders ({', '.join(SCREEN_ROLES)} may)")


def _visible(user: User) -> ColumnElement[bool] | None:
    cases = visible_case_ids(user)
    if cases is None:
        return None
    return or_(ScreenedOrder.screened_by == user.id, ScreenedOrder.case_id.in_(cases))


def customer_history(session: Session, user: User, order: Order) -> tuple[PastOrder, ...]:
    """Earlier orders of the customer that ``user`` may see; a re-screened order counts once."""
    data = order.data
    if not data.customer_id:
        return ()
    query = select(ScreenedOrder).where(
        ScreenedOrder.customer_id == data.customer_id, ScreenedOrder.order_date <= data.order_date
    )
    visible = _visible(user)
    if visible is not None:
        query = query.where(visible)
    latest: dict[str, ScreenedOrder] = {}
    for row in session.scalars(query.order_by(ScreenedOrder.screened_at)):
        if data.order_id is None or row.order_ref != data.order_id:
            latest[row.order_ref or row.id] = row
    return tuple(
        PastOrder(r.order_date, r.substance_key, r.base_quantity, r.base_unit)
        for r in latest.values()
    )


def _store(
    session: Session, user: User, s: Screening, filing: Filing, marks: tuple[Any, ...]
) -> str:
    tlp, handling, grading = marks
    row = ScreenedOrder(
        id=f"scr-{secrets.token_hex(8)}",
        order_ref=s.order.data.order_id,
        customer_id=s.order.data.customer_id,
        order_date=s.order.data.order_date,
        substance_key=s.substance.smiles or s.substance.given,
        base_quantity=s.order.base_quantity,
        base_unit=s.order.base_unit,
        data=s.order.data.model_dump(mode="json", exclude_none=True),
        verdict=s.verdict,
        points=s.points,
        reasons=[r.to_dict() for r in s.reasons],
        case_id=filing.case_id,
        screened_by=user.id,
        tlp=tlp,
        handling=handling,
        grading=grading,
        fictional=filing.fictional,
        source=filing.source,
    )
    session.add(row)
    session.flush()
    detail = {"verdict": s.verdict, "points": s.points, "line": s.line, "case": filing.case_id}
    record(session, user.username, "screen", "order", row.id, detail)
    return row.id


def screen_and_store(
    session: Session,
    user: User,
    rows: Iterable[ReadOrder],
    filing: Filing | None = None,
    *,
    rules_file: Path | None = None,
    on_each: Callable[[int], None] | None = None,
) -> Batch:
    """Screen every readable order, store each screening; bad lines are reported, not stored.

    Runs in the caller's transaction: the batch is stored whole or not at all.
    An order's history includes the earlier orders of the same batch.
    """
    check_may_screen(user)
    filing = filing or Filing()
    if filing.case_id is not None:
        visible_case(session, user, filing.case_id)
    marks = check_marking(filing.tlp, filing.handling, None)
    rules, batch = rule_set(rules_file), Batch()
    for item in rows:
        if item.order is None:
            assert item.error is not None
            batch.errors.append((item.line, item.error))
        else:
            history = customer_history(session, user, item.order)
            result = screen_order(session, item.order, history, rules=rules, line=item.line)
            stored = _store(session, user, result, filing, marks)
            batch.screenings.append(_with_id(result, stored))
        if on_each is not None:
            on_each(1)
    return batch


def _with_id(s: Screening, row_id: str) -> Screening:
    return Screening(s.order, s.verdict, s.points, s.reasons, s.substance, row_id, s.line)


def list_screenings(
    session: Session, user: User, *, verdict: str | None = None, limit: int = 100
) -> Iterator[ScreenedOrder]:
    """Stored screenings ``user`` may see, newest first."""
    query = select(ScreenedOrder).order_by(ScreenedOrder.screened_at.desc()).limit(limit)
    visible = _visible(user)
    if visible is not None:
        query = query.where(visible)
    if verdict is not None:
        query = query.where(ScreenedOrder.verdict == verdict)
    yield from session.scalars(query)


def get_screening(session: Session, user: User, screening_id: str) -> ScreenedOrder:
    """One stored screening (need-to-know; a hidden one is not found); the read is audited."""
    row = session.get(ScreenedOrder, screening_id)
    visible = _visible(user)
    if row is None or (visible is not None and not _may_see(session, user, row)):
        raise NotFound(f"no screening {screening_id!r}")
    record(session, user.username, "read", "order", row.id)
    return row


def _may_see(session: Session, user: User, row: ScreenedOrder) -> bool:
    if row.screened_by == user.id:
        return True
    return row.case_id is not None and can_see_case_id(session, user, row.case_id)
