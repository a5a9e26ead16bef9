"""Order screening (C6): ``POST /screening/orders`` screens one or many orders.

Each order is checked on its own: a bad one is named (``orders[2]``, the
field) and left out, the others are screened and stored. Nothing is stored
when none can be screened (422). Roles, need-to-know and the audit log are
decided in ``screening.order_service``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from jointprobe.cases.marking import Handling, TlpLabel
from jointprobe.errors import InvalidInput
from jointprobe.screening.order_reading import ReadOrder, parse_order
from jointprobe.screening.order_service import (
    Filing,
    check_may_screen,
    get_screening,
    list_screenings,
    screen_and_store,
)
from jointprobe.screening.order_tables import ScreenedOrder
from jointprobe.web.api.contract import SIGNED_IN, answers
from jointprobe.web.api.screening_models import ScreeningBatchOut, StoredScreeningOut
from jointprobe.web.deps import NodeDep, SessionDep, UserDep, WriteSessionDep

router = APIRouter(prefix="/screening", tags=["screening"], responses=SIGNED_IN)
HARD_MAX_ORDERS = 10_000
_ORDER = (
    "An order (`screening.orders.OrderIn`): read on its own, so a bad one is named in "
    "`errors` and left out while the others are screened."
)


class ScreeningRequest(BaseModel):
    """One order (``order``) or many (``orders``), and where to file the screenings."""

    # exactly one of order / orders (``_rows`` refuses both and neither)
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["order"], "properties": {"order": {"type": "object"}}},
                {"required": ["orders"], "properties": {"orders": {"type": "array"}}},
            ]
        },
    )

    order: dict[str, Any] | None = Field(default=None, description=_ORDER)
    orders: list[dict[str, Any]] | None = Field(
        default=None, min_length=1, max_length=HARD_MAX_ORDERS, description=_ORDER
    )
    case_id: str | None = Field(default=None, max_length=64)
    tlp: TlpLabel = "AMBER"
    handling: Handling = Field(default_factory=dict)
    fictional: StrictBool = False


def _rows(body: ScreeningRequest, cap: int) -> list[ReadOrder]:
    if (body.order is None) == (body.orders is None):
        raise InvalidInput("give either 'order' (one) or 'orders' (a list)")
    raws = [body.order] if body.order is not None else list(body.orders or [])
    if not raws:
        raise InvalidInput("'orders' is empty")
    if len(raws) > cap:
        raise InvalidInput(f"at most {cap} orders per request; split them", where="orders")
    out = []
    for i, raw in enumerate(raws):
        where = "order" if body.order is not None else f"orders[{i}]"
        try:
            out.append(ReadOrder(i + 1, order=parse_order(raw, where=where)))
        except InvalidInput as exc:
            out.append(ReadOrder(i + 1, error=exc))
    return out


def _row_out(row: ScreenedOrder) -> dict[str, Any]:
    return {
        "id": row.id,
        "order_id": row.order_ref,
        "customer_id": row.customer_id,
        "order_date": row.order_date,
        "verdict": row.verdict,
        "points": row.points,
        "reasons": row.reasons,
        "order": row.data,
        "case_id": row.case_id,
        "tlp": row.tlp,
        "handling": row.handling,
        "fictional": row.fictional,
        "screened_at": row.screened_at,
    }


@router.post("/orders", response_model=ScreeningBatchOut, responses=answers(400, 403, 404, 413))
def screen_orders(
    body: ScreeningRequest, session: WriteSessionDep, user: UserDep, node: NodeDep
) -> dict[str, Any]:
    """Screen the orders; each result lists its verdict and every reason with its data."""
    check_may_screen(user)
    rows = _rows(body, node.settings.screening_max_orders)
    if all(r.order is None for r in rows):
        errors = [e.to_dict() for r in rows if (e := r.error) is not None]
        raise _AllInvalid(errors)
    filing = Filing(body.case_id, body.tlp, body.handling, body.fictional, "api")
    batch = screen_and_store(session, user, rows, filing, rules_file=node.settings.screening_rules)
    return {
        "screenings": [s.to_dict() for s in batch.screenings],
        "errors": [e.to_dict() for _line, e in batch.errors],
        "counts": batch.counts(),
    }


class _AllInvalid(InvalidInput):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        first = errors[0]
        super().__init__(
            f"no order could be screened; {first.get('where')}: {first['message']}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""),
            where=first.get("where"),
        )


@router.get("/orders", response_model=list[StoredScreeningOut], responses=answers(403))
def screenings_index(
    session: SessionDep,
    user: UserDep,
    verdict: str | None = Query(None, pattern="^(clear|review|hold_and_report)$"),
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    """Stored screenings the user may see, newest first."""
    check_may_screen(user)
    return [_row_out(r) for r in list_screenings(session, user, verdict=verdict, limit=limit)]


@router.get(
    "/orders/{screening_id}", response_model=StoredScreeningOut, responses=answers(403, 404)
)
def screenings_show(screening_id: str, session: WriteSessionDep, user: UserDep) -> dict[str, Any]:
    """One stored screening (need-to-know: a hidden one is 404); the read is audited."""
    check_may_screen(user)
    return _row_out(get_screening(session, user, screening_id))
