"""The order screening page for compliance officers: paste or upload orders, see verdicts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from jointprobe.errors import InvalidInput
from jointprobe.screening.order_reading import read_orders_text
from jointprobe.screening.order_service import (
    Batch,
    Filing,
    check_may_screen,
    list_screenings,
    screen_and_store,
)
from jointprobe.web.pages.deps import AuditedDbDep, CsrfDep, PageUser
from jointprobe.web.pages.render import page

router = APIRouter()
MAX_TEXT_BYTES = 2_000_000
EXAMPLE = (
    '{"order_id": "PO-1", "customer_id": "C-1", "order_date": "2025-06-01", '
    '"buyer": {"name": "Example Chemicals Ltd", "country": "GB"}, '
    '"substance": {"cas": "23056-29-3"}, "quantity": "25", "unit": "kg", '
    '"payment_method": "virtual_currency", "consignee": {"name": "Quick Freight Forwarding"}}'
)


def _context(db: AuditedDbDep, user: Any, text: str = "") -> dict[str, Any]:
    return {
        "title": "Screen orders",
        "text": text,
        "example": EXAMPLE,
        "batch": None,
        "error": None,
        "recent": list(list_screenings(db, user, limit=20)),
    }


def _format(text: str) -> str:
    return "jsonl" if text.lstrip().startswith("{") else "csv"


async def _upload_text(file: UploadFile | None) -> str:
    if file is None or not file.filename:
        return ""
    data = await file.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_TEXT_BYTES} bytes; split it")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text (CSV or JSON lines)") from None


@router.get("/screening")
def screening_form(request: Request, user: PageUser, db: AuditedDbDep) -> Response:
    check_may_screen(user)
    return page(request, "screening.html", _context(db, user))


@router.post("/screening")
async def screening_run(
    request: Request,
    user: PageUser,
    db: AuditedDbDep,
    _csrf: CsrfDep,
    orders: Annotated[str, Form(max_length=MAX_TEXT_BYTES)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    check_may_screen(user)
    context = _context(db, user, orders)
    try:
        text = await _upload_text(file) or orders
        if not text.strip():
            raise InvalidInput("paste orders (CSV or JSON lines) or choose a file")
        rows = list(read_orders_text(text, _format(text)))
        cap = request.app.state.node.settings.screening_max_orders
        if len(rows) > cap:
            raise InvalidInput(f"at most {cap} orders at a time; split them")
        node = request.app.state.node
        batch: Batch = screen_and_store(
            db, user, rows, Filing(source="web form"), rules_file=node.settings.screening_rules
        )
    except InvalidInput as exc:
        context["error"] = str(exc)
        return page(request, "screening.html", context, status=422)
    context["batch"] = batch
    context["recent"] = list(list_screenings(db, user, limit=20))
    return page(request, "screening.html", context)
