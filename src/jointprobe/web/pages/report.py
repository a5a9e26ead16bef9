"""The working-group report in the browser (``/report``) and as PDF (``/report.pdf``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from jointprobe.analytics.periods import DateRange
from jointprobe.analytics.report import build_report
from jointprobe.errors import InvalidInput
from jointprobe.web.pages.deps import AuditedDbDep, PageUser
from jointprobe.web.pages.render import page

router = APIRouter()


def _period(start: str | None, end: str | None) -> DateRange:
    today = date.today()
    try:
        first = date.fromisoformat(start) if start else date(today.year - 1, 1, 1)
        last = date.fromisoformat(end) if end else today
    except ValueError as exc:
        raise InvalidInput("dates must be YYYY-MM-DD") from exc
    return DateRange(first, last)


@router.get("/report")
def report_page(
    request: Request,
    db: AuditedDbDep,
    user: PageUser,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    from jointprobe.analytics.render import render_body

    period = _period(start, end)
    body = render_body(build_report(db, user, period))
    context = {"title": "Working-group report", "period": period, "body": body}
    return page(request, "report.html", context)


@router.get("/report.pdf")
def report_pdf(
    db: AuditedDbDep, user: PageUser, start: str | None = None, end: str | None = None
) -> Response:
    from jointprobe.analytics.render import render_pdf

    period = _period(start, end)
    pdf = render_pdf(build_report(db, user, period))
    name = f"report-{period.start}-{period.end}.pdf"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(pdf, media_type="application/pdf", headers=headers)
